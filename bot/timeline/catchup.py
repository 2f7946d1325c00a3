"""Nothing lost: read back what was said while the bot was down or before it joined, and store it once.

A job at the edge with one background thread of its own. Catch-up reads the channel through the
ChannelHistory port and feeds the same writer as live events, so the same database keys make a
message seen twice (live and read back) one row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from bot.timeline import queries
from bot.timeline.ports import ChannelHistory, HistoryUnavailable
from bot.timeline.writer import TimelineWriter

log = logging.getLogger(__name__)
RETRY_COOLDOWN = 60.0  # a channel handed over after a failed write is read again at most this often


class CatchUp:
    """Runs catch-up for all open incidents (on start) or one channel (the bot joined it, a write failed)."""

    def __init__(self, sessions: sessionmaker[Session], writer: TimelineWriter,
                 history: Callable[[], ChannelHistory]) -> None:
        self.sessions = sessions
        self.writer = writer
        self.history = history
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-catch-up")
        self._lock = threading.Lock()
        self._queued: set[str] = set()
        self._last_retry: dict[str, float] = {}

    def all_open(self) -> Future[int]:
        """Catch up every open incident's channel in the background; the future gives the channels read."""
        return self._executor.submit(self._all_open)

    def channel(self, channel_id: str) -> Future[int] | None:
        """Catch up one channel in the background (None if it is already waiting its turn)."""
        with self._lock:
            if channel_id in self._queued:
                return None
            self._queued.add(channel_id)
        return self._executor.submit(self._one, channel_id)

    def retry(self, channel_id: str) -> None:
        """A write for this channel was lost: read it back later, but not in a loop."""
        now = time.monotonic()
        with self._lock:
            if now - self._last_retry.get(channel_id, -RETRY_COOLDOWN) < RETRY_COOLDOWN:
                return
            self._last_retry[channel_id] = now
        self.channel(channel_id)

    def close(self) -> None:
        """Stop: work not started is dropped (the next start catches up again)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _all_open(self) -> int:
        with self.sessions.begin() as session:
            channels = queries.open_incident_channels(session)
        return sum(self.run(c) for c in channels)

    def _one(self, channel_id: str) -> int:
        with self._lock:
            self._queued.discard(channel_id)
        with self.sessions.begin() as session:
            if not queries.is_incident_channel(session, channel_id):
                return 0
        return self.run(channel_id)

    def run(self, channel_id: str) -> int:
        """Read the channel and queue what it holds for storage; 1 when read, 0 when it could not be."""
        with self.sessions.begin() as session:
            since = queries.last_captured_ts(session, channel_id)
        count = 0
        try:
            for item in self.history().read(channel_id, since):
                self.writer.submit(item)
                count += 1
        except HistoryUnavailable as exc:
            log.warning("catch-up of %s stopped: %s", channel_id, exc)
            return 0
        except Exception:
            log.exception("catch-up of %s failed", channel_id)
            return 0
        log.info("catch-up of %s: %d messages and marks read back", channel_id, count)
        return 1
