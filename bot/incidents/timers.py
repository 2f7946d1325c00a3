"""When an incident's timers fall due: the update reminder, the escalation, the SLA checks.

Planned inside the transaction of the change that moves them (steering calls `replan` under the row
lock; declaring calls `plan_declared`), as rows of `bot.scheduling`, so what is planned is exactly what
is committed, whichever replica made the change. Callers own the transaction.

- Update reminder: due `update_every` after the latest of the declaration, the last update, the last
  change into the current severity, and a reopen; after a snooze, not before it ends. Recurring.
- Escalation: a major incident without a commander `escalate_after` after the declaration; once.
- SLA: `acknowledge` and `resolve` targets from the declaration; each checked once.
Resolving, closing and declining cancel what is pending; reopening plans again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import COMMAND, DECLINED, IncidentConfig
from bot.errors import DomainError
from bot.incidents.models import Incident
from bot.incidents.news import LevelChange, News, RemindersSnoozed, StatusChange, StatusUpdate
from bot.incidents.permissions import lead_role
from bot.scheduling import queue
from bot.timeline.events import record
from bot.timeline.kinds import EventKind
from bot.timeline.models import TimelineEvent

REMINDER, ESCALATION, SLA = "update_reminder", "escalation", "sla"
SLA_TARGETS = ("acknowledge", "resolve")
OVER = ("resolved", "closed", DECLINED.name)  # states in which nothing is chased any more
MAX_SNOOZE = timedelta(days=7)


def reminder_key(incident_id: int) -> str:
    """The scheduled job of an incident's update reminder."""
    return f"{REMINDER}:{incident_id}"


def escalation_key(incident_id: int) -> str:
    """The scheduled job of an incident's escalation."""
    return f"{ESCALATION}:{incident_id}"


def sla_key(incident_id: int, target: str) -> str:
    """The scheduled check of one SLA target (acknowledge | resolve)."""
    return f"{SLA}_{target}:{incident_id}"


def is_open(incident: Incident) -> bool:
    """Whether the incident is still being worked on (not resolved, closed or declined)."""
    return incident.status not in OVER


def has_commander(config: IncidentConfig, incident: Incident) -> bool:
    """Whether someone holds the lead role now."""
    lead = lead_role(config)
    return any(a.role == lead and a.relieved_at is None for a in incident.assignments)


def plan_declared(session: Session, config: IncidentConfig, incident: Incident) -> None:
    """A new incident's timers."""
    plan_reminder(session, config, incident, incident.declared_at)
    plan_once(session, config, incident)


def replan(session: Session, config: IncidentConfig, incident: Incident, changes: list[News]) -> None:
    """After a change (inside its transaction): move the reminder when the change restarts its clock,
    cancel everything once the incident is over, and bring escalation and SLA checks in line."""
    if not is_open(incident):
        queue.cancel(session, reminder_key(incident.id))
        incident.update_due_at = None
    elif any(_restarts_clock(c) for c in changes):
        plan_reminder(session, config, incident, reminder_anchor(session, incident))
    plan_once(session, config, incident)


def _restarts_clock(change: News) -> bool:
    return (isinstance(change, StatusUpdate) or (isinstance(change, StatusChange) and change.reopened)
            or (isinstance(change, LevelChange) and change.field == "severity"))


def reminder_anchor(session: Session, incident: Incident) -> datetime:
    """The latest of the declaration, the last update, the last severity change and the last reopen."""
    events = session.execute(select(TimelineEvent.occurred_at, TimelineEvent.kind, TimelineEvent.data).where(
        TimelineEvent.incident_id == incident.id,
        TimelineEvent.kind.in_([EventKind.SEVERITY_CHANGED, EventKind.STATUS_CHANGED]))).all()
    times = [incident.declared_at, incident.last_update_at] + [
        at for at, kind, data in events if kind == EventKind.SEVERITY_CHANGED or (data or {}).get("reopened")]
    return max(t for t in times if t is not None)


def plan_reminder(session: Session, config: IncidentConfig, incident: Incident, anchor: datetime) -> None:
    """The next update is due `update_every` after `anchor` (no reminder at a severity without one)."""
    every = config.reminders.every(incident.severity)
    if every is None or not is_open(incident):
        queue.cancel(session, reminder_key(incident.id))
        incident.update_due_at = None
        return
    incident.update_due_at = anchor + every
    queue.plan(session, reminder_key(incident.id), REMINDER, anchor + every, incident_id=incident.id)


def plan_once(session: Session, config: IncidentConfig, incident: Incident) -> None:
    """Escalation and SLA checks planned while they may still fire, cancelled once they cannot."""
    after = config.reminders.escalation_after(incident.severity, _major(config, incident))
    _plan_or_cancel(session, escalation_key(incident.id), ESCALATION, incident,
                    after if is_open(incident) and not has_commander(config, incident) else None)
    targets = config.reminders.targets(incident.severity)
    _plan_or_cancel(session, sla_key(incident.id, "acknowledge"), SLA, incident,
                    targets.acknowledge if incident.acknowledged_at is None and is_open(incident) else None)
    _plan_or_cancel(session, sla_key(incident.id, "resolve"), SLA, incident,
                    targets.resolve if incident.resolved_at is None and is_open(incident) else None)


def _major(config: IncidentConfig, incident: Incident) -> bool:
    try:
        return config.severity(incident.severity).major
    except KeyError:
        return False


def _plan_or_cancel(session: Session, key: str, kind: str, incident: Incident, after: timedelta | None) -> None:
    if after is None:
        queue.cancel(session, key)
    else:
        queue.plan(session, key, kind, incident.declared_at + after, incident_id=incident.id, once=True)


def snooze(session: Session, config: IncidentConfig, incident: Incident, length: timedelta, by: str,
           now: datetime) -> RemindersSnoozed:
    """Pause the update reminder for `length`: nothing before then; the clock's own due time if later."""
    if not is_open(incident):
        raise DomainError(f"The incident is {incident.status}: there are no update reminders to snooze.")
    job = queue.pending(session, reminder_key(incident.id))
    if config.reminders.every(incident.severity) is None or job is None:
        raise DomainError(f"{incident.severity} incidents get no update reminders (`update_every` in the "
                          f"configuration), so there is nothing to snooze. `{COMMAND} update <text>` still works.")
    until = now + length
    due = max(job.due_at, until)
    queue.plan(session, reminder_key(incident.id), REMINDER, due, incident_id=incident.id)
    incident.update_due_at = due
    record(session, incident.id, EventKind.REMINDERS_SNOOZED, by=by, now=now,
           text=f"Update reminders snoozed until {until.isoformat(timespec='seconds')}",
           data={"until": until.isoformat(), "seconds": int(length.total_seconds())})
    return RemindersSnoozed(until=until, by=by)

