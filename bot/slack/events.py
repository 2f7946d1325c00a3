"""Events API listeners. Every subscribed event is acknowledged, even the ones not acted on yet:
an unhandled event gets a 404 from Bolt, which Slack counts as a failed delivery."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps

SUBSCRIBED = ("message", "reaction_added", "reaction_removed", "member_joined_channel", "app_home_opened")


def register(app: App, deps: Deps) -> None:
    """Acknowledge every subscribed event; timeline capture (message, reactions) builds on these."""

    def acknowledge() -> None:
        """Bolt acknowledges events before listeners run; nothing more to do yet."""

    for event_type in SUBSCRIBED:
        app.event(event_type)(acknowledge)
