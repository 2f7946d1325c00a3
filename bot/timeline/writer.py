"""Storing captured messages off the request path: a job with its own threads and transactions.

Events are acknowledged before they are stored. Listeners only hand a parsed value to `submit`,
which puts it on a bounded queue; a few writer threads of their own (not Bolt's listener pool, which
slash commands need) take whatever has queued up and store it in one short transaction. Values are
sharded by channel, so one channel's events are applied in the order they arrived; a storm into one
channel becomes a few multi-row inserts instead of thousands of transactions. Correctness does not
depend on this process: duplicates and reordering are settled by the database (see service.py).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.timeline import service
from bot.timeline.ports import IncidentChannels
from bot.timeline.values import Capture

log = logging.getLogger(__name__)

SHARDS = 4            # writer threads; one channel always goes to the same one
CAPACITY = 10_000     # queued values per shard before submit() pushes back
BATCH = 500           # values per transaction at most
PUT_TIMEOUT = 0.5     # how long submit() (on the request path) waits for room before leaving it to catch-up
RETRY_DELAYS = (0.2, 1.0, 3.0)  # a database hiccup: the batch is retried before it is split up
_STOP = object()


class TimelineWriter:
    """Sharded, bounded queues drained by writer threads in batches (started on first use)."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime], channels: IncidentChannels, *,
                 shards: int = SHARDS, capacity: int = CAPACITY, batch: int = BATCH,
                 on_overflow: Callable[[str], None] | None = None) -> None:
        self.sessions = sessions
        self.clock = clock
        self.channels = channels
        self.batch = batch
        self.on_overflow = on_overflow
        self._queues: list[queue.Queue[object]] = [queue.Queue(maxsize=capacity) for _ in range(shards)]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False

    def submit(self, item: Capture) -> None:
        """Queue a captured value for storage; returns at once unless the queue is full."""
        self._start()
        with self._lock:
            if self._closed:
                log.warning("timeline writer closed; %s/%s left to catch-up", item.channel_id, _ts(item))
                return
            self._pending += 1
        shard = self._queues[zlib.crc32(item.channel_id.encode()) % len(self._queues)]
        try:
            shard.put(item, timeout=PUT_TIMEOUT)
        except queue.Full:
            self._done(1)
            log.error("timeline queue full; %s/%s will be recovered by catch-up", item.channel_id, _ts(item))
            if self.on_overflow is not None:
                self.on_overflow(item.channel_id)

    def idle(self) -> bool:
        """True when nothing is queued or being stored."""
        with self._lock:
            return self._pending == 0

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is stored (or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Store what is queued (up to `timeout`), then stop the threads."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
        for q in self._queues:
            if threads:
                q.put(_STOP)
        deadline = time.monotonic() + timeout
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    # threads -------------------------------------------------------------------------
    def _start(self) -> None:
        if self._threads:
            return
        with self._lock:
            if self._threads or self._closed:
                return
            threads = [threading.Thread(target=self._run, args=(q,), name=f"timeline-writer-{i}", daemon=True)
                       for i, q in enumerate(self._queues)]
            for t in threads:
                t.start()
            self._threads = threads

    def _run(self, q: queue.Queue[object]) -> None:
        while True:
            first = q.get()
            if first is _STOP:
                return
            batch: list[Capture] = [first]  # type: ignore[list-item]
            stop = False
            while len(batch) < self.batch:
                try:
                    more = q.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)  # type: ignore[arg-type]
            try:
                self._store(batch)
            finally:
                self._done(len(batch))
            if stop:
                return

    def _done(self, n: int) -> None:
        with self._lock:
            self._pending -= n

    def _store(self, batch: Sequence[Capture], *, retry: bool = True) -> None:
        """One transaction for the batch; a lost connection is retried, then the batch is stored value
        by value, so one bad value cannot cost the others; what still fails is left to catch-up."""
        for delay in (*RETRY_DELAYS, None) if retry else (None,):
            try:
                with self.sessions.begin() as session:
                    service.apply(session, batch, self.clock(), self.channels)
                return
            except DBAPIError as exc:
                if delay is None or _is_data_error(exc):
                    log.warning("storing %d timeline values failed: %s", len(batch), exc.__class__.__name__)
                    break
                log.warning("storing %d timeline values failed (%s); retrying in %ss",
                            len(batch), exc.__class__.__name__, delay)
                time.sleep(delay)
            except Exception:
                log.exception("storing %d timeline values failed", len(batch))
                break
        if len(batch) > 1:
            for item in batch:
                self._store([item], retry=False)
            return
        item = batch[0]
        log.error("timeline value for %s/%s could not be stored; catch-up will retry it", item.channel_id, _ts(item))
        if self.on_overflow is not None:
            self.on_overflow(item.channel_id)


def _is_data_error(exc: DBAPIError) -> bool:
    """Errors a retry cannot fix (constraint violations, bad data), as opposed to a lost connection."""
    name = exc.orig.__class__.__name__ if exc.orig is not None else ""
    return any(word in name for word in ("Integrity", "Data", "Programming"))


def _ts(item: Capture) -> str:
    return str(getattr(item, "ts", None) or getattr(getattr(item, "message", None), "ts", "?"))
