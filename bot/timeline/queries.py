"""Reads of the timeline: key events, the full log, what catch-up needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.timeline.models import MessageRevision, TimelineEvent, TimelineMessage
from bot.timeline.values import ts_key

MESSAGE = "message"


@dataclass(frozen=True)
class Entry:
    """One line of a timeline: a system event or note (`kind` is its EventKind), or a person's message
    (`kind` is "message"). A deleted message keeps `deleted_at` and `deleted_by`, never its text."""

    at: datetime
    kind: str
    actor_id: str | None
    text: str | None
    is_key: bool
    ts: str | None = None
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    revisions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        """Whether this is a deleted message's tombstone."""
        return self.deleted_at is not None


def _event_entry(e: TimelineEvent) -> Entry:
    return Entry(at=e.occurred_at, kind=e.kind, actor_id=e.actor_id, text=e.text, is_key=e.is_key)


def _message_entry(m: TimelineMessage, revisions: list[dict[str, Any]] | None = None) -> Entry:
    return Entry(at=m.posted_at, kind=MESSAGE, actor_id=m.user_id, text=m.text, is_key=m.is_key, ts=m.ts,
                 thread_ts=m.thread_ts, files=list(m.files or []), links=list(m.links or []),
                 edited_at=m.edited_at, deleted_at=m.deleted_at, deleted_by=m.deleted_by,
                 revisions=revisions or [])


def key_events(session: Session, incident_id: int) -> list[Entry]:
    """System events, notes and marked messages (deleted ones left out), oldest first."""
    events = session.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                                         TimelineEvent.is_key.is_(True)))
    messages = session.scalars(select(TimelineMessage).where(
        TimelineMessage.incident_id == incident_id, TimelineMessage.is_key.is_(True),
        TimelineMessage.deleted_at.is_(None)))
    return _ordered([_event_entry(e) for e in events] + [_message_entry(m) for m in messages])


def full_timeline(session: Session, incident_id: int) -> list[Entry]:
    """Everything: system events, notes, every captured message with its edit history, tombstones."""
    events = session.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident_id))
    messages = list(session.scalars(select(TimelineMessage).where(TimelineMessage.incident_id == incident_id)))
    history: dict[int, list[dict[str, Any]]] = {}
    revisions = session.scalars(
        select(MessageRevision).join(TimelineMessage, MessageRevision.message_id == TimelineMessage.id)
        .where(TimelineMessage.incident_id == incident_id).order_by(MessageRevision.edited_at))
    for r in revisions:
        history.setdefault(r.message_id, []).append({"edit_ts": r.edit_ts, "edited_at": r.edited_at,
                                                     "text": r.text})
    return _ordered([_event_entry(e) for e in events] + [_message_entry(m, history.get(m.id)) for m in messages])


def _ordered(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.at, e.ts or ""))


def last_captured_ts(session: Session, channel_id: str) -> str | None:
    """The newest message ts captured in the channel: catch-up reads threads active after it."""
    rows = session.scalars(select(TimelineMessage.ts).where(TimelineMessage.channel_id == channel_id)
                           .order_by(TimelineMessage.posted_at.desc(), TimelineMessage.ts.desc()).limit(1))
    return rows.first()


def live_threads(session: Session, channel_id: str, active_since: datetime) -> list[str]:
    """The threads of the channel with a reply captured at or after `active_since`: their parents' ts."""
    parents = session.scalars(select(TimelineMessage.thread_ts).distinct().where(
        TimelineMessage.channel_id == channel_id, TimelineMessage.thread_ts.is_not(None),
        TimelineMessage.posted_at >= active_since))
    return sorted((p for p in parents if p), key=ts_key)
