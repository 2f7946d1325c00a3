"""`/incident severity [<level> [reason]]` and `/incident priority [<p> [reason]]`: the form, or set directly."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents import steering
from bot.incidents.levels import parse_priority, parse_severity
from bot.slack import forms
from bot.slack.commands.invocation import Invocation
from bot.slack.commands.steer import after_ack, here_or_answer
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.replies import via_respond
from bot.slack.runbooks import shelf


def severity(deps: Deps, inv: Invocation) -> None:
    """Change the severity (form without a level)."""
    _change(deps, inv, "severity", parse_severity)


def priority(deps: Deps, inv: Invocation) -> None:
    """Change the priority (form without a level)."""
    _change(deps, inv, "priority", parse_priority)


def _change(deps: Deps, inv: Invocation, field: str, parse: Callable[[IncidentConfig, str], str]) -> None:
    incident = here_or_answer(deps, inv, field)
    if incident is None:
        return
    if not inv.args:
        inv.ack()
        reply = via_respond(inv.respond)
        guarded(reply, lambda: forms.open_form(deps, inv.client, inv.trigger_id, reply, "severity", incident,
                                               inv.user_id))
        return
    typed, _, reason = inv.args.partition(" ")
    try:
        level = parse(deps.config, typed)
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    levels = {"severity_to": level} if field == "severity" else {"priority_to": level}
    after_ack(inv, lambda: steering.change_levels(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                  inv.user_id, reason=reason.strip() or None, now=deps.clock,
                                                  runbooks=shelf(deps, inv.client), **levels))
