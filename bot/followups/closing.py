"""Closing a follow-up (done, or won't do): a change to its incident on the steering path, so it is
recorded with who and when, put on the timeline, said in the channel, and its nudge is cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import COMMAND, IncidentConfig
from bot.errors import DomainError, InvalidInput
from bot.followups import nudging, service
from bot.followups.models import Followup
from bot.incidents import steering
from bot.incidents.models import Incident
from bot.incidents.news import FollowupClosed, News
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot
from bot.scheduling import queue
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

DONE, WONT_DO = "done", "wont_do"
OUTCOMES = (DONE, WONT_DO)


def said(outcome: str | None) -> str:
    """How an outcome reads: `done`, `won't do`."""
    return "won't do" if outcome == WONT_DO else "done"


def close(session: Session, incident: Incident, followup_id: int, outcome: str, by: str,
          now: datetime) -> FollowupClosed:
    """Record the outcome of an open follow-up of `incident` (under its row lock)."""
    item = session.get(Followup, followup_id)
    if item is None or item.incident_id != incident.id:
        raise InvalidInput(f"That follow-up does not exist. See them with `{COMMAND} followups`.")
    n = [f.id for f in service.for_incident(session, incident.id)].index(item.id) + 1
    if item.done_at is not None:
        raise DomainError(f"Follow-up {n} was already closed as {said(item.outcome)} by <@{item.done_by}>.")
    item.done_at, item.done_by, item.outcome = now, by, outcome
    queue.cancel(session, nudging.nudge_key(item.id))
    record(session, incident.id, EventKind.FOLLOWUP_CLOSED, by=by, now=now, key=False,
           text=f"Follow-up {n} closed ({said(outcome)}): {item.text}",
           data={"followup": item.id, "n": n, "outcome": outcome})
    return FollowupClosed(item.text, by, outcome, n)


def close_followup(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews,
                   incident: IncidentSnapshot, user_id: str, followup_id: int, outcome: str,
                   now: Callable[[], datetime], *,
                   committed: Callable[[list[News]], None] | None = None) -> IncidentSnapshot:
    """Close the follow-up and tell the channel; `committed` hears it right after the commit."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"A follow-up is closed as done or won't do, not {outcome!r}.")
    return steering.steer(sessions, config, news, incident, user_id, None,
                          lambda s, row: [close(s, row, followup_id, outcome, user_id, now())], committed=committed)


def numbered(session: Session, incident_id: int, n: int) -> Followup:
    """The incident's follow-up number `n` (as `/incident followups` lists them)."""
    items = service.for_incident(session, incident_id)
    if not 1 <= n <= len(items):
        have = f"1 to {len(items)}" if items else "none yet"
        raise InvalidInput(f"There is no follow-up {n} here ({have}). See them with `{COMMAND} followups`.")
    return items[n - 1]
