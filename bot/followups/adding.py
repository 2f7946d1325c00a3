"""Adding a follow-up: a change to the incident like any other, on the steering path (lock, record, commit,
then said in the channel and shown on the cards); its owner's nudge is planned with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.followups import nudging, service
from bot.incidents import steering
from bot.incidents.models import Incident
from bot.incidents.news import FollowupAdded
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot


def add_followup(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews,
                 incident: IncidentSnapshot, user_id: str, request: service.FollowupRequest,
                 now: Callable[[], datetime], *,
                 source_ts: str | None = None) -> IncidentSnapshot:
    """Record the follow-up (from a command, or a message when `source_ts` names it) and tell the channel."""
    def change(s: Session, row: Incident) -> list[FollowupAdded]:
        item, added = service.add(s, row, request, user_id, now(), source_ts=source_ts)
        nudging.plan_nudge(s, config, item)
        return [added]
    return steering.steer(sessions, config, news, incident, user_id, None, change)
