"""The reminders' chat port on the Web API. A post carries its job's mark in its metadata, so a job taken
over after a crash finds it instead of posting twice (DMs excepted: reading them back needs more scopes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk import WebClient

from bot.config import IncidentConfig
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.calls import call
from bot.slack.adapters.chat import HARMLESS_INVITE_ERRORS, SlackIncidentChat
from bot.slack.blocks import reminders as blocks

JOB_EVENT = "incident_bot_job"
LOOK_BACK = 100


def post_once(client: WebClient, step: str, channel: str, text: str, mark: str, *, retry: bool,
              message_blocks: list[dict[str, Any]] | None = None) -> None:
    """Post with `mark` in the metadata; a `retry` first looks for a post carrying it and then posts nothing."""
    if retry and _posted(client, step, channel, mark):
        return
    call(step, lambda: client.chat_postMessage(
        channel=channel, text=text, blocks=message_blocks, unfurl_links=False,
        metadata={"event_type": JOB_EVENT, "event_payload": {"job": mark}}))


def _posted(client: WebClient, step: str, channel: str, mark: str) -> bool:
    page = call(step, lambda: client.conversations_history(channel=channel, limit=LOOK_BACK, include_all_metadata=True))
    return any(((m.get("metadata") or {}).get("event_payload") or {}).get("job") == mark
               for m in page.get("messages") or [])


class SlackReminders:
    """ReminderChat on a WebClient."""

    def __init__(self, client: WebClient, config: IncidentConfig, announce_channel: str | None) -> None:
        self.client, self.config = client, config
        self.incidents = SlackIncidentChat(client, config, announce_channel)

    def _post_once(self, step: str, channel: str, text: str, mark: str, *, retry: bool,
                   message_blocks: list[dict[str, Any]] | None = None) -> None:
        post_once(self.client, step, channel, text, mark, retry=retry, message_blocks=message_blocks)

    def nudge(self, incident: IncidentSnapshot, person: str | None, every: timedelta, mark: str, *,
              retry: bool) -> None:
        """The nudge in the incident channel."""
        text, message_blocks = blocks.nudge(incident, person, every)
        self._post_once("post the update reminder", incident.channel_id or "", text, mark, retry=retry,
                        message_blocks=message_blocks)

    def prompt_update(self, incident: IncidentSnapshot, person: str, every: timedelta) -> None:
        """The DM with a Post update button."""
        text, message_blocks = blocks.prompt(incident, every)
        call("send the update reminder", lambda: self.client.chat_postMessage(
            channel=person, text=text, blocks=message_blocks, unfurl_links=False))

    def escalate(self, incident: IncidentSnapshot, targets: tuple[str, ...], after: timedelta, mark: str, *,
                 retry: bool) -> None:
        """The channel hears it; people get a DM and an invite, groups' members an invite, a channel a post."""
        channel = incident.channel_id or ""
        self._post_once("post the escalation", channel, blocks.escalation_in_channel(incident, targets, after),
                        mark, retry=retry)
        people = [t for t in targets if t.startswith(("U", "W"))]
        for group in (t for t in targets if t.startswith("S")):
            people += self.incidents.group_members(group)
        if people:
            call("invite the escalation", lambda: self.client.conversations_invite(
                channel=channel, users=sorted(set(people)), force=True), ignore=HARMLESS_INVITE_ERRORS)
        elsewhere = blocks.escalation_elsewhere(incident, after)
        for person in (t for t in targets if t.startswith(("U", "W"))):
            call("send the escalation", lambda p=person: self.client.chat_postMessage(  # type: ignore[misc]
                channel=p, text=elsewhere))
        for other in (t for t in targets if t.startswith(("C", "G", "#"))):
            self._post_once("post the escalation", other, elsewhere, mark, retry=retry)

    def breach(self, incident: IncidentSnapshot, target: str, limit: timedelta, mark: str, *, retry: bool) -> None:
        """The breach in the incident channel."""
        self._post_once("post the SLA breach", incident.channel_id or "", blocks.breach(incident, target, limit),
                        mark, retry=retry)

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """The card, edited in place."""
        self.incidents.refresh_card(incident)
