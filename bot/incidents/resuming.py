"""Carrying on declarations cut short: a process killed or stopped mid-way leaves its incident in
`setup_state = opening` with a lease that runs out. A resumer claims such an incident (one at a time, row
locked, so exactly one replica takes it) and runs the remaining steps, looking before acting.

Runs at start-up and then in a daemon thread: it wakes when the soonest lease on an opening incident runs
out, and at least every `interval` seconds. Each pass first ends the leases held by a process on this host
that no longer exists (bot/incidents/holders.py), so a restarted process finishes what its killed
predecessor left at once instead of waiting the lease out. Leases use wall-clock time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.errors import DomainError
from bot.incidents import holders, leases
from bot.incidents.holding import DEFAULT_LEASE, Holding
from bot.incidents.models import Incident
from bot.incidents.opening import open_incident, post_runbooks
from bot.incidents.ports import IncidentChat, RunbookShelf
from bot.incidents.snapshots import IncidentSnapshot, snapshot

log = logging.getLogger(__name__)
INTERVAL = 30.0


class SetupResumer:
    """Finds declarations whose set-up stopped and finishes them."""

    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, chat: Callable[[], IncidentChat],
                 runbooks: Callable[[], RunbookShelf], now: Callable[[], datetime], *,
                 lease: float = DEFAULT_LEASE, interval: float = INTERVAL) -> None:
        self.sessions, self.config, self.chat, self.runbooks, self.now = sessions, config, chat, runbooks, now
        self.lease, self.interval = lease, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._before: IncidentSnapshot | None = None  # the incident being resumed, as it stood when claimed

    def resume_pending(self) -> int:
        """Claim and finish every incident whose set-up stopped and whose lease has run out, or whose holder
        was a process on this host that is gone (a crash and a restart: no need to wait); returns how many."""
        with self.sessions.begin() as s:
            for orphan in leases.free_orphans(s, utcnow(), holders.is_gone):
                log.info("incident id %s: its set-up lease was held by a process here that is gone", orphan)
        count = 0
        me = holders.me()
        while not self._stop.is_set():
            with self.sessions.begin() as s:
                incident_id = leases.claim_next(s, utcnow(), utcnow() + timedelta(seconds=self.lease), me)
            if incident_id is None:
                return count
            self._resume(incident_id)
            count += 1
        return count

    def _resume(self, incident_id: int) -> None:
        chat = self.chat()
        with self.sessions.begin() as s:
            self._before = snapshot(s.get_one(Incident, incident_id), self.config)
        log.info("incident id %s: resuming its set-up", incident_id)
        try:
            with Holding(self.sessions, incident_id, self.lease):
                ready = open_incident(self.sessions, self.config, chat, incident_id, self.now, resuming=True)
        except DomainError as exc:
            self._tell(chat, incident_id, exc.message)
            return
        except Exception:  # logged; the lease runs out and a later pass tries again
            log.exception("incident id %s: resuming its set-up failed", incident_id)
            return
        self._tell(chat, incident_id, None)
        try:
            post_runbooks(self.runbooks(), ready)
        except DomainError as exc:
            self._tell(chat, incident_id, exc.message)

    def _tell(self, chat: IncidentChat, incident_id: int, text: str | None) -> None:
        """Tell the declarer how it ended: nobody else is waiting for the answer any more."""
        with self.sessions.begin() as s:
            row = s.get(Incident, incident_id)
            view = snapshot(row, self.config) if row is not None else None
        if view is None:  # withdrawn (its channel could not be made): the declarer still hears why
            log.warning("incident id %s withdrawn on resume: %s", incident_id, text)
            view = self._before
        if view is None:
            return
        if text is None:
            text = (f"{view.label} declared: <#{view.channel_id}>. You are in the channel; gather responders "
                    "there. (The bot restarted while setting it up and has finished the job.)")
        try:
            chat.tell_declarer(view, text)
        except Exception:
            log.exception("incident %s: could not tell the declarer", view.number)

    def start(self) -> None:
        """Resume now, then keep watching in a daemon thread until `stop()`."""
        self._thread = threading.Thread(target=self._loop, name="setup-resumer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.resume_pending()
                with self.sessions.begin() as s:
                    expiry = leases.next_expiry(s)
            except Exception:
                log.exception("resuming declarations failed; trying again in %s s", self.interval)
                expiry = None
            wait = self.interval
            if expiry is not None:
                wait = min(wait, max((expiry - utcnow()).total_seconds() + 0.1, 0.1))
            self._stop.wait(wait)

    def stop(self, timeout: float) -> bool:
        """Stop watching; wait up to `timeout` s for a resume in progress. True when the thread ended."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
