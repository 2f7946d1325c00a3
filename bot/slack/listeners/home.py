"""The App Home tab: published when someone opens it (`app_home_opened`); its Declare button opens the
declare form. The tab is also refreshed after changes, for the people they concern (bot/slack/adapters/home.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack.adapters.home import HomeTabs
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.declare import open_declare
from bot.slack.replies import ephemeral_or_dm


def _nobody(_: str) -> None:
    """Nobody waits for an event's answer; the error handler has logged the failure with its id."""


def register(app: App, deps: Deps) -> None:
    """`app_home_opened` (the Home tab only, not the Messages tab) and the tab's Declare button."""

    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        user_id = event.get("user")
        if event.get("tab", "home") == "home" and isinstance(user_id, str):
            deps.after_ack(_nobody, lambda: HomeTabs(client, deps.sessions, deps.config).publish(user_id))

    @app.action(Action.HOME_DECLARE)
    def on_declare(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        reply = ephemeral_or_dm(client, body["user"]["id"], None)
        deps.after_ack(reply, lambda: open_declare(deps, client, body["trigger_id"], reply, origin_channel=None))
