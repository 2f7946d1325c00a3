"""Shared steps of the steering subcommands (roles, severity, priority, status, update)."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.errors import DomainError, InvalidInput
from bot.incidents.views import IncidentView
from bot.slack.commands.context import incident_here
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.replies import via_respond

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def here_or_answer(deps: Deps, inv: Invocation, subcommand: str) -> IncidentView | None:
    """The incident of this channel; outside one, the ack says where to type the command (None)."""
    try:
        return incident_here(deps, inv, subcommand)
    except DomainError as exc:
        inv.ack(text=exc.message)
        return None


def mentioned(inv: Invocation, text: str, example: str) -> list[str]:
    """The people @-mentioned in `text` (`me` is the person typing); InvalidInput when there are none."""
    people = MENTION.findall(text)
    people += [inv.user_id for word in text.split() if word.lower() == "me"]
    if not people:
        raise InvalidInput(f"Name the person with an @-mention, e.g. `{example}` (or `me`).", field="role")
    return people


def after_ack(inv: Invocation, work: Callable[[], object]) -> None:
    """Acknowledge silently (the result is posted in the channel), then do the work under the error handler."""
    inv.ack()

    def run() -> None:
        work()

    guarded(via_respond(inv.respond), run)
