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
TYPES = ("mitigate", "prevent", "process")  # what an action item does: limit the damage, stop a repeat, fix a habit
PRIORITIES = ("P1", "P2", "P3", "P4")
USAGE = f"{COMMAND} followup <what> [@owner] [due YYYY-MM-DD] [type:mitigate|prevent|process] [P1…P4]"
_DUE = re.compile(r"(?:^|\s)(?:due|by)[: ]\s*(\S+)\s*$", re.IGNORECASE)
_TYPE = re.compile(r"type:(\S*)", re.IGNORECASE)
_PRIORITY = re.compile(r"[pP][1-4]")


@dataclass(frozen=True)
class FollowupRequest:
    """What `/incident followup <text> [<@owner>] [due YYYY-MM-DD] [type:…] [P1…P4]` asks for."""

    text: str
    owner_id: str | None
    due_on: date | None
    action_type: str | None = None
    priority: str | None = None


def parse(text: str, today: date) -> FollowupRequest:
    """Read the options after the text, in any order: an @-mention (the owner; else the first one in the
    text), `due YYYY-MM-DD`, `type:mitigate|prevent|process`, `P1`…`P4`; InvalidInput says what to type."""
    text = " ".join(text.split())
    owner, due_on, action_type, priority = None, None, None, None
    while True:
        last = text.rsplit(" ", 1)[-1]
        found = _DUE.search(text)
        if found and due_on is None:
            due_on, text = _due(found.group(1), today), text[: found.start()].strip()
        elif (typed := _TYPE.fullmatch(last)) and action_type is None:
            action_type, text = _type(typed.group(1)), _drop_last(text)
        elif _PRIORITY.fullmatch(last) and priority is None:
            priority, text = last.upper(), _drop_last(text)
        elif (mention := markup.MENTION.fullmatch(last)) and owner is None:
            owner, text = mention.group(1), _drop_last(text)
        else:
            break
    mentioned = markup.MENTION.findall(text)
    owner = owner or (mentioned[0] if mentioned else None)
    if not text:
        raise InvalidInput(f"Say what should be done: `{COMMAND} followup Add an alert on queue depth @alice "
                           "due 2026-12-31 type:prevent P2`.", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"Keep a follow-up under {MAX_TEXT} characters.", field="text")
    return FollowupRequest(text, owner, due_on, action_type, priority)


def _drop_last(text: str) -> str:
    return text.rsplit(" ", 1)[0].strip() if " " in text else ""


def _due(typed: str, today: date) -> date:
    try:
        due_on = date.fromisoformat(typed)
    except ValueError:
        raise InvalidInput(f"`{typed}` is not a date. Write the due date as YYYY-MM-DD, e.g. "
                           f"`due {today.replace(day=28).isoformat()}`.", field="due") from None
    if due_on < today:
        raise InvalidInput(f"The due date {due_on.isoformat()} is in the past.", field="due")
    return due_on


def _type(typed: str) -> str:
    if typed.lower() not in TYPES:
        raise InvalidInput(f"`type:{typed}` is not a type: write `type:mitigate`, `type:prevent` or "
                           "`type:process`.", field="type")
    return typed.lower()


def add(session: Session, incident: Incident, request: FollowupRequest, by: str, now: datetime,
        source_ts: str | None = None) -> tuple[Followup, FollowupAdded]:
    """Record the follow-up (flushed, so it has its id) and its timeline event."""
    due_on = request.due_on.isoformat() if request.due_on else None
    item = Followup(incident_id=incident.id, text=request.text, owner_id=request.owner_id,
                    due_on=request.due_on, created_by=by, created_at=now, source_ts=source_ts,
                    action_type=request.action_type, priority=request.priority)
    session.add(item)
    session.flush()
    record(session, incident.id, EventKind.FOLLOWUP_ADDED, by=by, now=now, text=f"Follow-up: {request.text}",
           data={"owner": request.owner_id, "due_on": due_on, "type": request.action_type,
                 "priority": request.priority})
    return item, FollowupAdded(request.text, by, request.owner_id, due_on, request.action_type, request.priority)


def for_incident(session: Session, incident_id: int) -> list[Followup]:
    """The incident's follow-ups, oldest first."""
    return list(session.scalars(select(Followup).where(Followup.incident_id == incident_id)
                                .order_by(Followup.created_at, Followup.id)))
