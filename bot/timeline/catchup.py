"""Nothing lost: read back what was said while the bot was down or before it joined, and store it once.

A job at the edge with one background thread of its own. Catch-up reads the channel through the
ChannelHistory port and feeds the same writer as live events, so the same database keys make a
message seen twice (live and read back) one row.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.timeline import queries, service
from bot.timeline.ports import ChannelHistory, HistoryUnavailable
from bot.timeline.values import ts_key, ts_time
from bot.timeline.writer import TimelineWriter

log = logging.getLogger(__name__)
RETRY_COOLDOWN = 60.0  # a channel handed over after a failed write is read again at most this often
RETRY_FIRST = 1.0      # a read-back that failed (database or Slack down) is tried again after 1, 2, 4 … 60 s
RETRY_ATTEMPTS = 10    # … for about five minutes; the next lost write starts over
# A read-back starts a little before the newest message stored, not at it: a message can be stored
# after a later one (several senders, a retry landing on another replica, a replica that died with
# values queued), and a thread just started gets replies. Five minutes is far longer than a value waits
# on a queue; re-reading it costs a page at most, and the database keys make it a no-op.
MARGIN = 300
THREADS_LIVE = 3600    # older threads with a reply in the hour before the newest message are read too
CLAIM_LEASE = timedelta(minutes=5)  # a start-up read-back left by a replica that died is free again after this


class CatchUp:
    """Runs catch-up for all open incidents (on start) or one channel (the bot joined it, a write failed)."""

    def __init__(self, sessions: sessionmaker[Session], writer: TimelineWriter,
                 history: Callable[[], ChannelHistory]) -> None:
        self.sessions = sessions
        self.writer = writer
        self.history = history
        self.margin = MARGIN
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-catch-up")
        self._lock = threading.Lock()
        self._queued: set[str] = set()
        self._owed: set[str] = set()  # channels whose lost writes are yet to be read back
        self._again: set[str] = set()  # … and lost another write while being read back
        self._last_retry: dict[str, float] = {}
        self._closed = False

    def all_open(self) -> Future[int]:
        """Catch up every open incident's channel in the background, each on one replica at a time; the
        future gives the channels this process read."""
        return self._executor.submit(self._all_open, utcnow())

    def channel(self, channel_id: str) -> Future[int] | None:
        """Catch up one channel in the background (None if it is already waiting its turn)."""
        with self._lock:
            if channel_id in self._queued:
                return None
            self._queued.add(channel_id)
        return self._executor.submit(self._one, channel_id)

    def retry(self, channel_id: str) -> None:
        """A write for this channel was lost: read it back, at most once a minute, until a read succeeds
        (a read that fails, because the database or Slack is still down, is tried again with backoff)."""
        with self._lock:
            if self._closed:
                return
            if channel_id in self._owed:
                self._again.add(channel_id)
                return
            self._owed.add(channel_id)
            due = self._last_retry.get(channel_id, -RETRY_COOLDOWN) + RETRY_COOLDOWN - time.monotonic()
        self._later(max(0.0, due), channel_id, 0)

    def close(self) -> None:
        """Stop: work not started is dropped (the next start catches up again)."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _later(self, delay: float, channel_id: str, failures: int) -> None:
        timer = threading.Timer(delay, self._submit_retry, (channel_id, failures))
        timer.daemon = True
        timer.start()

    def _submit_retry(self, channel_id: str, failures: int) -> None:
        with self._lock:
            if self._closed:
                return
            with contextlib.suppress(RuntimeError):  # shut down meanwhile
                self._executor.submit(self._retry, channel_id, failures)

    def _retry(self, channel_id: str, failures: int) -> None:
        with self._lock:
            self._last_retry[channel_id] = time.monotonic()
            self._again.discard(channel_id)  # what was lost before this read is in what it reads
        if self._attempt(channel_id):
            with self._lock:
                again = channel_id in self._again
                self._again.discard(channel_id)
                if not again:
                    self._owed.discard(channel_id)
            if again:  # lost while it was read: once more, a minute on
                self._later(RETRY_COOLDOWN, channel_id, 0)
            return
        if failures + 1 >= RETRY_ATTEMPTS:
            with self._lock:
                self._owed.discard(channel_id)
                self._again.discard(channel_id)
            log.error("catch-up of %s kept failing; gave up until the next lost write or restart", channel_id)
            return
        delay = min(RETRY_COOLDOWN, RETRY_FIRST * 2 ** failures)
        log.warning("catch-up of %s failed; trying again in %.0fs", channel_id, delay)
        self._later(delay, channel_id, failures + 1)

    def _attempt(self, channel_id: str) -> bool:
        """Read the channel back if it is an incident's; False when that could not be done."""
        try:
            with self.sessions.begin() as session:
                if not self.writer.channels.incident_ids(session, {channel_id}):
                    return True
            return self.run(channel_id, whole=True) == 1  # what was lost may be older than what was stored
        except Exception as exc:  # the database is down: the caller tries again later
            log.warning("catch-up of %s could not start: %s", channel_id, exc.__class__.__name__)
            return False

    def _all_open(self, started_at: datetime) -> int:
        with self.sessions.begin() as session:
            channels = self.writer.channels.open_channels(session)
        return sum(self._claimed(c, started_at) for c in channels)

    def _claimed(self, channel_id: str, started_at: datetime) -> int:
        """Read the channel back unless another replica is at it, or read it after this one started.
        Coordination, not domain time: the wall clock, which replicas share, not the bot's clock."""
        now = utcnow()
        with self.sessions.begin() as session:
            if not service.claim_catchup(session, channel_id, started_at, now, now + CLAIM_LEASE):
                log.info("catch-up of %s: another replica reads it", channel_id)
                return 0
        read = self.run(channel_id)
        with self.sessions.begin() as session:
            service.finish_catchup(session, channel_id, now if read else None)
        return read

    def _one(self, channel_id: str) -> int:
        with self._lock:
            self._queued.discard(channel_id)
        with self.sessions.begin() as session:
            if not self.writer.channels.incident_ids(session, {channel_id}):
                return 0
        return self.run(channel_id)

    def run(self, channel_id: str, *, whole: bool = False) -> int:
        """Read what the channel holds after the newest message stored (all of it when `whole` or when
        nothing is) and queue it for storage; 1 when read, 0 when it could not be."""
        with self.sessions.begin() as session:
            newest = queries.last_captured_ts(session, channel_id)
            since = None if whole or newest is None else _before(newest, self.margin)
            threads = [] if since is None else [
                t for t in queries.live_threads(session, channel_id, _time(_before(newest, THREADS_LIVE)))
                if ts_key(t) <= ts_key(since)]  # threads whose parent the history read will not return
        count = 0
        try:
            for item in self.history().read(channel_id, since, threads):
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


def _before(ts: str | None, seconds: int) -> str:
    """The Slack ts `seconds` before `ts`."""
    return f"{max(ts_key(ts) - seconds, 0):.6f}"


def _time(ts: str) -> datetime:
    return ts_time(ts) or datetime.fromtimestamp(0, UTC)
