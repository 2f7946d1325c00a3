"""The catch-up card: `/incident catchup`, and ephemerally to whoever joins an incident channel (except the
bot and the person who declared it). Built from the database alone: the timeline's key events, the
incident, its follow-ups; no Slack history is read."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.followups.service import for_incident
from bot.incidents import queries as incident_queries
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.calls import call
from bot.slack.blocks.catchup import OpenFollowup, catchup_text
from bot.slack.deps import Deps
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.invocation import Invocation
from bot.timeline import queries


def card(deps: Deps, incident: IncidentSnapshot) -> str:
    """The catch-up card of `incident`, as of now."""
    with deps.begin() as session:
        entries = queries.key_events(session, incident.id)
        followups = [OpenFollowup(f.text, f.owner_id) for f in for_incident(session, incident.id) if f.done_at is None]
    return catchup_text(incident, entries, followups, deps.config, deps.clock())


def catchup(deps: Deps, inv: Invocation) -> None:
    """`/incident catchup`: the card, ephemerally, in an incident channel."""
    incident = incident_here(deps, inv, "catchup")
    inv.ack(text=card(deps, incident))


def joined(deps: Deps, client: WebClient, event: dict[str, Any], bot_user: str | None) -> None:
    """Someone joined a channel: if it is an incident's and they are neither the bot nor the declarer, the
    card goes to them ephemerally."""
    user, channel = event.get("user"), event.get("channel")
    if not isinstance(user, str) or not isinstance(channel, str) or user == bot_user:
        return
    with deps.begin() as session:
        incident = incident_queries.by_channel(session, deps.config, channel)
    if incident is None or incident.reporter_id == user:
        return
    text = card(deps, incident)
    call("show you the catch-up card", lambda: client.chat_postEphemeral(channel=channel, user=user, text=text))
