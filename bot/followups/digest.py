"""The digest of open follow-ups, posted to `followup_digest.channel` once per period across replicas: one
scheduled job (`followup_digest`) that plans its next firing when it finishes, planned at start-up when
the YAML asks for it (and cancelled when it no longer does)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import DECLINED, IncidentConfig
from bot.config.reminders import DigestConfig
from bot.followups.models import Followup
from bot.followups.ports import FollowupChat, FollowupView
from bot.incidents.models import Incident
from bot.incidents.snapshots import label
from bot.scheduling import queue
from bot.scheduling.queue import Job

DIGEST = KEY = "followup_digest"


def first_after(digest: DigestConfig, config: IncidentConfig, now: datetime) -> datetime:
    """The next digest time after `now`: the configured weekday and time, local time."""
    local = now.astimezone(config.tz())
    day = local.date() + timedelta(days=(digest.weekday - local.weekday()) % 7)
    at = datetime.combine(day, digest.at, tzinfo=config.tz())
    if at <= now:
        at = datetime.combine(day + timedelta(days=7), digest.at, tzinfo=config.tz())
    return at.astimezone(UTC)


def next_after(digest: DigestConfig, config: IncidentConfig, due: datetime, now: datetime) -> datetime:
    """One period after `due` in local wall time (a summer-time change keeps 09:00 at 09:00); periods
    missed while nobody looked are skipped."""
    tz, nxt = config.tz(), due
    while nxt <= now:
        nxt = (nxt.astimezone(tz).replace(tzinfo=None) + digest.every).replace(tzinfo=tz).astimezone(UTC)
    return nxt


def ensure_planned(session: Session, config: IncidentConfig, now: datetime) -> None:
    """At start-up: the digest is planned if configured (once, whichever replica starts first), else cancelled."""
    digest = config.reminders.followup_digest
    if digest is None:
        queue.cancel(session, KEY)
    elif queue.pending(session, KEY) is None:
        queue.plan(session, KEY, DIGEST, first_after(digest, config, now))


def open_items(session: Session, today: date) -> tuple[list[FollowupView], int]:
    """Open follow-ups of incidents that were not declined, by incident, overdue first (then by due date);
    and how many belong to private incidents (counted, never shown)."""
    rows = session.execute(select(Followup, Incident).join(Incident, Incident.id == Followup.incident_id)
                           .where(Incident.status != DECLINED.name)
                           .order_by(Incident.number, Followup.created_at, Followup.id)).all()
    by_incident: dict[int, list[FollowupView]] = {}
    positions: dict[int, int] = {}
    hidden = 0
    for item, incident in rows:
        positions[incident.id] = n = positions.get(incident.id, 0) + 1
        if item.done_at is not None:
            continue
        if incident.is_private:
            hidden += 1
            continue
        by_incident.setdefault(incident.id, []).append(FollowupView(
            item.id, n, item.text, item.owner_id, item.due_on, label(incident.number, incident.is_drill),
            incident.title, incident.channel_id, incident.is_private))

    def urgency(v: FollowupView) -> tuple[bool, date]:
        return not v.overdue(today), v.due_on or date.max
    groups = [sorted(items, key=urgency) for items in by_incident.values()]
    groups.sort(key=lambda items: urgency(items[0]))
    return [v for items in groups for v in items], hidden


@dataclass(frozen=True)
class Digests:
    """The handler of the due digest."""

    sessions: sessionmaker[Session]
    config: IncidentConfig
    chat: Callable[[], FollowupChat]
    now: Callable[[], datetime]

    def post(self, job: Job, holder: str) -> None:
        """Post the digest (even an empty one says so), then plan the next."""
        digest = self.config.reminders.followup_digest
        with self.sessions.begin() as s:
            if not queue.holds(s, job, holder):
                return
            if digest is None:
                queue.finish(s, job, holder, self.now())
                return
            today = self.now().astimezone(self.config.tz()).date()
            items, hidden = open_items(s, today)
        self.chat().post_digest(digest.channel, items, today, hidden, f"{job.key}@{int(job.due_at.timestamp())}",
                                retry=job.attempts > 1)
        with self.sessions.begin() as s:
            queue.finish(s, job, holder, self.now(), next_due=next_after(digest, self.config, job.due_at, self.now()))
