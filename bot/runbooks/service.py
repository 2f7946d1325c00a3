"""Writes of the runbook domain. Callers own the transaction; nothing here commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import COMMAND
from bot.errors import InvalidInput, NotFound
from bot.runbooks.definitions import Runbook
from bot.runbooks.models import RunbookChecklist, RunbookStepState
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

# A claim whose post never finished (the process died mid-way) may be taken over after this long.
STALE_CLAIM = timedelta(minutes=2)


def claim(session: Session, incident_id: int, runbook: Runbook, *, reason: str, requested_by: str | None,
          now: datetime) -> RunbookChecklist | None:
    """Reserve `runbook` for posting in the incident; None when it is posted (or being posted) already.

    The unique (incident, runbook) constraint decides between concurrent callers, replicas included.
    """
    existing = _existing(session, incident_id, runbook.name)
    if existing is not None:
        return _take_over_if_stale(existing, reason, requested_by, now)
    checklist = RunbookChecklist(
        incident_id=incident_id, runbook=runbook.name, title=runbook.title, summary=runbook.summary,
        steps=[{"text": s.text, "section": s.section} for s in runbook.steps], reason=reason,
        requested_by=requested_by, claimed_at=now, version=0,
    )
    try:
        with session.begin_nested():
            session.add(checklist)
            session.flush()
    except IntegrityError:
        return None  # a concurrent caller claimed it first
    return checklist


def _existing(session: Session, incident_id: int, name: str) -> RunbookChecklist | None:
    return session.scalar(select(RunbookChecklist)
                          .where(RunbookChecklist.incident_id == incident_id, RunbookChecklist.runbook == name)
                          .with_for_update())


def _take_over_if_stale(existing: RunbookChecklist, reason: str, requested_by: str | None,
                        now: datetime) -> RunbookChecklist | None:
    if existing.message_ts is not None or now - existing.claimed_at < STALE_CLAIM:
        return None
    existing.claimed_at, existing.reason, existing.requested_by = now, reason, requested_by
    return existing


def posted(session: Session, incident_id: int, name: str) -> RunbookChecklist | None:
    """The checklist of runbook `name` in the incident, posted or being posted."""
    return session.scalar(select(RunbookChecklist).where(RunbookChecklist.incident_id == incident_id,
                                                         RunbookChecklist.runbook == name))


def record_posted(session: Session, checklist_id: int, channel_id: str, message_ts: str, now: datetime) -> None:
    """The checklist is on screen: remember its message and say so on the timeline."""
    checklist = session.get_one(RunbookChecklist, checklist_id)
    checklist.channel_id, checklist.message_ts, checklist.posted_at = channel_id, message_ts, now
    why = f" ({checklist.reason})" if checklist.reason else ""
    record(session, checklist.incident_id, EventKind.RUNBOOK_POSTED, by=checklist.requested_by, now=now,
           text=f"Runbook posted: {checklist.title}{why}", key=False,
           data={"checklist_id": checklist.id, "runbook": checklist.runbook})


def release(session: Session, checklist_id: int) -> None:
    """Give up a claim whose post failed, so the runbook can be posted later."""
    checklist = session.get(RunbookChecklist, checklist_id)
    if checklist is not None and checklist.message_ts is None:
        session.delete(checklist)


def set_step(session: Session, checklist_id: int, step: int, done: bool, *, user_id: str, channel_id: str,
             now: datetime) -> bool:
    """Tick (or untick) a step; returns False when it already was so (nothing recorded).

    The checklist row is locked first, so ticks from several people or replicas are applied one at a
    time; the timeline gets one entry per real change.
    """
    checklist = session.get(RunbookChecklist, checklist_id, with_for_update=True)
    if checklist is None or checklist.channel_id != channel_id:
        raise NotFound("This checklist is not one the bot knows in this channel. Post the runbook again "
                       f"with `{COMMAND} runbook <name>`.")
    if not 0 <= step < len(checklist.steps):
        raise InvalidInput(f"This checklist has no step {step + 1}.")
    state = session.scalar(select(RunbookStepState).where(RunbookStepState.checklist_id == checklist_id,
                                                          RunbookStepState.step == step))
    if state is not None and state.done == done:
        return False
    if state is None:
        if not done:
            return False
        state = RunbookStepState(checklist_id=checklist_id, step=step, done=done, changed_by=user_id,
                                 changed_at=now)
        session.add(state)
    else:
        state.done, state.changed_by, state.changed_at = done, user_id, now
    checklist.version += 1
    text = str(checklist.steps[step].get("text", ""))
    verb = "done" if done else "undone"
    record(session, checklist.incident_id, EventKind.RUNBOOK_STEP_DONE if done else EventKind.RUNBOOK_STEP_UNDONE,
           by=user_id, now=now, text=f"Runbook step {verb}: {checklist.title} · {step + 1}. {text}", key=False,
           data={"checklist_id": checklist.id, "runbook": checklist.runbook, "step": step, "done": done})
    return True
