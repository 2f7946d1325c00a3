"""The timeline: `/incident note <text>`, `/incident timeline`, the *Add to timeline* shortcut, and the
message, reaction and member events.

Every subscribed event is acknowledged, even the ones not acted on: an unhandled event gets a 404 from
Bolt, which Slack counts as a failed delivery.

Timeline capture never touches Bolt's listener pool (which slash commands need). Over HTTP, message
and reaction events are taken before Bolt by bot/slack/fastpath.py; over Socket Mode (or whatever the
fast path passes on) a global middleware here parses them in the request's own thread and puts the
value on the timeline writer's queue (microseconds, no database); the writer's own threads store it
after the ack. Queuing before the ack also keeps one sender's events in the order Slack sent them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.incidents import queries as incident_queries
from bot.markup import escape_keeping_tokens
from bot.slack.adapters import messages
from bot.slack.blocks.timeline import key_events_text
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Callback
from bot.slack.listeners import catchup
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond
from bot.timeline import queries, service

ACKNOWLEDGED = ("message", "reaction_added", "reaction_removed")  # app_home_opened: bot/slack/listeners/home.py


def note(deps: Deps, inv: Invocation) -> None:
    """Add a key event to the timeline of the incident whose channel this is."""
    if not inv.args.strip():
        inv.ack(text=f"Say what to note: `{COMMAND} note <text>`, e.g. `{COMMAND} note Rolled back deploy 4521`.")
        return
    incident = incident_here(deps, inv, "note")
    with deps.begin() as session:
        service.add_note(session, incident.id, inv.user_id, inv.args, deps.clock())
    inv.ack(text=f":pushpin: Noted in the timeline of {incident.label}: {escape_keeping_tokens(inv.args.strip())}")


def show(deps: Deps, inv: Invocation) -> None:
    """The key events so far: system events, notes, marked messages."""
    incident = incident_here(deps, inv, "timeline")
    with deps.begin() as session:
        entries = queries.key_events(session, incident.id)
    inv.ack(text=key_events_text(incident.label, incident.number, entries, deps.config))


def add_to_timeline(deps: Deps, user_id: str, channel_id: str, message: dict[str, Any]) -> str:
    """Store the message if it is not yet, mark it; the answer for the person who asked."""
    value = messages.posted(message, channel_id)
    if value is None:
        raise DomainError("Only people's messages go into the timeline this way; the bot's own posts "
                          "(roles, severity, status, updates) are key events already.")
    with deps.begin() as session:
        incident = incident_queries.by_channel(session, deps.config, channel_id)
        if incident is None:
            raise DomainError("*Add to timeline* works on messages in an incident channel; this channel "
                              "is not one. `/incident list` shows the open incidents.")
        service.mark_key(session, value, user_id, deps.clock(), deps.timeline.channels)
    return (f":{deps.config.key_reaction}: Added to the timeline of {incident.label} as a key event. "
            "`/incident timeline` lists them.")


def _nobody(_: str) -> None:
    """Events have no one to answer; the error handler has logged the failure with its id."""


def register(app: App, deps: Deps) -> None:
    """The *Add to timeline* shortcut; messages, edits, deletions and key reactions into the timeline;
    catch up when the bot joins."""
    key_reaction = deps.config.key_reaction

    @app.shortcut(Callback.ADD_TO_TIMELINE)
    def on_add_to_timeline(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        deps.after_ack(reply, lambda: reply(add_to_timeline(deps, body["user"]["id"],
                                                            body.get("channel", {}).get("id", ""),
                                                            body.get("message") or {})))

    def submit(event: dict[str, Any]) -> None:
        value = messages.parse(event, key_reaction)
        if value is not None:
            deps.timeline.submit(value)

    @app.middleware
    def capture_timeline(body: dict[str, Any], next_: Callable[[], None]) -> None:
        # runs after Bolt's signature check and its filter of the bot's own events
        event = body.get("event") if body.get("type") == "event_callback" else None
        if isinstance(event, dict):
            deps.after_ack(_nobody, lambda: submit(event))
        next_()

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        # Someone invited the bot (back) into a channel: read back what it missed. Joining a channel it
        # has just created itself (no inviter) needs no Slack call: there is nothing to read yet.
        bot_user = context.bot_user_id
        if bot_user and event.get("user") == bot_user and event.get("channel") \
                and event.get("inviter") not in (None, bot_user):
            deps.after_ack(_nobody, lambda: deps.timeline.joined(str(event["channel"])))
        elif event.get("user") != bot_user:  # a person: the catch-up card (bot/slack/listeners/catchup.py)
            deps.after_ack(_nobody, lambda: catchup.joined(deps, client, event, bot_user))

    def acknowledge() -> None:
        """Bolt acknowledges events before listeners run; capture happened in the middleware."""

    for event_type in ACKNOWLEDGED:
        app.event(event_type)(acknowledge)
