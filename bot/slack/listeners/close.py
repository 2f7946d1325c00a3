"""`/incident close`: closes (resolving first if needed) and posts the postmortem, on the jobs pool."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.incidents import lifecycle
from bot.incidents.snapshots import IncidentSnapshot
from bot.postmortem import closing
from bot.slack.adapters.postmortem import SlackPostmortemDesk
from bot.slack.deps import Deps
from bot.slack.listeners.context import movable_here
from bot.slack.listeners.invocation import Invocation


def close(deps: Deps, inv: Invocation) -> None:
    """Close (resolving first if needed) and post the postmortem."""
    incident = movable_here(deps, inv, "close", lifecycle.CLOSED)
    inv.ack(text=f"Closing {incident.label} and writing its postmortem…")
    deps.after_ack(inv.reply, lambda: close_incident(deps, inv.client, incident, inv.user_id), slow=True)


def close_incident(deps: Deps, client: WebClient, incident: IncidentSnapshot, user_id: str) -> None:
    """Close the incident and post its postmortem (the command's work, and the card's status select's)."""
    closing.close(deps.sessions, deps.config, deps.chat(client), SlackPostmortemDesk(client), deps.templates,
                  incident, user_id, deps.clock)
