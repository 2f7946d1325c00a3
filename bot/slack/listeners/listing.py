"""`/incident list`: open incidents, ephemeral."""

from __future__ import annotations

from bot.incidents import queries
from bot.slack.blocks.help import incident_list
from bot.slack.deps import Deps
from bot.slack.listeners.invocation import Invocation


def show(deps: Deps, inv: Invocation) -> None:
    """Answer with the incidents that are not closed (private ones only to their declarer)."""
    with deps.begin() as session:
        incidents = queries.open_incidents(session, deps.config, inv.user_id)
    inv.ack(text=incident_list(incidents, deps.config))
