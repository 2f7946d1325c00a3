"""Follow-up nudges: when a follow-up with an owner falls due (its due date, at `followup_nudge_at` in the
configured time zone), the owner gets one DM. Each nudge is a scheduled job (bot/scheduling) planned with
the change that adds the follow-up (or moves its due date), cancelled when it is closed. Callers of
`plan_nudge` own the transaction; the handler owns its own."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.followups.models import Followup
from bot.followups.ports import FollowupChat, FollowupView
from bot.incidents.models import Incident
from bot.incidents.snapshots import label
from bot.scheduling import queue
from bot.scheduling.models import JobState, ScheduledJob
from bot.scheduling.queue import Job

log = logging.getLogger(__name__)
NUDGE = "followup_nudge"


def nudge_key(followup_id: int) -> str:
    """The scheduled job of one follow-up's nudge."""
    return f"{NUDGE}:{followup_id}"


def nudge_due(config: IncidentConfig, item: Followup) -> datetime | None:
    """When the owner hears of it: its due date at `followup_nudge_at`, local time (None: no owner or date)."""
    if item.owner_id is None or item.due_on is None or item.done_at is not None:
        return None
    local = datetime.combine(item.due_on, config.reminders.followup_nudge_at, tzinfo=config.tz())
    return local.astimezone(UTC)


def plan_nudge(session: Session, config: IncidentConfig, item: Followup) -> None:
    """Plan (or move, or cancel) the follow-up's nudge; one already sent for this due time stays sent."""
    key, due = nudge_key(item.id), nudge_due(config, item)
    if due is None:
        queue.cancel(session, key)
        return
    sent = session.scalar(select(ScheduledJob.id).where(ScheduledJob.key == key, ScheduledJob.state == JobState.DONE,
                                                        ScheduledJob.due_at == due))
    if sent is None:
        queue.plan(session, key, NUDGE, due, incident_id=item.incident_id, subject_id=item.id)


def view_of(session: Session, item: Followup) -> FollowupView:
    """The follow-up as chat shows it."""
    incident = session.get_one(Incident, item.incident_id)
    ids = list(session.scalars(select(Followup.id).where(Followup.incident_id == item.incident_id)
                               .order_by(Followup.created_at, Followup.id)))
    return FollowupView(item.id, ids.index(item.id) + 1, item.text, item.owner_id, item.due_on,
                        label(incident.number, incident.is_drill), incident.title, incident.channel_id,
                        incident.is_private)


@dataclass(frozen=True)
class Nudges:
    """The handler of due follow-up nudges."""

    sessions: sessionmaker[Session]
    config: IncidentConfig
    chat: Callable[[], FollowupChat]
    now: Callable[[], datetime]

    def nudge(self, job: Job, holder: str) -> None:
        """The follow-up is due: one DM to its owner, unless it was closed (or lost its owner) meanwhile."""
        with self.sessions.begin() as s:
            if not queue.holds(s, job, holder):
                return
            item = s.get(Followup, job.subject_id) if job.subject_id is not None else None
            if item is None or nudge_due(self.config, item) is None:
                queue.finish(s, job, holder, self.now())
                return
            view = view_of(s, item)
        self.chat().remind_owner(view)
        with self.sessions.begin() as s:
            if not queue.finish(s, job, holder, self.now()):
                log.info("follow-up nudge %s was moved or cancelled while it was sent", job.key)
