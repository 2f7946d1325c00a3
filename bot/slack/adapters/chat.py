"""The incident domain's chat port, implemented on the Slack Web API."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.config import IncidentConfig
from bot.errors import ChannelNameTaken
from bot.incidents.news import News, RoleChange
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.calls import call
from bot.slack.blocks import card as blocks
from bot.slack.blocks import steering as blocks_steering
from bot.slack.repeats import LIST_PAGE

HARMLESS_INVITE_ERRORS = {"already_in_channel", "cant_invite_self"}
CARD_EVENT = "incident_card"                  # message metadata marking the bot's card and announcement,
ANNOUNCEMENT_EVENT = "incident_announcement"  # so a resumed declaration finds them instead of posting again
LOOKBACK = 200  # recent messages searched for a card or announcement


def _marker(event_type: str, incident: IncidentSnapshot) -> dict[str, Any]:
    return {"event_type": event_type, "event_payload": {"number": incident.number}}


def _marked(messages: list[dict[str, Any]], event_type: str, number: int) -> str | None:
    for message in messages:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == event_type and (metadata.get("event_payload") or {}).get("number") == number:
            return str(message["ts"])
    return None


def _channel(incident: IncidentSnapshot) -> str:
    if incident.channel_id is None:
        raise ValueError(f"incident {incident.number} has no channel yet")
    return incident.channel_id


class SlackIncidentChat:
    """IncidentChat and IncidentNews on a WebClient (retries for 429 and connection errors are on the client)."""

    def __init__(self, client: WebClient, config: IncidentConfig, announce_channel: str | None) -> None:
        self.client = client
        self.config = config
        self.announce_channel = announce_channel

    def open_channel(self, name: str, *, private: bool) -> str:
        """Create the channel; a taken name raises ChannelNameTaken."""
        response = call("create the channel", lambda: self.client.conversations_create(name=name, is_private=private),
                        translate={"name_taken": lambda: ChannelNameTaken(name)})
        return str(response["channel"]["id"])

    def set_topic(self, incident: IncidentSnapshot) -> None:
        """Severity, status and title in the topic (250 characters at most)."""
        call("set the topic", lambda: self.client.conversations_setTopic(channel=_channel(incident),
                                                                           topic=blocks.topic(incident)))

    def set_purpose(self, incident: IncidentSnapshot) -> None:
        """What the channel is for."""
        call("set the purpose", lambda: self.client.conversations_setPurpose(channel=_channel(incident),
                                                                               purpose=blocks.purpose(incident)))

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        """Invite people; people already there (or the bot itself) are not an error."""
        call("invite", lambda: self.client.conversations_invite(channel=channel_id, users=user_ids, force=True),
             ignore=HARMLESS_INVITE_ERRORS)

    def post_card(self, incident: IncidentSnapshot) -> str:
        """The incident card in the channel."""
        response = call("post the card", lambda: self.client.chat_postMessage(
            channel=_channel(incident), text=blocks.headline(incident), blocks=blocks.card(incident, self.config),
            metadata=_marker(CARD_EVENT, incident), unfurl_links=False))
        return str(response["ts"])

    def announce(self, incident: IncidentSnapshot) -> tuple[str, str] | None:
        """The announcement card, when an announcement channel is configured."""
        announce_channel = self.announce_channel
        if not announce_channel or incident.is_private:
            return None
        response = call("announce", lambda: self.client.chat_postMessage(
            channel=announce_channel, text=blocks.headline(incident),
            blocks=blocks.announcement(incident, self.config), metadata=_marker(ANNOUNCEMENT_EVENT, incident),
            unfurl_links=False))
        return str(response["channel"]), str(response["ts"])

    def find_channel(self, name: str) -> str | None:
        """conversations.list for `name`, created by the bot."""
        bot_user = call("look up the bot", lambda: self.client.auth_test()).get("user_id")
        channel = self._named(name)
        return str(channel["id"]) if channel is not None and channel.get("creator") == bot_user else None

    def _named(self, name: str) -> dict[str, Any] | None:
        """The channel called `name` (public, or private with the bot in it), pages of LIST_PAGE."""
        cursor: str | None = None
        while True:
            page = call("look for the channel", lambda c=cursor: self.client.conversations_list(  # type: ignore[misc]
                types="public_channel,private_channel", limit=LIST_PAGE, cursor=c))
            for channel in page.get("channels") or []:
                if channel.get("name") == name:
                    return dict(channel)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    def _recent(self, step: str, channel_id: str) -> list[dict[str, Any]]:
        response = call(step, lambda: self.client.conversations_history(
            channel=channel_id, limit=LOOKBACK, include_all_metadata=True))
        return list(response.get("messages") or [])

    def find_card(self, channel_id: str, number: int) -> str | None:
        """The card by its metadata marker in the channel's recent history."""
        return _marked(self._recent("look for the card", channel_id), CARD_EVENT, number)

    def find_announcement(self, number: int) -> tuple[str, str] | None:
        """The announcement by its metadata marker in the announcement channel's recent history."""
        channel = self.announce_channel
        if channel and channel.startswith("#"):  # configured by name: history needs the id
            named = self._named(channel[1:])
            channel = str(named["id"]) if named else None
        if not channel:
            return None
        ts = _marked(self._recent("look for the announcement", channel), ANNOUNCEMENT_EVENT, number)
        return (channel, ts) if ts else None

    def say_setup_problem(self, incident: IncidentSnapshot, problem: str) -> None:
        """A warning in the incident channel naming what is missing."""
        text = (f":warning: Set-up of {incident.label} is incomplete: the bot {problem}. "
                "Fix the cause, then do the missing step by hand; the incident itself is recorded.")
        call("post in the channel", lambda: self.client.chat_postMessage(channel=_channel(incident), text=text))

    def tell_declarer(self, incident: IncidentSnapshot, text: str) -> None:
        """A direct message to the declarer."""
        call("send a direct message", lambda: self.client.chat_postMessage(channel=incident.reporter_id, text=text))

    def pin(self, channel_id: str, ts: str) -> None:
        """Pin a message; one already pinned is fine."""
        call("pin the card", lambda: self.client.pins_add(channel=channel_id, timestamp=ts), ignore={"already_pinned"})

    # IncidentNews: keeping everyone current after a change -------------------------------------------

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """Edit the incident card in place."""
        if not incident.card_ts:
            return
        ts = incident.card_ts
        call("update the card", lambda: self.client.chat_update(
            channel=_channel(incident), ts=ts, text=blocks.headline(incident),
            blocks=blocks.card(incident, self.config)))

    def refresh_topic(self, incident: IncidentSnapshot) -> None:
        """Severity and status in the topic."""
        self.set_topic(incident)

    def refresh_announcement(self, incident: IncidentSnapshot) -> None:
        """Edit the announcement card in place (never for private incidents)."""
        if not incident.is_announced:
            return
        channel, ts = incident.announcement_channel_id or "", incident.announcement_ts or ""
        call("update the announcement", lambda: self.client.chat_update(
            channel=channel, ts=ts, text=blocks.headline(incident), blocks=blocks.announcement(incident, self.config)))

    def post_in_channel(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """The changes, said in the incident channel."""
        text, message_blocks = blocks_steering.news_message(news)
        call("post in the channel", lambda: self.client.chat_postMessage(
            channel=_channel(incident), text=text, blocks=message_blocks, unfurl_links=False))

    def thread_under_announcement(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """The changes, as a reply under the announcement card."""
        if not incident.is_announced:
            return
        text, message_blocks = blocks_steering.news_message(news)
        channel, ts = incident.announcement_channel_id or "", incident.announcement_ts or ""
        call("reply under the announcement", lambda: self.client.chat_postMessage(
            channel=channel, thread_ts=ts, text=text, blocks=message_blocks, unfurl_links=False))

    def tell_person(self, incident: IncidentSnapshot, user_id: str, news: RoleChange) -> None:
        """A direct message with the role's duties."""
        text, message_blocks = blocks_steering.duties_message(incident, news)
        call("send a direct message", lambda: self.client.chat_postMessage(
            channel=user_id, text=text, blocks=message_blocks, unfurl_links=False))

    def group_members(self, group_id: str) -> set[str]:
        """The user ids in a user group (usergroups.users.list)."""
        response = call("read the admin group", lambda: self.client.usergroups_users_list(usergroup=group_id))
        return set(response.get("users") or [])
