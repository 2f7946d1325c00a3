"""Tables of the timeline: the bot's own events, captured channel messages and their edit history.

The timeline knows incidents only by id (a foreign key): it sits below the incident domain, which records
its key events here (`bot.timeline.events.record`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class TimelineMessage(Base):
    """One human message in an incident channel, stored once (unique channel + ts).

    `text` is the newest text (`edit_ts` names the edit it came from, so an older edit arriving late
    never replaces it). A deleted message is a tombstone: text, files, links and revisions are gone,
    `deleted_at`/`deleted_by` stay.
    """

    __tablename__ = "timeline_messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts"),
        Index("ix_timeline_messages_incident_id_ts", "incident_id", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    files: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    links: Mapped[list[str] | None] = mapped_column(JSON)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edit_ts: Mapped[str | None] = mapped_column(String(32))  # Slack ts of the newest edit applied
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(32))
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    key_marked_by: Mapped[str | None] = mapped_column(String(32))
    key_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MessageRevision(Base):
    """An earlier text of an edited message; one row per edit (unique message + edit ts)."""

    __tablename__ = "message_revisions"
    __table_args__ = (UniqueConstraint("message_id", "edit_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("timeline_messages.id", ondelete="CASCADE"))
    edit_ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TimelineEvent(Base):
    """Something that happened during an incident, recorded by the bot itself (see `events.record`)."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_incident_id_occurred_at", "incident_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    is_key: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CatchUpClaim(Base):
    """Start-up catch-up of one channel, coordinated across replicas (one row per channel read back).

    `claimed_until` is the lease of the replica reading it now; `read_at` is when the last complete
    read began, so a replica that started before it knows there is nothing left for it to read.
    """

    __tablename__ = "timeline_catchups"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
