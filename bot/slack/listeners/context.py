"""Shared steps of the listeners: which incident a command or a card is about, who is mentioned."""

from __future__ import annotations

from bot.errors import DomainError, InvalidInput
from bot.incidents import lifecycle, queries
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import mentioned_users
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND
from bot.slack.listeners.invocation import Invocation


def incident_here(deps: Deps, inv: Invocation, subcommand: str) -> IncidentSnapshot:
    """The incident whose channel the command was typed in, or a DomainError saying where to type it."""
    with deps.begin() as session:
        incident = queries.by_channel(session, deps.config, inv.channel_id)
        if incident is not None:
            return incident
        open_ones = queries.open_incidents(session, deps.config, inv.user_id)
    where = ", ".join(f"<#{i.channel_id}>" for i in open_ones[:5])
    hint = (f" Open incidents: {where}." if where
            else f" There is no open incident; declare one with `{COMMAND} declare <title>`.")
    raise DomainError(f"`{COMMAND} {subcommand}` works inside an incident channel.{hint}")


def incident_of_card(deps: Deps, channel_id: str) -> IncidentSnapshot:
    """The incident whose card was used (looked up by its channel)."""
    with deps.begin() as session:
        incident = queries.by_channel(session, deps.config, channel_id)
    if incident is None:
        raise DomainError("This card does not belong to an incident the bot knows any more.")
    return incident


def mentioned(inv: Invocation, text: str, example: str) -> list[str]:
    """The people @-mentioned in `text` (`me` is the person typing); InvalidInput when there are none."""
    people = mentioned_users(text)
    people += [inv.user_id for word in text.split() if word.lower() == "me"]
    if not people:
        raise InvalidInput(f"Name the person with an @-mention, e.g. `{example}` (or `me`).", field="role")
    return people


def movable_here(deps: Deps, inv: Invocation, subcommand: str, target: str) -> IncidentSnapshot:
    """The incident here, if it may move to `target`; otherwise a DomainError saying why."""
    incident = incident_here(deps, inv, subcommand)
    lifecycle.check_move(deps.config, incident.label, incident.status, target)
    return incident
