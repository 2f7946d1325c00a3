"""The work done when an incident's timer falls due (jobs planned by bot/incidents/timers.py).

Each handler: under the claim, read the incident and decide whether the job still applies; tell chat
(outside any transaction; a job taken over after its holder died looks before posting again); then, in
one transaction, finish the job and record what happened, only if the claim still holds (a change that
planned it again or cancelled it meanwhile wins, and nothing is recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.incidents import timers
from bot.incidents.models import Incident
from bot.incidents.permissions import lead_role
from bot.incidents.snapshots import IncidentSnapshot, snapshot
from bot.reminders.ports import ReminderChat
from bot.scheduling import queue
from bot.scheduling.queue import Job
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

log = logging.getLogger(__name__)
NOT_READY_RETRY = timedelta(seconds=30)  # the channel is still being set up
COMMUNICATOR = "communicator"


@dataclass(frozen=True)
class Firing:
    """What the handlers share: the database, the configuration, chat and the clock."""

    sessions: sessionmaker[Session]
    config: IncidentConfig
    chat: Callable[[], ReminderChat]
    now: Callable[[], datetime]

    def handlers(self) -> dict[str, Callable[[Job, str], None]]:
        """The handler of each kind of incident timer."""
        return {timers.REMINDER: self.remind, timers.ESCALATION: self.escalate, timers.SLA: self.check_sla}

    def _claimed(self, job: Job, holder: str) -> tuple[Incident, IncidentSnapshot] | None:
        """The incident, if the claim holds, it exists and its channel is ready; otherwise the job is settled."""
        with self.sessions.begin() as s:
            if not queue.holds(s, job, holder):
                return None
            row = s.get(Incident, job.incident_id) if job.incident_id is not None else None
            if row is None:
                queue.finish(s, job, holder, self.now())
                return None
            if row.setup_state == "opening" or not row.channel_id:
                queue.finish(s, job, holder, self.now(), next_due=self.now() + NOT_READY_RETRY)
                return None
            return row, snapshot(row, self.config)

    def remind(self, job: Job, holder: str) -> None:
        """An update is due: one nudge in the channel naming the communicator (else the commander), who
        also gets a DM; due again one period later."""
        found = self._claimed(job, holder)
        if found is None:
            return
        row, view = found
        every = self.config.reminders.every(view.severity)
        if every is None or not timers.is_open(row):
            self._finish(job, holder)
            return
        person = next(iter(view.holders_of(COMMUNICATOR) or view.holders_of(lead_role(self.config))), None)
        chat = self.chat()
        chat.nudge(view, person, every, _mark(job), retry=job.attempts > 1)
        if person:
            chat.prompt_update(view, person, every)
        self._finish(job, holder, next_due=_next(job.due_at, every, self.now()),
                     then=lambda s: record(s, view.id, EventKind.REMINDER_SENT, by=None, now=self.now(), key=False,
                                           text="Update reminder", data={"person": person,
                                                                         "due_at": job.due_at.isoformat()}))

    def escalate(self, job: Job, holder: str) -> None:
        """No commander yet: tell `escalate_to`, once, and record it on the timeline."""
        found = self._claimed(job, holder)
        if found is None:
            return
        row, view = found
        after = self.config.reminders.escalation_after(view.severity, view.major)
        if after is None or not timers.is_open(row) or view.holders_of(lead_role(self.config)):
            self._finish(job, holder)
            return
        targets = self.config.reminders.escalate_to
        self.chat().escalate(view, targets, after, _mark(job), retry=job.attempts > 1)
        named = ", ".join(targets) or "nobody (no escalate_to configured)"
        self._finish(job, holder, then=lambda s: record(
            s, view.id, EventKind.ESCALATED, by=None, now=self.now(), text=f"Escalated (no commander): {named}",
            data={"to": list(targets), "after_seconds": int(after.total_seconds())}))

    def check_sla(self, job: Job, holder: str) -> None:
        """An SLA target's time is up: if it was not met, say so in the channel, once, and record it."""
        found = self._claimed(job, holder)
        if found is None:
            return
        row, view = found
        target = job.key.split(":", 1)[0].removeprefix(f"{timers.SLA}_")
        limit = self.config.reminders.targets(view.severity).target(target)
        met = row.acknowledged_at if target == "acknowledge" else row.resolved_at
        if limit is None or met is not None or not timers.is_open(row):
            self._finish(job, holder)
            return
        self.chat().breach(view, target, limit, _mark(job), retry=job.attempts > 1)

        def recorded(s: Session) -> None:
            incident = s.get_one(Incident, view.id)
            incident.sla_breaches = ",".join(sorted({*view.sla_breaches, target}))
            record(s, view.id, EventKind.SLA_BREACHED, by=None, now=self.now(),
                   text=f"SLA missed: {target} within {human(limit)} ({view.severity})",
                   data={"target": target, "within_seconds": int(limit.total_seconds()), "severity": view.severity})
        if self._finish(job, holder, then=recorded):
            with self.sessions.begin() as s:
                after = snapshot(s.get_one(Incident, view.id), self.config)
            self.chat().refresh_card(after)

    def _finish(self, job: Job, holder: str, *, next_due: datetime | None = None,
                then: Callable[[Session], object] | None = None) -> bool:
        with self.sessions.begin() as s:
            if not queue.finish(s, job, holder, self.now(), next_due=next_due):
                log.info("scheduled job %s was planned again or cancelled while it ran", job.key)
                return False
            if then is not None:
                then(s)
        return True


def _mark(job: Job) -> str:
    return f"{job.key}@{int(job.due_at.timestamp())}"


def _next(due: datetime, every: timedelta, now: datetime) -> datetime:
    """One period on; periods missed while nobody looked are not nudged one by one."""
    nxt = due + every
    while nxt <= now:
        nxt += every
    return nxt


def human(length: timedelta) -> str:
    """`90s` → `1m 30s`, `2h`."""
    seconds, parts = int(length.total_seconds()), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts) or "0s"
