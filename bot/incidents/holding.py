"""Holding the lease on a declaration while its set-up runs: renewed in the background, given up at the end."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.incidents import holders, leases

log = logging.getLogger(__name__)
DEFAULT_LEASE = 15.0  # seconds a crashed process keeps others off an incident it was setting up


class Holding:
    """`with Holding(...)`: renew the incident's lease every third of its length until the block ends, then
    release it (a finished set-up has cleared it already). A process killed mid-way stops renewing, so the
    lease runs out (or a process on the same host sees its holder is gone) and a resumer takes over. Leases
    are about live processes: wall-clock time, never the domain's (possibly simulated) clock."""

    def __init__(self, sessions: sessionmaker[Session], incident_id: int, seconds: float) -> None:
        self.sessions, self.incident_id, self.seconds = sessions, incident_id, seconds
        self.holder = holders.me()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{incident_id}", daemon=True)

    def __enter__(self) -> Holding:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()
        try:
            with self.sessions.begin() as s:
                leases.release(s, self.incident_id, self.holder)
        except Exception:  # the lease then simply runs out
            log.exception("incident id %s: could not release the set-up lease", self.incident_id)

    def _renew(self) -> None:
        while not self._done.wait(self.seconds / 3):
            try:
                with self.sessions.begin() as s:
                    leases.renew(s, self.incident_id, utcnow() + timedelta(seconds=self.seconds), self.holder)
            except Exception:
                log.exception("incident id %s: could not renew the set-up lease", self.incident_id)
