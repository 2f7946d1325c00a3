"""Recording the bot's own key events (role, severity, status changes, updates) on the incident timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.incidents.enums import EventKind
from bot.incidents.models import Incident, TimelineEvent


def record(session: Session, incident: Incident, kind: EventKind, *, by: str, text: str, now: datetime,
           data: dict[str, Any] | None = None) -> None:
    """Add a key event; the incident's event list is not loaded (it can be long)."""
    session.add(TimelineEvent(incident_id=incident.id, kind=kind, occurred_at=now, actor_id=by, text=text,
                              is_key=True, data=data))
