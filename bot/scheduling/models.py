"""The table of due work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class JobState:
    """Where a scheduled job stands."""

    PENDING = "pending"      # waiting for its due time (or claimed and being done)
    DONE = "done"            # done; a once-only job is never planned again
    CANCELLED = "cancelled"  # no longer wanted (resolved, commander found, …); may be planned again
    FAILED = "failed"        # given up after MAX_ATTEMPTS


class ScheduledJob(Base):
    """One piece of due work. `key` names it (`reminder:12`, `escalation:12`): one row per key, whose
    `due_at` moves when the work is planned again. A process claims a due row for `claimed_until`
    (`claimed_by` names it); a claim that runs out is taken by the next process that looks."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_state_due_at", "state", "due_at"),
                      Index("ix_scheduled_jobs_incident_id", "incident_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None] = mapped_column(Integer)  # e.g. the follow-up a nudge is about
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims since it was last planned
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
