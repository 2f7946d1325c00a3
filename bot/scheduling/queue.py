"""Planning, cancelling, claiming and finishing due work. Callers own the transaction.

A claim is a lease: `claim_due` takes due rows nobody holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two replicas never take the same row; SQLite has one writer) and stamps them with the holder and an
expiry; `finish` only counts when the row is still the holder's (planning again or cancelling takes the
claim away). A holder that dies leaves a claim that runs out, and the next process to look takes it,
with `attempts` telling it that someone may have begun the work: it looks before acting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.scheduling.models import JobState, ScheduledJob


@dataclass(frozen=True)
class Job:
    """A claimed job, detached from the session."""

    id: int
    key: str
    kind: str
    incident_id: int | None
    subject_id: int | None
    due_at: datetime
    attempts: int  # 1 on the first claim; more means an earlier claim ran out (or failed): look first


def _insert(session: Session) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(ScheduledJob)


def plan(session: Session, key: str, kind: str, due_at: datetime, *, incident_id: int | None = None,
         subject_id: int | None = None, once: bool = False) -> None:
    """Make `key` due at `due_at` (taking any claim away). A `once` job already done stays done."""
    row = session.scalar(select(ScheduledJob).where(ScheduledJob.key == key).with_for_update())
    if row is None:
        session.execute(_insert(session).values(
            key=key, kind=kind, incident_id=incident_id, subject_id=subject_id, due_at=due_at,
            state=JobState.PENDING, attempts=0).on_conflict_do_nothing(index_elements=["key"]))
        return
    if (once and row.state == JobState.DONE) or (row.state == JobState.PENDING and row.due_at == due_at):
        return  # done for good, or planned as it is: a claim on it stands
    row.due_at, row.state, row.attempts = due_at, JobState.PENDING, 0
    row.claimed_by = row.claimed_until = None


def plan_if_absent(session: Session, key: str, kind: str, due_at: datetime) -> None:
    """Plan `key` unless a row for it exists (several replicas starting at once plan it once)."""
    session.execute(_insert(session).values(key=key, kind=kind, due_at=due_at, state=JobState.PENDING, attempts=0)
                    .on_conflict_do_nothing(index_elements=["key"]))


def cancel(session: Session, *keys: str) -> None:
    """No longer do these (pending) jobs; a claim on them no longer counts."""
    session.execute(update(ScheduledJob).where(ScheduledJob.key.in_(keys), ScheduledJob.state == JobState.PENDING)
                    .values(state=JobState.CANCELLED, claimed_by=None, claimed_until=None))


def pending(session: Session, key: str) -> ScheduledJob | None:
    """The job `key` if it is still to be done."""
    return session.scalar(select(ScheduledJob).where(ScheduledJob.key == key, ScheduledJob.state == JobState.PENDING))


def state_of(session: Session, key: str) -> str | None:
    """The state of `key` (None: never planned)."""
    return session.scalar(select(ScheduledJob.state).where(ScheduledJob.key == key))


def claim_due(session: Session, now: datetime, until: datetime, holder: str, limit: int) -> list[Job]:
    """Claim up to `limit` due jobs that nobody holds, soonest first."""
    rows = list(session.scalars(
        select(ScheduledJob).where(ScheduledJob.state == JobState.PENDING, ScheduledJob.due_at <= now,
                                   or_(ScheduledJob.claimed_until.is_(None), ScheduledJob.claimed_until < now))
        .order_by(ScheduledJob.due_at, ScheduledJob.id).limit(limit).with_for_update(skip_locked=True)))
    for row in rows:
        row.claimed_by, row.claimed_until, row.attempts = holder, until, (row.attempts or 0) + 1
    return [Job(r.id, r.key, r.kind, r.incident_id, r.subject_id, r.due_at, r.attempts) for r in rows]


def holds(session: Session, job: Job, holder: str) -> bool:
    """Whether `holder` still holds the claim on `job` as it was claimed (not planned again, not cancelled).
    Locks the row, so a change planning it again waits until the caller's transaction ends."""
    return session.scalar(select(ScheduledJob.id).where(
        ScheduledJob.id == job.id, ScheduledJob.claimed_by == holder, ScheduledJob.state == JobState.PENDING,
        ScheduledJob.due_at == job.due_at).with_for_update()) is not None


def finish(session: Session, job: Job, holder: str, now: datetime, *, next_due: datetime | None = None) -> bool:
    """Mark the holder's job done (or due again at `next_due`, for recurring work); False when the claim
    was lost meanwhile (planned again, cancelled, or run out and taken): then nothing is to be recorded."""
    if not holds(session, job, holder):
        return False
    values: dict[str, Any] = ({"due_at": next_due, "attempts": 0} if next_due is not None
                              else {"state": JobState.DONE, "done_at": now})
    session.execute(update(ScheduledJob).where(ScheduledJob.id == job.id)
                    .values(claimed_by=None, claimed_until=None, **values))
    return True


def give_back(session: Session, job: Job, holder: str, retry_at: datetime, *, give_up: bool = False) -> None:
    """The work failed: try again at `retry_at` (or never, when `give_up`)."""
    values: dict[str, Any] = {"state": JobState.FAILED} if give_up else {"due_at": retry_at}
    session.execute(update(ScheduledJob).where(ScheduledJob.id == job.id, ScheduledJob.claimed_by == holder)
                    .values(claimed_by=None, claimed_until=None, **values))


def next_due(session: Session) -> datetime | None:
    """When the soonest pending job falls due (or its claim runs out)."""
    due = session.scalar(select(func.min(ScheduledJob.due_at)).where(
        ScheduledJob.state == JobState.PENDING, ScheduledJob.claimed_until.is_(None)))
    lease = session.scalar(select(func.min(ScheduledJob.claimed_until)).where(
        ScheduledJob.state == JobState.PENDING))
    return min((t for t in (due, lease) if t is not None), default=None)
