"""Tables of the incident domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime


class Incident(Base):
    """One incident: what happened, how bad, where it is handled, and when each milestone was reached."""

    __tablename__ = "incidents"
    # reporting (bot/reporting) aggregates the incidents declared in a span: the index carries every column its
    # figures read, so a span covering most incidents is read from the index alone, in order, instead of one
    # row lookup per incident; /metrics counts the open ones by status
    __table_args__ = (Index("ix_incidents_declared_at", "declared_at", "is_drill", "status", "severity",
                            "acknowledged_at", "mitigated_at", "resolved_at", "service", "category"),
                      Index("ix_incidents_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32))
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_id: Mapped[str] = mapped_column(String(32))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    announcement_channel_id: Mapped[str | None] = mapped_column(String(32))
    announcement_ts: Mapped[str | None] = mapped_column(String(32))
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_permalink: Mapped[str | None] = mapped_column(Text)
    request_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    setup_state: Mapped[str] = mapped_column(String(16))
    setup_error: Mapped[str | None] = mapped_column(Text)
    # set-up steps done so far (a declaration cut short is resumed from here) and who is doing it until when
    topic_set: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    purpose_set: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    declarer_invited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    card_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(255))  # the lease's holder (bot/incidents/holders.py)
    # news recorded before the announcement existed, still to be told under it (bot/incidents/announcing.py)
    unthreaded_through: Mapped[int | None] = mapped_column(Integer)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest `/incident update`
    summary: Mapped[str | None] = mapped_column(Text)       # how it was resolved (the resolve form)
    impact: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    # the rest of the resolve form: the Summary as written, when customer impact began and ended, how it was
    # detected (bot/incidents/resolving.py DETECTION), what triggered it, users and tickets affected
    overview: Mapped[str | None] = mapped_column(Text)
    impact_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    impact_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detection: Mapped[str | None] = mapped_column(String(32))
    trigger: Mapped[str | None] = mapped_column(Text)
    users_affected: Mapped[int | None] = mapped_column(Integer)
    tickets: Mapped[int | None] = mapped_column(Integer)
    postmortem_permalink: Mapped[str | None] = mapped_column(Text)  # the uploaded postmortem file
    update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # next update due (bot/incidents/timers.py)
    sla_breaches: Mapped[str | None] = mapped_column(String(64))  # SLA targets missed: "acknowledge,resolve"

    assignments: Mapped[list[RoleAssignment]] = relationship(
        order_by="RoleAssignment.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Incident #{self.number} {self.severity} {self.status} {self.title[:40]!r}>"


class IncidentCounter(Base):
    """The next incident number. A declaration locks this row (`SELECT … FOR UPDATE`) in the transaction
    that records the incident, so simultaneous declarations (threads, replicas) take numbers one after the
    other; a declaration rolled back takes its number back with it."""

    __tablename__ = "incident_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)  # one row: "incidents"
    next_number: Mapped[int] = mapped_column(Integer)


class RoleAssignment(Base):
    """Who holds (or held) a role in an incident. A hand-over ends one row (`relieved_at`) and starts another."""

    __tablename__ = "role_assignments"
    __table_args__ = (Index("ix_role_assignments_incident_id_role", "incident_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_by: Mapped[str | None] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    relieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    relieved_by: Mapped[str | None] = mapped_column(String(32))
