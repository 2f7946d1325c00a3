"""The public updates table: what the status page may show of an incident, and nothing else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class PublicUpdate(Base):
    """A status update published on the status page (`/incident update --public`, or the form's checkbox).

    The same update is a key event on the timeline (`update_posted`, data `public: true`); this row is the
    page's own copy, so the page reads one narrow indexed table instead of every timeline event."""

    __tablename__ = "public_updates"
    __table_args__ = (Index("ix_public_updates_incident_id_posted_at", "incident_id", "posted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    posted_by: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
