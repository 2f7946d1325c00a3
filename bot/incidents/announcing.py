"""The announcement catching up with what happened while it was on its way.

Posts to the announcement channel are paced, so an announcement may land seconds after its declaration;
meanwhile people change the incident and post updates, and those changes have no announcement to reply
under (steering only threads under an announcement it sees recorded). When the announcement is recorded
(under the incident's row lock, so each change is either before it and owed, or after it and steering's
to thread) the ids of the announced events already on the timeline are owed (`unthreaded_through`);
once they are threaded under it, and its card refreshed if the incident moved, the debt is cleared.
The truth is in the database, so it holds whichever replica took the change, and a set-up resumed after
a crash pays what is still owed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import DECLINED, IncidentConfig
from bot.incidents.lifecycle import CLOSED, RESOLVED
from bot.incidents.models import Incident
from bot.incidents.news import LevelChange, News, Resolution, StatusChange, StatusUpdate
from bot.incidents.snapshots import IncidentSnapshot
from bot.timeline.kinds import EventKind
from bot.timeline.models import TimelineEvent

TOLD = (EventKind.UPDATE_POSTED, EventKind.STATUS_CHANGED, EventKind.SEVERITY_CHANGED, EventKind.RESOLVED)


def owed_through(session: Session, incident_id: int) -> int | None:
    """The id of the newest event that may need telling under the announcement (None: none so far)."""
    return session.scalar(select(func.max(TimelineEvent.id)).where(TimelineEvent.incident_id == incident_id,
                                                                   TimelineEvent.kind.in_(TOLD)))


def owed_news(session: Session, config: IncidentConfig, incident: Incident) -> list[News]:
    """What steering would have told under the announcement for the events up to `unthreaded_through`."""
    if incident.unthreaded_through is None:
        return []
    events = session.scalars(select(TimelineEvent).where(
        TimelineEvent.incident_id == incident.id, TimelineEvent.kind.in_(TOLD),
        TimelineEvent.id <= incident.unthreaded_through).order_by(TimelineEvent.id))
    news = [_news(config, e) for e in events]
    return [n for n in news if n is not None and n.announced]


def _news(config: IncidentConfig, event: TimelineEvent) -> News | None:
    data: dict[str, Any] = event.data or {}
    by = event.actor_id or ""
    if event.kind == EventKind.UPDATE_POSTED:
        return StatusUpdate(event.text, by, event.occurred_at, str(data.get("severity", "")),
                            str(data.get("status", "")))
    if event.kind == EventKind.STATUS_CHANGED:
        return StatusChange(str(data.get("from")), str(data.get("to")), by, reopened=bool(data.get("reopened")),
                            milestone=data.get("to") in (RESOLVED, CLOSED, DECLINED.name))
    if event.kind == EventKind.SEVERITY_CHANGED:
        old, new = data.get("from"), str(data.get("to"))
        return LevelChange("severity", old, new, by, data.get("reason"),
                           crossed_major=_major(config, old) != _major(config, new), now_major=_major(config, new))
    if event.kind == EventKind.RESOLVED:
        return Resolution(event.text.removeprefix("Resolved: "), by, data.get("impact"), data.get("root_cause"))
    return None


def _major(config: IncidentConfig, name: str | None) -> bool:
    try:
        return bool(name) and config.severity(name or "").major
    except KeyError:
        return False


def moved(posted: IncidentSnapshot, now: IncidentSnapshot) -> bool:
    """Whether a card rendered from `posted` no longer shows the incident as it stands (`now`)."""
    def shown(s: IncidentSnapshot) -> IncidentSnapshot:
        return replace(s, card_ts=None, announcement_channel_id=None, announcement_ts=None, setup_state="")
    return shown(posted) != shown(now)
