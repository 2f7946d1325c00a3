"""The scheduler: a thread that wakes up to look at the database, claims what is due and does it.

No timer in memory is the truth: the thread only decides when to look next (the soonest due time, and at
least every `interval` seconds), so work planned by another replica, or before a restart, is done all the
same. A pass claims a batch of due jobs (one claim per job, across replicas), runs them on a few worker
threads, and each handler finishes its job in the database. `stop` takes no more work and waits for the
jobs in flight (what is left keeps its claim, which runs out, and is done by the next process to look).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.scheduling import queue
from bot.scheduling.models import JobState, ScheduledJob
from bot.scheduling.queue import Job

log = logging.getLogger(__name__)
Handler = Callable[[Job, str], None]  # does the job, and finishes it with queue.finish under `holder`
Seed = Callable[[Session, datetime], None]  # plans standing work at start-up (the digest), in a transaction
INTERVAL = 2.0     # look at least this often (seconds)
LEASE = 30.0       # a claim lasts this long; a holder that dies is replaced when it runs out
BATCH = 200        # jobs claimed per pass
WORKERS = 16
MAX_ATTEMPTS = 10  # then the job is marked failed (and logged)
# A dead holder's claim is cut to this long after start-up, not ended at once: a post it sent just before
# it died may still be on its way to Slack (up to the Slack client's 15 s timeout, bot/slack/client.py),
# and the successor's look for the job's post must come after it has landed.
SETTLE = 15.0


class Scheduler:
    """Claims due jobs and hands each to the handler of its kind."""

    def __init__(self, sessions: sessionmaker[Session], handlers: Mapping[str, Handler], now: Callable[[], datetime],
                 holder: str, *, gone: Callable[[str], bool] = lambda _: False, interval: float = INTERVAL,
                 lease: float = LEASE, workers: int = WORKERS, seeds: Sequence[Seed] = (),
                 settle: float = SETTLE) -> None:
        self.sessions, self.handlers, self.now, self.holder, self.gone = sessions, handlers, now, holder, gone
        self.seeds, self.settle = tuple(seeds), settle
        self.interval, self.lease = interval, lease
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scheduled")
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> int:
        """One look: claim what is due now and do it (waiting for it); returns how many jobs ran."""
        count = 0
        while not self._stop.is_set():
            now = self.now()
            with self.sessions.begin() as s:
                jobs = queue.claim_due(s, now, now + timedelta(seconds=self.lease), self.holder, BATCH)
            if not jobs:
                return count
            wait([self._pool.submit(self._run, job) for job in jobs])
            count += len(jobs)
        return count

    def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for scheduled work of kind {job.kind!r}")
            handler(job, self.holder)
        except Exception:
            give_up = job.attempts >= MAX_ATTEMPTS
            log.exception("scheduled job %s failed (attempt %s)%s", job.key, job.attempts,
                          "; giving up" if give_up else "")
            retry = self.now() + timedelta(seconds=min(5 * 2 ** (job.attempts - 1), 300))
            with self.sessions.begin() as s:
                queue.give_back(s, job, self.holder, retry, give_up=give_up)

    def _free_orphans(self) -> None:
        """Cut short the claims held by a process on this host that is gone: a restart redoes its work once
        `settle` s have passed (what the dead process had on its way to Slack has landed), not after the lease."""
        soon = self.now() + timedelta(seconds=self.settle)
        with self.sessions.begin() as s:
            held = s.execute(select(ScheduledJob.id, ScheduledJob.claimed_by, ScheduledJob.claimed_until).where(
                ScheduledJob.state == JobState.PENDING, ScheduledJob.claimed_by.is_not(None))).all()
            for job_id, holder, until in held:
                dead = holder != self.holder and holder is not None and self.gone(holder)
                if dead and (until is None or until > soon):
                    s.execute(update(ScheduledJob).where(ScheduledJob.id == job_id, ScheduledJob.claimed_by == holder)
                              .values(claimed_until=soon))

    def poke(self) -> None:
        """Look now (work was planned that may be due soon)."""
        self._wake.set()

    def start(self) -> None:
        """Look now, then keep looking in a daemon thread until `stop()`. A restarted process first ends
        the claims its dead predecessor on this host held short (`settle`), so their work is redone within
        seconds rather than after the lease; standing work
        (the follow-up digest) is planned if no replica did yet."""
        try:
            self._free_orphans()
        except Exception:  # the claims then run out instead
            log.exception("could not end the claims of processes that are gone")
        for seed in self.seeds:
            with self.sessions.begin() as s:
                seed(s, self.now())
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        soonest: datetime | None = self.now()
        while not self._stop.is_set():
            try:
                if soonest is not None and soonest <= self.now():
                    self.run_due()
                with self.sessions.begin() as s:  # one short look per pass while nothing is due
                    soonest = queue.next_due(s)
            except Exception:
                log.exception("looking for due work failed; looking again in %s s", self.interval)
                soonest = None
            delay = self.interval
            if soonest is not None:
                delay = min(delay, max((soonest - self.now()).total_seconds(), 0.05))
            if self._wake.wait(delay):
                soonest = self.now()  # poked: look at once
            self._wake.clear()

    def stop(self, timeout: float) -> bool:
        """Take no more work; wait up to `timeout` s for the jobs in flight. True when everything ended."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
        return self._thread is None or not self._thread.is_alive()
