"""Resolving with what the postmortem needs (the resolve form), as a steering change (row lock, then news)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents import lifecycle, steering
from bot.incidents.models import Incident
from bot.incidents.news import News, Resolution
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

MAX_FIELD = 3000
MAX_COUNT = 1_000_000_000
EARLIEST_IMPACT = timedelta(days=30)  # impact may begin before the declaration, not a month before it
CLOCK_SLACK = timedelta(minutes=1)    # a picker's minute may be a little ahead of our clock
DETECTION = {"alert": "An alert", "customer": "A customer report", "engineer": "An engineer noticed",
             "other": "Other"}  # how it was detected: stored value → what people read


@dataclass(frozen=True)
class Findings:
    """What the resolve form says: how service was restored (`resolution`), and the postmortem's facts."""

    resolution: str
    impact: str | None
    root_cause: str | None
    impact_began: datetime
    impact_ended: datetime
    overview: str | None = None       # the postmortem's Summary; None: the postmortem writes a first one
    detection: str | None = None      # a DETECTION key
    trigger: str | None = None
    users_affected: int | None = None
    tickets: int | None = None


def clean(text: str | None, field: str, *, required: bool = False) -> str | None:
    """A resolve-form field tidied; InvalidInput when required and blank, or too long."""
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput("Say in a sentence or two how service was restored.", field=field)
    if len(value) > MAX_FIELD:
        raise InvalidInput(f"Keep it under {MAX_FIELD} characters (the postmortem has room for detail).",
                           field=field)
    return value or None


def count(text: str | None, field: str) -> int | None:
    """A count typed in the form (users, tickets): a whole number from 0, or None when left blank."""
    value = (text or "").strip().replace(",", "").replace("_", "")
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_COUNT:
        raise InvalidInput("Write a whole number, e.g. `120`, or leave it blank.", field=field)
    return int(value)


def detection(value: str | None, field: str) -> str | None:
    """How it was detected: one of DETECTION, or None."""
    if value is None or value in DETECTION:
        return value
    raise InvalidInput(f"Choose one of: {', '.join(DETECTION.values())}.", field=field)


def impact_window(incident: IncidentSnapshot, began: datetime | None, ended: datetime | None, now: datetime,
                  fields: tuple[str, str]) -> tuple[datetime, datetime]:
    """The impact window picked in the form: both set, began ≤ ended, neither in the future, began at most
    30 days before the declaration; InvalidInput names the field to fix."""
    began_field, ended_field = fields
    if began is None:
        raise InvalidInput("Pick when customer impact began.", field=began_field)
    if ended is None:
        raise InvalidInput("Pick when customer impact ended.", field=ended_field)
    if began > now + CLOCK_SLACK:
        raise InvalidInput("Impact cannot begin in the future.", field=began_field)
    if ended > now + CLOCK_SLACK:
        raise InvalidInput("Impact cannot end in the future: pick now at the latest.", field=ended_field)
    if began < incident.declared_at - EARLIEST_IMPACT:
        raise InvalidInput("That is more than 30 days before the incident was declared: check the date.",
                           field=began_field)
    if ended < began:
        raise InvalidInput("Impact cannot end before it began.", field=ended_field)
    return began, ended


def default_window(incident: IncidentSnapshot, now: datetime) -> tuple[datetime, datetime]:
    """The form's impact window: as set before, else from the declaration to mitigation (else now)."""
    return (incident.impact_started_at or incident.declared_at,
            incident.impact_ended_at or incident.mitigated_at or now)


def resolve(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
            user_id: str, findings: Findings, now: Callable[[], datetime]) -> IncidentSnapshot:
    """Service is restored: record the findings, move to resolved, tell everyone."""
    f = findings

    def change(s: Session, row: Incident) -> list[News]:
        moved: list[News] = list(lifecycle.change_status(s, config, row, lifecycle.RESOLVED, user_id, now()))
        row.summary, row.impact, row.root_cause, row.overview = f.resolution, f.impact, f.root_cause, f.overview
        row.impact_started_at, row.impact_ended_at = f.impact_began, f.impact_ended
        row.detection, row.trigger = f.detection, f.trigger
        row.users_affected, row.tickets = f.users_affected, f.tickets
        record(s, row.id, EventKind.RESOLVED, by=user_id, now=now(), text=f"Resolved: {f.resolution}",
               data={"impact": f.impact, "root_cause": f.root_cause, "detection": f.detection,
                     "impact_began": f.impact_began.isoformat(), "impact_ended": f.impact_ended.isoformat()})
        return [*moved, Resolution(f.resolution, user_id, f.impact, f.root_cause)]

    return steering.steer(sessions, config, news, incident, user_id, "change the status", change)
