"""Events API listeners. Every subscribed event is acknowledged, even the ones not acted on: an
unhandled event gets a 404 from Bolt, which Slack counts as a failed delivery.

Timeline capture never touches Bolt's listener pool (which slash commands need). Over HTTP, message
and reaction events are taken before Bolt by bot/slack/fastpath.py; over Socket Mode (or whatever the
fast path passes on) a global middleware here parses them in the request's own thread and puts the
value on the timeline writer's queue (microseconds, no database); the writer's own threads store it
after the ack. Queuing before the ack also keeps one sender's events in the order Slack sent them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack import capture
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.timeline.values import Capture

ACKNOWLEDGED = ("message", "reaction_added", "reaction_removed", "app_home_opened")


def _nobody(_: str) -> None:
    """Events have no one to answer; `guarded` has logged the failure with its id."""


def parse(event: dict[str, Any], key_reaction: str) -> Capture | None:
    """The timeline value an event carries, if any."""
    kind = event.get("type")
    if kind == "message":
        return capture.from_message_event(event)
    if kind in ("reaction_added", "reaction_removed"):
        return capture.from_reaction(event, key_reaction, added=kind == "reaction_added")
    return None


def register(app: App, deps: Deps) -> None:
    """Messages, edits, deletions and key reactions into the timeline; catch up when the bot joins."""
    key_reaction = deps.config.key_reaction

    def submit(event: dict[str, Any]) -> None:
        value = parse(event, key_reaction)
        if value is not None:
            deps.timeline.submit(value)

    @app.middleware
    def capture_timeline(body: dict[str, Any], next_: Callable[[], None]) -> None:
        # runs after Bolt's signature check and its filter of the bot's own events
        event = body.get("event") if body.get("type") == "event_callback" else None
        if isinstance(event, dict):
            guarded(_nobody, lambda: submit(event))
        next_()

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], context: BoltContext) -> None:
        # Someone invited the bot (back) into a channel: read back what it missed. Joining a channel it
        # has just created itself (no inviter) needs no Slack call: there is nothing to read yet.
        bot_user = context.bot_user_id
        if bot_user and event.get("user") == bot_user and event.get("channel") \
                and event.get("inviter") not in (None, bot_user):
            guarded(_nobody, lambda: deps.timeline.joined(str(event["channel"])))

    def acknowledge() -> None:
        """Bolt acknowledges events before listeners run; capture happened in the middleware."""

    for event_type in ACKNOWLEDGED:
        app.event(event_type)(acknowledge)
