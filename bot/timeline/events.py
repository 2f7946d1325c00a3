"""Recording the bot's own events on an incident's timeline: the one way every package writes one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.timeline.kinds import EventKind
from bot.timeline.models import TimelineEvent


def record(session: Session, incident_id: int, kind: EventKind, *, by: str | None, text: str, now: datetime,
           data: dict[str, Any] | None = None, key: bool = True) -> TimelineEvent:
    """Add an event to the incident's timeline (a key event unless `key` is False); the caller commits."""
    event = TimelineEvent(incident_id=incident_id, kind=kind, occurred_at=now, actor_id=by, text=text,
                          is_key=key, data=data)
    session.add(event)
    return event
