"""Who is setting up a declaration, until when: a lease on the incident row, so that exactly one process
(the one declaring, or after a crash whichever replica gets there first) carries its set-up on.

The lease names its holder (bot/incidents/holders.py), so a lease whose holder is known to be gone (a
process on this host that was killed) is taken over at once instead of waited out; only the holder renews
or releases its own lease.

Writes only; callers own the transaction. On PostgreSQL a claim locks the row (FOR UPDATE SKIP LOCKED),
so two replicas never claim the same incident; SQLite has one process and ignores the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from bot.incidents.enums import SetupState
from bot.incidents.models import Incident


def _unclaimed(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (Incident.setup_state == SetupState.OPENING,
            or_(Incident.claimed_until.is_(None), Incident.claimed_until < now))


def hold(session: Session, incident_id: int, until: datetime, holder: str) -> None:
    """Take the lease on an incident this process has just recorded."""
    incident = session.get_one(Incident, incident_id)
    incident.claimed_until, incident.claimed_by = until, holder


def claim_next(session: Session, now: datetime, until: datetime, holder: str) -> int | None:
    """Claim one incident still opening whose lease has run out; returns its id, or None."""
    incident_id = session.scalar(select(Incident.id).where(*_unclaimed(now)).order_by(Incident.id).limit(1)
                                 .with_for_update(skip_locked=True))
    if incident_id is not None:
        hold(session, incident_id, until, holder)
    return incident_id


def free_orphans(session: Session, now: datetime, gone: Callable[[str], bool]) -> list[int]:
    """End the live leases whose holder is `gone` (a dead process on this host), so they can be claimed at
    once; returns the incident ids. A lease claimed or renewed meanwhile by someone else is left alone."""
    held = session.execute(select(Incident.id, Incident.claimed_by).where(
        Incident.setup_state == SetupState.OPENING, Incident.claimed_until >= now,
        Incident.claimed_by.is_not(None))).all()
    freed = []
    for incident_id, holder in held:
        if holder is not None and gone(holder):
            done = session.execute(update(Incident).where(Incident.id == incident_id, Incident.claimed_by == holder)
                                   .values(claimed_until=None, claimed_by=None))
            if getattr(done, "rowcount", 0):
                freed.append(incident_id)
    return freed


def renew(session: Session, incident_id: int, until: datetime, holder: str) -> None:
    """Keep the lease while the work goes on (only while the incident is still opening and it is ours)."""
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.setup_state == SetupState.OPENING,
                                           Incident.claimed_by == holder).values(claimed_until=until))


def release(session: Session, incident_id: int, holder: str) -> None:
    """Give our lease up: whoever looks next may carry the set-up on at once."""
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.claimed_by == holder)
                    .values(claimed_until=None, claimed_by=None))


def next_expiry(session: Session) -> datetime | None:
    """When the soonest lease on an incident still opening runs out (None: nothing is opening)."""
    return session.scalar(select(func.min(Incident.claimed_until))
                          .where(Incident.setup_state == SetupState.OPENING))
