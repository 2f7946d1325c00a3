"""Tables of alert intake: groups (one triage message each) and alerts (one row per firing of a fingerprint).

Exactly once is the database's: one *current* group per (source, key) and one *open* alert per (source,
fingerprint), held by unique constraints whose flag column is True or NULL (NULLs never clash), written
with INSERT … ON CONFLICT DO NOTHING, so a retried webhook or two replicas at once store nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class AlertGroup(Base):
    """Alerts of one source with the same group key within the group window: one triage message.

    `version` grows with every change; `told_version` is the version the triage message shows, so a
    message still to be posted or edited is found in the database (after a restart too), and
    `claimed_until` lets one process at a time tell it: a claim still set when the next teller takes it was
    never given back (its holder died mid-tell), so a post it may have made is looked for first."""

    __tablename__ = "alert_groups"
    __table_args__ = (
        UniqueConstraint("source", "group_key", "current"),
        Index("ix_alert_groups_pending", "told_version", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    group_key: Mapped[str] = mapped_column(String(255))
    current: Mapped[bool | None] = mapped_column(Boolean)  # True for the group new alerts join; else NULL
    state: Mapped[str] = mapped_column(String(16))          # firing, acknowledged, dismissed, resolved
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(32))  # the alert's own severity (critical, warning …)
    service: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    firing_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by: Mapped[str | None] = mapped_column(String(32))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    declare_severity: Mapped[str | None] = mapped_column(String(32))  # an auto_declare rule matched: declare so
    notice_owed: Mapped[bool] = mapped_column(Boolean, default=False)   # fired again: say so under the message
    version: Mapped[int] = mapped_column(Integer, default=1)
    told_version: Mapped[int] = mapped_column(Integer, default=0)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # NULL once given back
    claimed_by: Mapped[str | None] = mapped_column(String(255))  # the teller (bot/incidents/holders.py)


class Alert(Base):
    """One firing of a fingerprint, from its start until it resolves; a repeat while it is open is the same row."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("source", "fingerprint", "open"),
        Index("ix_alerts_fingerprint_starts_at", "fingerprint", "starts_at"),
        Index("ix_alerts_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(255))
    open: Mapped[bool | None] = mapped_column(Boolean)  # True while firing; NULL once resolved
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(32))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
