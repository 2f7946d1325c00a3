"""Writes and reads of follow-ups. Callers own the transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import markup
from bot.config import COMMAND
from bot.errors import InvalidInput
from bot.followups.models import Followup
from bot.incidents.models import Incident
from bot.incidents.news import FollowupAdded
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

MAX_TEXT = 2000
_DUE = re.compile(r"(?:^|\s)(?:due|by)[: ]\s*(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class FollowupRequest:
    """What `/incident followup <text> [<@owner>] [due YYYY-MM-DD]` asks for."""

    text: str
    owner_id: str | None
    due_on: date | None


def parse(text: str, today: date) -> FollowupRequest:
    """Read the owner (the first @-mention) and a trailing `due YYYY-MM-DD`; InvalidInput says what to type."""
    text = " ".join(text.split())
    due_on = None
    found = _DUE.search(text)
    if found:
        try:
            due_on = date.fromisoformat(found.group(1))
        except ValueError:
            raise InvalidInput(f"`{found.group(1)}` is not a date. Write the due date as YYYY-MM-DD, e.g. "
                               f"`due {today.replace(day=28).isoformat()}`.", field="due") from None
        if due_on < today:
            raise InvalidInput(f"The due date {due_on.isoformat()} is in the past.", field="due")
        text = text[: found.start()].strip()
    owners = markup.MENTION.findall(text)
    owner = owners[0] if owners else None
    if owner and text.rstrip().endswith(">") and markup.MENTION.search(text.rsplit(" ", 1)[-1]):
        text = text.rsplit(" ", 1)[0].strip() if " " in text else ""
    if not text:
        raise InvalidInput(f"Say what should be done: `{COMMAND} followup Add an alert on queue depth @alice "
                           "due 2026-12-31`.", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Keep a follow-up under {MAX_TEXT} characters.", field="text")
    return FollowupRequest(text, owner, due_on)


def add(session: Session, incident: Incident, request: FollowupRequest, by: str, now: datetime,
        source_ts: str | None = None) -> tuple[Followup, FollowupAdded]:
    """Record the follow-up (flushed, so it has its id) and its timeline event."""
    item = Followup(incident_id=incident.id, text=request.text, owner_id=request.owner_id,
                    due_on=request.due_on, created_by=by, created_at=now, source_ts=source_ts)
    session.add(item)
    session.flush()
    record(session, incident.id, EventKind.FOLLOWUP_ADDED, by=by, now=now, text=f"Follow-up: {request.text}",
           data={"owner": request.owner_id, "due_on": request.due_on.isoformat() if request.due_on else None})
    due = request.due_on.isoformat() if request.due_on else None
    return item, FollowupAdded(request.text, by, request.owner_id, due)


def for_incident(session: Session, incident_id: int) -> list[Followup]:
    """The incident's follow-ups, oldest first."""
    return list(session.scalars(select(Followup).where(Followup.incident_id == incident_id)
                                .order_by(Followup.created_at, Followup.id)))
