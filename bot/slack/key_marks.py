"""The message shortcut "Add to timeline": mark a person's message in an incident channel as a key event."""

from __future__ import annotations

from typing import Any

from bot.errors import DomainError
from bot.incidents import queries as incident_queries
from bot.slack import capture
from bot.slack.deps import Deps
from bot.timeline import service


def add_to_timeline(deps: Deps, user_id: str, channel_id: str, message: dict[str, Any]) -> str:
    """Store the message if it is not yet, mark it; the answer for the person who asked."""
    value = capture.posted(message, channel_id)
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
