"""Reads of the runbook domain: what applies to an incident, and what was done (for the postmortem)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.config import IncidentConfig
from bot.incidents.models import Incident
from bot.incidents.snapshots import snapshot as incident_snapshot
from bot.runbooks.definitions import Library, Runbook
from bot.runbooks.models import RunbookChecklist
from bot.runbooks.snapshots import ChecklistSnapshot, StepView, snapshot


@dataclass(frozen=True)
class Overview:
    """`/incident runbook`: what applies (and whether it is posted), what else exists, what is broken."""

    applying: list[tuple[Runbook, bool]]
    posted_elsewhere: list[ChecklistSnapshot]   # posted on request although they do not match
    others: list[Runbook]
    problems: int


def overview(session: Session, config: IncidentConfig, incident_id: int, library: Library) -> Overview:
    """The runbooks for the incident as it now stands, with which of them are in its channel."""
    incident = incident_snapshot(session.get_one(Incident, incident_id), config)
    posted = {c.runbook: c for c in checklists(session, incident_id) if c.message_ts}
    applying = library.matching(incident)
    names = {r.name for r in applying}
    return Overview(
        applying=[(r, r.name in posted) for r in applying],
        posted_elsewhere=[c for name, c in sorted(posted.items()) if name not in names],
        others=[r for r in library.runbooks if r.name not in names and r.name not in posted],
        problems=len(library.problems),
    )


def checklists(session: Session, incident_id: int) -> list[ChecklistSnapshot]:
    """Every checklist of the incident, in the order they were posted."""
    rows = session.scalars(select(RunbookChecklist).where(RunbookChecklist.incident_id == incident_id)
                           .options(selectinload(RunbookChecklist.states)).order_by(RunbookChecklist.id))
    return [snapshot(c) for c in rows]


@dataclass(frozen=True)
class StepReport:
    """A runbook step for the postmortem: done or not, and if done by whom and when."""

    number: int
    text: str
    section: str | None
    done: bool
    done_by: str | None
    done_at: datetime | None


@dataclass(frozen=True)
class ChecklistReport:
    """A posted runbook for the postmortem."""

    runbook: str
    title: str
    posted_at: datetime | None
    reason: str
    steps: list[StepReport]

    @property
    def done(self) -> list[StepReport]:
        """The steps ticked when the incident ended."""
        return [s for s in self.steps if s.done]

    @property
    def not_done(self) -> list[StepReport]:
        """The steps nobody ticked (or that were unticked again)."""
        return [s for s in self.steps if not s.done]


def runbook_steps(session: Session, incident_id: int) -> list[ChecklistReport]:
    """Which runbook steps were done in the incident, by whom and when, and which were not.

    Only checklists that reached the channel count; a step unticked again counts as not done.
    """
    rows = session.scalars(select(RunbookChecklist)
                           .where(RunbookChecklist.incident_id == incident_id,
                                  RunbookChecklist.message_ts.is_not(None))
                           .options(selectinload(RunbookChecklist.states))
                           .order_by(RunbookChecklist.posted_at, RunbookChecklist.id))
    return [_report(c) for c in rows]


def _report(checklist: RunbookChecklist) -> ChecklistReport:
    view = snapshot(checklist)
    return ChecklistReport(runbook=view.runbook, title=view.title, posted_at=checklist.posted_at,
                           reason=view.reason, steps=[_step(s) for s in view.steps])


def _step(step: StepView) -> StepReport:
    return StepReport(number=step.index + 1, text=step.text, section=step.section, done=step.done,
                      done_by=step.changed_by if step.done else None,
                      done_at=step.changed_at if step.done else None)
