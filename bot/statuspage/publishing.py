"""Publishing an update on the status page: a status update like any other, on the steering path (lock,
record, commit, then told in the channel and under the announcement), that the page may also show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import DomainError
from bot.incidents import steering, updates
from bot.incidents.models import Incident
from bot.incidents.news import News
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot, snapshot
from bot.statuspage.models import PublicUpdate


def check_publishable(incident: IncidentSnapshot) -> None:
    """Refuse (DomainError) to publish what the status page never shows: private incidents and drills."""
    if incident.is_private:
        raise DomainError(f"{incident.label} is private: nothing about it goes on the status page. "
                          "Post the update without `--public`.")
    if incident.is_drill:
        raise DomainError(f"{incident.label} is a drill: drills never go on the status page. "
                          "Post the update without `--public`.")


def publish_update(session: Session, incident: Incident, text: str, by: str, now: datetime) -> list[News]:
    """Record the update (a key event, the incident's latest update) and its copy for the status page."""
    change = updates.post_update(session, incident, text, by, now, public=True)
    session.add(PublicUpdate(incident_id=incident.id, text=change.text, posted_by=by, posted_at=now))
    return [change]


def post_update(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews,
                incident: IncidentSnapshot, user_id: str, text: str, now: Callable[[], datetime], *,
                public: bool) -> IncidentSnapshot:
    """A status update (in the channel, under the announcement, the cards refreshed), on the status page
    too when `public`."""
    if not public:
        return steering.post_update(sessions, config, news, incident, user_id, text, now)
    check_publishable(incident)

    def change(s: Session, row: Incident) -> list[News]:
        check_publishable(snapshot(row, config))  # fresh state, under the lock
        return publish_update(s, row, text, user_id, now())
    return steering.steer(sessions, config, news, incident, user_id, None, change)
