"""Writes of the timeline. Callers own the transaction; nothing here commits.

Exactly once is the database's job, not the process's: a message is one row by (channel, ts), an edit
one revision by (message, edit ts), inserted with INSERT … ON CONFLICT DO NOTHING, so a retried,
duplicated or concurrently delivered event (on any replica) changes nothing the second time. Every
write is also safe out of order: an edit or a deletion that arrives before the message creates the row
itself, a late original never overwrites it, and nothing brings text back to a deleted message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.config import COMMAND
from bot.errors import InvalidInput
from bot.timeline.events import record
from bot.timeline.kinds import EventKind
from bot.timeline.models import CatchUpClaim, MessageRevision, TimelineEvent, TimelineMessage
from bot.timeline.ports import IncidentChannels
from bot.timeline.values import Capture, Deleted, Edited, KeyMark, Posted, ts_key, ts_time

log = logging.getLogger(__name__)
MAX_NOTE = 3000
KEY = ("channel_id", "ts")


def _insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT in the bound database's dialect, so ON CONFLICT is available on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def apply(session: Session, items: Sequence[Capture], now: datetime, channels: IncidentChannels) -> int:
    """Store captured messages, edits, deletions and key marks, in order; returns how many were for
    incident channels (the rest, from other channels the bot is in, are not kept)."""
    incidents = channels.incident_ids(session, {item.channel_id for item in items})
    posted: list[dict[str, Any]] = []
    kept = 0
    for item in items:
        incident_id = incidents.get(item.channel_id)
        if incident_id is None:
            continue
        kept += 1
        if isinstance(item, Posted):
            posted.append(_row(incident_id, item))
            continue
        _insert_new(session, posted)
        posted = []
        if isinstance(item, Edited):
            _edit(session, incident_id, item)
        elif isinstance(item, Deleted):
            _delete(session, incident_id, item, now)
        else:
            _mark(session, item, now)
    _insert_new(session, posted)
    return kept


def _row(incident_id: int, m: Posted) -> dict[str, Any]:
    return {
        "incident_id": incident_id, "channel_id": m.channel_id, "ts": m.ts,
        "thread_ts": m.thread_ts if m.thread_ts != m.ts else None, "user_id": m.user_id, "text": m.text,
        "files": [f.as_dict() for f in m.files] or None, "links": list(m.links) or None,
        "posted_at": ts_time(m.ts), "edit_ts": m.edit_ts, "edited_at": ts_time(m.edit_ts),
        "deleted_at": None, "deleted_by": None, "is_key": False,
    }


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> None:
    """One batched insert; rows already stored (retries, duplicates, catch-up) are skipped.

    Sorted by key, so concurrent batches on several replicas take index locks in the same order.
    The rows go as executemany parameters to one constant statement, not as `.values(rows)`: a
    multi-VALUES statement has no cache key, so SQLAlchemy compiled it afresh for every batch, holding
    the GIL that the request threads need to answer Slack (the benchmark's storm, BENCHMARKS.md). The
    constant statement is compiled once and cached, and the driver's executemany runs it for every row
    (sqlite3: one prepared statement; psycopg: pipelined, so still one round trip's worth of waiting).
    """
    if not rows:
        return
    unique = {(r["channel_id"], r["ts"]): r for r in reversed(rows)}  # the first sighting of a ts wins
    ordered = [unique[k] for k in sorted(unique, key=lambda k: (k[0], ts_key(k[1])))]
    session.execute(_insert(session, TimelineMessage.__table__).on_conflict_do_nothing(index_elements=KEY), ordered)


def _edit(session: Session, incident_id: int, e: Edited) -> None:
    m = e.message
    inserted = session.scalar(_insert(session, TimelineMessage).values(_row(incident_id, m))
                              .on_conflict_do_nothing(index_elements=KEY).returning(TimelineMessage.id))
    if inserted is not None:  # the edit came before the message itself (or the message predates capture)
        if e.previous_text is not None and e.previous_text != m.text and m.edit_ts:
            _revision(session, inserted, m.edit_ts, e.previous_text)
        return
    # lock the row: a concurrent deletion waits for this edit (or this edit sees the tombstone)
    row = session.scalar(select(TimelineMessage).where(TimelineMessage.channel_id == m.channel_id,
                                                       TimelineMessage.ts == m.ts).with_for_update())
    if row is None or row.deleted_at is not None or not m.edit_ts:
        return
    if row.edit_ts is None or ts_key(row.edit_ts) < ts_key(m.edit_ts):
        previous = e.previous_text if e.previous_text is not None else row.text
        row.text, row.edit_ts, row.edited_at = m.text, m.edit_ts, ts_time(m.edit_ts)
        row.files = [f.as_dict() for f in m.files] or None
        row.links = list(m.links) or None
        if previous is not None and previous != m.text:
            _revision(session, row.id, m.edit_ts, previous)
    elif e.previous_text is not None and ts_key(row.edit_ts) > ts_key(m.edit_ts):
        _revision(session, row.id, m.edit_ts, e.previous_text)  # an older edit, late: history only


def _revision(session: Session, message_id: int, edit_ts: str, text: str) -> None:
    session.execute(_insert(session, MessageRevision).values(
        message_id=message_id, edit_ts=edit_ts, text=text, edited_at=ts_time(edit_ts),
    ).on_conflict_do_nothing(index_elements=("message_id", "edit_ts")))


def _delete(session: Session, incident_id: int, d: Deleted, now: datetime) -> None:
    """Drop the text (files, links and every earlier revision too); keep a tombstone."""
    when = ts_time(d.deleted_ts) or now
    stmt = _insert(session, TimelineMessage).values(
        incident_id=incident_id, channel_id=d.channel_id, ts=d.ts, user_id=d.user_id, text=None,
        posted_at=ts_time(d.ts) or now, deleted_at=when, deleted_by=d.deleted_by, is_key=False)
    stmt = stmt.on_conflict_do_update(index_elements=KEY, set_={
        "text": None, "files": None, "links": None,
        "deleted_at": func.coalesce(TimelineMessage.deleted_at, stmt.excluded.deleted_at),
        "deleted_by": func.coalesce(TimelineMessage.deleted_by, stmt.excluded.deleted_by),
        "user_id": func.coalesce(TimelineMessage.user_id, stmt.excluded.user_id),
    })
    message_id = session.scalar(stmt.returning(TimelineMessage.id))
    session.execute(delete(MessageRevision).where(MessageRevision.message_id == message_id))


def _mark(session: Session, k: KeyMark, now: datetime) -> None:
    """Mark (the first marker and moment are kept) or unmark a captured message."""
    stmt = update(TimelineMessage).where(TimelineMessage.channel_id == k.channel_id, TimelineMessage.ts == k.ts)
    if k.marked:
        stmt = stmt.where(TimelineMessage.is_key.is_(False)).values(
            is_key=True, key_marked_by=k.user_id, key_marked_at=ts_time(k.at_ts) or now)
    else:
        stmt = stmt.values(is_key=False, key_marked_by=None, key_marked_at=None)
    session.execute(stmt)


def mark_key(session: Session, message: Posted, marked_by: str, now: datetime, channels: IncidentChannels) -> bool:
    """Store `message` if it is not yet, and mark it as a key event; False when it is not in an incident."""
    return apply(session, [message, KeyMark(message.channel_id, message.ts, marked_by, True)], now, channels) == 2


def add_note(session: Session, incident_id: int, actor_id: str, text: str, now: datetime) -> TimelineEvent:
    """A key event written by a person (`/incident note …`)."""
    text = text.strip()
    if not text:
        raise InvalidInput(f"Say what to note, e.g. `{COMMAND} note Rolled back deploy 4521`.")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"The note is {len(text)} characters; keep it under {MAX_NOTE}.")
    event = record(session, incident_id, EventKind.NOTE, by=actor_id, now=now, text=text)
    session.flush()
    return event


def claim_catchup(session: Session, channel_id: str, started_at: datetime, now: datetime, until: datetime) -> bool:
    """Claim the start-up read-back of a channel until `until`. False when another replica is reading it,
    or began a complete read after `started_at` (when this replica started): nothing is left for this one.

    A conditional UPDATE: on PostgreSQL a second replica's UPDATE waits for the first's row lock, then
    finds the claim taken; the transaction is the caller's and holds no Slack call."""
    session.execute(_insert(session, CatchUpClaim).values(channel_id=channel_id)
                    .on_conflict_do_nothing(index_elements=("channel_id",)))
    claimed = session.scalar(update(CatchUpClaim).where(
        CatchUpClaim.channel_id == channel_id,
        or_(CatchUpClaim.claimed_until.is_(None), CatchUpClaim.claimed_until <= now),
        or_(CatchUpClaim.read_at.is_(None), CatchUpClaim.read_at < started_at),
    ).values(claimed_until=until).returning(CatchUpClaim.channel_id))
    return claimed is not None


def finish_catchup(session: Session, channel_id: str, read_at: datetime | None) -> None:
    """Release the claim; `read_at` is when the read began if it was complete (None: it failed)."""
    values: dict[str, Any] = {"claimed_until": None}
    if read_at is not None:
        values["read_at"] = read_at
    session.execute(update(CatchUpClaim).where(CatchUpClaim.channel_id == channel_id).values(**values))
