"""Severity (impact) and priority (urgency) changes, recorded with who, when and why.
Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.errors import DomainError, InvalidInput
from bot.incidents.models import Incident
from bot.incidents.news import LevelChange
from bot.incidents.snapshots import label
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

MAX_REASON = 500


def _reason(reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if len(text) > MAX_REASON:
        raise InvalidInput(f"The reason is {len(text)} characters; keep it under {MAX_REASON}.", field="reason")
    return text or None


def _is_major(config: IncidentConfig, name: str | None) -> bool:
    try:
        return bool(name) and config.severity(name or "").major
    except KeyError:
        return False


def change_severity(session: Session, config: IncidentConfig, incident: Incident, level: str, by: str,
                    reason: str | None, now: datetime) -> LevelChange:
    """Set the severity (a canonical name, see levels.parse_severity); refused when it is already that."""
    why = _reason(reason)
    old = incident.severity
    if level == old:
        raise DomainError(f"{label(incident.number, incident.is_drill)} is already {level}.")
    incident.severity = level
    crossed = _is_major(config, old) != _is_major(config, level)
    because = f": {why}" if why else ""
    record(session, incident.id, EventKind.SEVERITY_CHANGED, by=by, now=now, text=f"Severity {old} → {level}{because}",
           data={"from": old, "to": level, "reason": why})
    return LevelChange("severity", old, level, by, why, crossed_major=crossed, now_major=_is_major(config, level))


def change_priority(session: Session, incident: Incident, level: str, by: str, reason: str | None,
                    now: datetime) -> LevelChange:
    """Set the priority (a canonical name, see levels.parse_priority); refused when it is already that."""
    why = _reason(reason)
    old = incident.priority
    if level == old:
        raise DomainError(f"{label(incident.number, incident.is_drill)} already has priority {level}.")
    incident.priority = level
    because = f": {why}" if why else ""
    record(session, incident.id, EventKind.PRIORITY_CHANGED, by=by, now=now,
           text=f"Priority {old or 'none'} → {level}{because}", data={"from": old, "to": level, "reason": why})
    return LevelChange("priority", old, level, by, why)
