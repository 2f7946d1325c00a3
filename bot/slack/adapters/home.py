"""The App Home tab on the Web API: what it shows (read from the database), `views.publish`, and the chat
adapter that refreshes it for the people concerned after every change on the steering path."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import ChatStepFailed
from bot.followups.models import Followup
from bot.incidents import queries
from bot.incidents.models import Incident
from bot.incidents.news import FollowupAdded, News, RoleChange
from bot.incidents.permissions import lead_role
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.calls import call
from bot.slack.adapters.chat import SlackIncidentChat
from bot.slack.blocks.home import HomeFollowup, home_view

log = logging.getLogger(__name__)


def open_followups(session: Session, user_id: str) -> list[HomeFollowup]:
    """The person's follow-ups not done, of incidents they may see, oldest first."""
    rows = session.execute(
        select(Incident.number, Incident.channel_id, Followup.text, Followup.due_on)
        .join(Incident, Incident.id == Followup.incident_id)
        .where(Followup.owner_id == user_id, Followup.done_at.is_(None))
        .where((Incident.is_private.is_(False)) | (Incident.reporter_id == user_id))
        .order_by(Followup.id))
    return [HomeFollowup(number, channel_id, text, due) for number, channel_id, text, due in rows]


class HomeTabs:
    """Publishes people's Home tabs."""

    def __init__(self, client: WebClient, sessions: sessionmaker[Session], config: IncidentConfig) -> None:
        self.client, self.sessions, self.config = client, sessions, config

    def publish(self, user_id: str) -> None:
        """Read what `user_id`'s Home tab shows and publish it (ChatStepFailed if Slack refuses)."""
        with self.sessions() as session:
            incidents = queries.open_incidents(session, self.config, user_id)
            followups = open_followups(session, user_id)
        view = home_view(user_id, incidents, followups, lead_role(self.config))
        call("show your Home tab", lambda: self.client.views_publish(user_id=user_id, view=view))

    def refresh(self, user_ids: Iterable[str]) -> None:
        """Publish each person's tab again; a failure is logged, never the change's failure."""
        for user_id in sorted(set(user_ids)):
            try:
                self.publish(user_id)
            except ChatStepFailed as exc:
                log.warning("Home tab of %s not refreshed: %s", user_id, exc.reason)


def concerned(incident: IncidentSnapshot, news: list[News]) -> set[str]:
    """Whose Home tab a change alters: the role holders (new and previous), who made it, follow-up owners."""
    people = {u for _, users in incident.holders for u in users}
    for change in news:
        people.add(change.by)
        if isinstance(change, RoleChange):
            people |= {u for u in (change.user_id, change.previous) if u}
        if isinstance(change, FollowupAdded) and change.owner:
            people.add(change.owner)
    return people


class HomeRefreshingChat(SlackIncidentChat):
    """The incident-chat adapter that also refreshes the Home tabs of the people a change concerns."""

    def __init__(self, client: WebClient, config: IncidentConfig, announce_channel: str | None,
                 homes: HomeTabs) -> None:
        super().__init__(client, config, announce_channel)
        self.homes = homes

    def post_in_channel(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """The changes, said in the channel; then the Home tabs of the people concerned."""
        super().post_in_channel(incident, news)
        self.homes.refresh(concerned(incident, news))
