"""Who is setting up a declaration, until when: a lease on the incident row, so that exactly one process
(the one declaring, or after a crash whichever replica gets there first) carries its set-up on.

Writes only; callers own the transaction. On PostgreSQL a claim locks the row (FOR UPDATE SKIP LOCKED),
so two replicas never claim the same incident; SQLite has one process and ignores the lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from bot.incidents.enums import SetupState
from bot.incidents.models import Incident


def _unclaimed(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Incident.setup_state == SetupState.OPENING,
            or_(Incident.claimed_until.is_(None), Incident.claimed_until < now))


def hold(session: Session, incident_id: int, until: datetime) -> None:
    """Take the lease on an incident this process has just recorded."""
    session.get_one(Incident, incident_id).claimed_until = until


def claim_next(session: Session, now: datetime, until: datetime) -> int | None:
    """Claim one incident still opening whose lease has run out; returns its id, or None."""
    incident_id = session.scalar(select(Incident.id).where(*_unclaimed(now)).order_by(Incident.id).limit(1)
                                 .with_for_update(skip_locked=True))
    if incident_id is not None:
        session.get_one(Incident, incident_id).claimed_until = until
    return incident_id


def renew(session: Session, incident_id: int, until: datetime) -> None:
    """Keep the lease while the work goes on (only while the incident is still opening)."""
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.setup_state == SetupState.OPENING)
                    .values(claimed_until=until))


def release(session: Session, incident_id: int) -> None:
    """Give the lease up: whoever looks next may carry the set-up on at once."""
    session.execute(update(Incident).where(Incident.id == incident_id).values(claimed_until=None))


def next_expiry(session: Session) -> datetime | None:
    """When the soonest lease on an incident still opening runs out (None: nothing is opening)."""
    return session.scalar(select(func.min(Incident.claimed_until))
                          .where(Incident.setup_state == SetupState.OPENING))
