"""Global and message shortcuts (their callback ids are part of the contract and the manifest)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import key_marks, modals
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import Callback
from bot.slack.replies import ephemeral_or_dm, via_respond

log = logging.getLogger(__name__)


def _permalink(client: WebClient, channel_id: str, ts: str) -> str | None:
    try:
        return str(client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
    except SlackApiError as exc:
        log.info("no permalink for %s/%s: %s", channel_id, ts, exc.response.get("error"))
        return None


def register(app: App, deps: Deps) -> None:
    """Declare from anywhere, or from a message."""

    @app.shortcut(Callback.DECLARE_SHORTCUT)
    def on_declare_shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        reply = ephemeral_or_dm(client, body["user"]["id"], None)
        guarded(reply, lambda: modals.open_declare(deps, client, body["trigger_id"], reply, origin_channel=None))

    @app.shortcut(Callback.DECLARE_FROM_MESSAGE)
    def on_declare_from_message(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        channel_id = body.get("channel", {}).get("id")
        message = body.get("message", {})
        reply = via_respond(respond)

        def work() -> None:
            permalink = _permalink(client, channel_id, message.get("ts", "")) if channel_id else None
            modals.open_declare(deps, client, body["trigger_id"], reply, origin_channel=channel_id,
                                description=message.get("text", ""), permalink=permalink)

        guarded(reply, work)

    @app.shortcut(Callback.ADD_TO_TIMELINE)
    def on_add_to_timeline(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        guarded(reply, lambda: reply(key_marks.add_to_timeline(deps, body["user"]["id"],
                                                                body.get("channel", {}).get("id", ""),
                                                                body.get("message") or {})))
