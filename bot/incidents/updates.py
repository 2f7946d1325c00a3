"""Status updates: a responder's words for everyone following the incident. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import COMMAND
from bot.errors import DomainError, InvalidInput
from bot.incidents.lifecycle import FINISHED
from bot.incidents.models import Incident
from bot.incidents.news import StatusUpdate
from bot.incidents.snapshots import label
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

MAX_UPDATE = 2800  # leaves room in Slack's 3,000-character section for the heading


def validate_update(text: str) -> str:
    """The update's text, trimmed; InvalidInput when blank or too long."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"Write the update after the command, e.g. `{COMMAND} update The fix is rolling out; "
                           "errors are dropping.`", field="update")
    if len(text) > MAX_UPDATE:
        raise InvalidInput(f"The update is {len(text)} characters; keep it under {MAX_UPDATE} "
                           "(paste details into the channel instead).", field="update")
    return text


def post_update(session: Session, incident: Incident, text: str, by: str, now: datetime, *,
                public: bool = False) -> StatusUpdate:
    """Record a status update as a key event and as the incident's latest update; `public` records that it
    was published on the status page too (bot/statuspage/publishing.py stores the page's copy). Refused
    once the incident is closed or declined (nobody follows it any more, and the postmortem is written)."""
    if incident.status in FINISHED:
        raise DomainError(f"{label(incident.number, incident.is_drill)} is {incident.status}, so updates are no "
                          "longer posted. Reopening is not possible; declare a new incident if it is back.")
    text = validate_update(text)
    incident.last_update_at = now
    record(session, incident.id, EventKind.UPDATE_POSTED, by=by, now=now, text=text,
           data={"severity": incident.severity, "status": incident.status, "public": public})
    return StatusUpdate(text=text, by=by, at=now, severity=incident.severity, status=incident.status,
                        public=public)
