"""Resolving with a summary (the resolve form), as a steering change (row lock, then news)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

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


def clean(text: str | None, field: str, *, required: bool = False) -> str | None:
    """A resolve-form field tidied; InvalidInput when required and blank, or too long."""
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput("Say in a sentence or two how service was restored.", field=field)
    if len(value) > MAX_FIELD:
        raise InvalidInput(f"Keep it under {MAX_FIELD} characters (the postmortem has room for detail).",
                           field=field)
    return value or None


def resolve(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
            user_id: str, summary: str, impact: str | None, root_cause: str | None,
            now: Callable[[], datetime]) -> IncidentSnapshot:
    """Service is restored: record the summary (and impact, root cause), move to resolved, tell everyone."""
    def change(s: Session, row: Incident) -> list[News]:
        moved: list[News] = list(lifecycle.change_status(s, config, row, lifecycle.RESOLVED, user_id, now()))
        row.summary, row.impact, row.root_cause = summary, impact, root_cause
        record(s, row.id, EventKind.RESOLVED, by=user_id, now=now(), text=f"Resolved: {summary}",
               data={"impact": impact, "root_cause": root_cause})
        return [*moved, Resolution(summary, user_id, impact, root_cause)]

    return steering.steer(sessions, config, news, incident, user_id, "change the status", change)
