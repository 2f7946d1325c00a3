"""Answering the person who asked, privately, by whatever route the request allows; opening modals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.errors import ChatStepFailed
from bot.slack.adapters.calls import call

log = logging.getLogger(__name__)

Reply = Callable[[str], None]
TRIGGER_ERRORS = {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any], reply: Reply, *, form: str,
               instead: str) -> str | None:
    """views.open on `trigger_id`, returning the view's id; when Slack refuses the trigger (too late, used,
    unknown), tell the person what to type instead rather than failing silently (and return None)."""
    try:
        opened = call(f"open the {form}", lambda: client.views_open(trigger_id=trigger_id, view=view))
    except ChatStepFailed as exc:
        if exc.reason not in TRIGGER_ERRORS:
            raise
        reply(f"The {form} could not open in time (Slack allows 3 seconds; it said `{exc.reason}`). {instead}")
        return None
    return str((opened.get("view") or {}).get("id") or "") or None


def via_respond(respond: Callable[..., object]) -> Reply:
    """Reply through the request's response_url (ephemeral)."""

    def reply(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    return reply


def ephemeral_or_dm(client: WebClient, user_id: str, channel_id: str | None) -> Reply:
    """Reply ephemerally in `channel_id` when there is one the user is in, else by direct message."""

    def reply(text: str) -> None:
        if channel_id:
            try:
                call("reply", lambda: client.chat_postEphemeral(channel=channel_id, user=user_id, text=text))
                return
            except ChatStepFailed as exc:
                log.info("ephemeral reply in %s failed (%s); sending a DM", channel_id, exc.reason)
        try:
            call("reply", lambda: client.chat_postMessage(channel=user_id, text=text))
        except ChatStepFailed:
            log.exception("could not reply to %s", user_id)

    return reply


def in_place(client: WebClient, user_id: str, response_url: str | None, channel_id: str | None) -> Reply:
    """Reply where the person asked: through the `response_url` of the command or button that opened a form
    (valid 30 minutes, 5 uses; it reaches channels the bot is not in), else `ephemeral_or_dm`."""
    fallback = ephemeral_or_dm(client, user_id, channel_id)
    if not response_url:
        return fallback
    url = response_url

    def reply(text: str) -> None:
        try:
            sent = call("reply", lambda: WebhookClient(url).send(text=text, response_type="ephemeral",
                                                                  replace_original=False))
        except ChatStepFailed as exc:
            log.info("reply through the response_url failed (%s); trying the channel, then a DM", exc.reason)
            fallback(text)
            return
        if sent.status_code != 200:  # used up (5 posts) or expired (30 minutes)
            log.info("response_url refused the reply (%s %s); trying the channel, then a DM", sent.status_code,
                     sent.body)
            fallback(text)

    return reply
