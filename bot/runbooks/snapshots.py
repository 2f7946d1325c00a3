"""Read-only snapshots of checklists handed to the chat adapter (rendered from the database, never from a click)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.runbooks.models import RunbookChecklist


@dataclass(frozen=True)
class StepView:
    """One step as it stands: ticked or not, by whom and when."""

    index: int
    text: str
    section: str | None
    done: bool
    changed_by: str | None
    changed_at: datetime | None


@dataclass(frozen=True)
class ChecklistSnapshot:
    """A posted runbook with the state of each step; `version` orders renderings."""

    id: int
    incident_id: int
    runbook: str
    title: str
    summary: str
    reason: str
    steps: tuple[StepView, ...]
    version: int
    channel_id: str | None
    message_ts: str | None

    @property
    def done_count(self) -> int:
        """How many steps are ticked."""
        return sum(1 for s in self.steps if s.done)


def snapshot(checklist: RunbookChecklist) -> ChecklistSnapshot:
    """Freeze `checklist` and its step states for use outside the session."""
    states = {s.step: s for s in checklist.states}
    steps = []
    for index, step in enumerate(checklist.steps):
        state = states.get(index)
        steps.append(StepView(
            index=index, text=str(step.get("text", "")), section=step.get("section"),
            done=bool(state and state.done), changed_by=state.changed_by if state else None,
            changed_at=state.changed_at if state else None,
        ))
    return ChecklistSnapshot(
        id=checklist.id, incident_id=checklist.incident_id, runbook=checklist.runbook, title=checklist.title,
        summary=checklist.summary, reason=checklist.reason, steps=tuple(steps), version=checklist.version,
        channel_id=checklist.channel_id, message_ts=checklist.message_ts,
    )
