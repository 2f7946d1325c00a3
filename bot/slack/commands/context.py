"""Shared steps of incident subcommands: which incident the channel belongs to."""

from __future__ import annotations

from bot.errors import DomainError
from bot.incidents import queries
from bot.incidents.views import IncidentView
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND


def incident_here(deps: Deps, inv: Invocation, subcommand: str) -> IncidentView:
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
