"""Tables of the runbook domain: a checklist posted for an incident, and the state of its steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime


class RunbookChecklist(Base):
    """A runbook posted (or being posted) in an incident's channel; at most one per runbook and incident.

    The steps are copied from the file when the checklist is claimed, so a later edit of the file does
    not change what responders saw and ticked. `message_ts` is empty while the post is under way.
    `version` grows with every tick, so a stale rendering can tell it is stale.
    """

    __tablename__ = "runbook_checklists"
    __table_args__ = (UniqueConstraint("incident_id", "runbook"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    runbook: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)

    states: Mapped[list[RunbookStepState]] = relationship(
        back_populates="checklist", order_by="RunbookStepState.step", cascade="all, delete-orphan"
    )


class RunbookStepState(Base):
    """Whether a step is ticked, and who last changed it when (one row per step, created on first tick)."""

    __tablename__ = "runbook_step_states"
    __table_args__ = (UniqueConstraint("checklist_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("runbook_checklists.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    checklist: Mapped[RunbookChecklist] = relationship(back_populates="states")
