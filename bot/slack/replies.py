"""Answering the person who asked, privately, by whatever route the request allows."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

Reply = Callable[[str], None]


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
                client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
                return
            except SlackApiError as exc:
                log.info("ephemeral reply in %s failed (%s); sending a DM", channel_id,
                         exc.response.get("error"))
        try:
            client.chat_postMessage(channel=user_id, text=text)
        except (SlackApiError, SlackClientError, OSError):
            log.exception("could not reply to %s", user_id)

    return reply
