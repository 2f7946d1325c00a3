"""The follow-up table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class Followup(Base):
    """An action item with an optional owner and due date."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source_ts: Mapped[str | None] = mapped_column(String(32))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(32))      # who marked it done or won't do
    outcome: Mapped[str | None] = mapped_column(String(16))      # "done" | "wont_do" once closed
    action_type: Mapped[str | None] = mapped_column(String(16))  # "mitigate" | "prevent" | "process"
    priority: Mapped[str | None] = mapped_column(String(8))      # "P1" … "P4"
