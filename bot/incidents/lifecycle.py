"""The status lifecycle: forward by any number of steps; back from resolved is a reopen; nothing leaves
closed or declined. `change_status` is the one place a status changes (resolve and close build on it).
Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import DECLINED, IncidentConfig
from bot.errors import DomainError, InvalidInput
from bot.incidents import snapshots
from bot.incidents.models import Incident
from bot.incidents.news import StatusChange
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

RESOLVED, CLOSED = "resolved", "closed"
FINISHED = (CLOSED, DECLINED.name)


def status_named(config: IncidentConfig, text: str) -> str:
    """The status called `text` (any case), or InvalidInput listing the valid ones."""
    typed = text.strip().lower()
    if typed in config.status_names:
        return typed
    raise InvalidInput(f"`{text.strip()}` is not a status. Use one of: {', '.join(config.status_names)}.",
                       field="status")


def _order(config: IncidentConfig) -> list[str]:
    return [s.name for s in config.statuses]


def allowed_next(config: IncidentConfig, current: str) -> list[str]:
    """The states `current` may move to, in lifecycle order (`declined` last)."""
    order = _order(config)
    if current in FINISHED or current not in order:
        return []
    here, resolved = order.index(current), order.index(RESOLVED)
    earlier = order[:here] if current == RESOLVED else []
    declined = [DECLINED.name] if here < resolved else []
    return earlier + order[here + 1:] + declined


def check_move(config: IncidentConfig, label: str, current: str, target: str) -> None:
    """Refuse (DomainError listing the allowed states) a move the lifecycle does not allow."""
    if target == current:
        raise DomainError(f"{label} is already {current}.")
    allowed = allowed_next(config, current)
    if target in allowed:
        return
    if not allowed:
        raise DomainError(f"{label} is {current}; nothing leaves {current}. "
                          "If the problem is back, declare a new incident.")
    raise DomainError(f"{label} cannot go from {current} to {target}. From {current} it can move to: "
                      f"{', '.join(allowed)}.")


def change_status(session: Session, config: IncidentConfig, incident: Incident, target: str, by: str,
                  now: datetime) -> list[StatusChange]:
    """Move the status (checked), stamp the milestones, record it. Closing an unresolved incident resolves it
    first, so both are recorded; the changes are returned in order."""
    label = snapshots.label(incident.number, incident.is_drill)
    check_move(config, label, incident.status, target)
    steps = [RESOLVED, CLOSED] if target == CLOSED and incident.resolved_at is None else [target]
    changes = []
    for step in steps:
        old = incident.status
        reopened = old == RESOLVED and step in _order(config)[: _order(config).index(RESOLVED)]
        incident.status = step
        _stamp(config, incident, step, now, reopened=reopened)
        verb = "Reopened" if reopened else "Status"
        record(session, incident.id, EventKind.STATUS_CHANGED, by=by, now=now, text=f"{verb}: {old} → {step}",
               data={"from": old, "to": step, "reopened": reopened})
        changes.append(StatusChange(old, step, by, reopened=reopened,
                                    milestone=step in (RESOLVED, CLOSED, DECLINED.name)))
    return changes


def reopen_target(config: IncidentConfig, label: str, current: str, typed: str | None) -> str:
    """Where `/incident reopen [<state>]` goes: the state named, or the first one; refused unless resolved."""
    if current != RESOLVED:
        raise DomainError(f"Only a resolved incident can be reopened; {label} is {current}.")
    target = status_named(config, typed) if typed else config.initial_status
    earlier = _order(config)[: _order(config).index(RESOLVED)]
    if target not in earlier:
        raise DomainError(f"Reopening goes back to an earlier state: {', '.join(earlier)}.")
    return target


def _stamp(config: IncidentConfig, incident: Incident, status: str, now: datetime, *, reopened: bool) -> None:
    order = _order(config)
    if status == DECLINED.name:
        return
    here = order.index(status)
    mitigation = order.index("monitoring") if "monitoring" in order else order.index(RESOLVED)
    if here > 0 and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    if here >= mitigation and incident.mitigated_at is None:
        incident.mitigated_at = now
    if status == RESOLVED:
        incident.resolved_at = now
    if status == CLOSED:
        incident.closed_at = now
    if reopened:
        incident.resolved_at = None
        if here < mitigation:
            incident.mitigated_at = None
