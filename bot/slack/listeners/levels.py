"""Severity and priority: `/incident severity [<level> [reason]]`, `/incident priority [<p> [reason]]`,
the severity form's submission, and the card's *Change severity* button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents import steering
from bot.incidents.levels import parse_priority, parse_severity
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.deps import Deps
from bot.slack.errors import form_refusal
from bot.slack.ids import Action, Block, Callback
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.forms import form_incident, form_reply, open_form, opener, value
from bot.slack.listeners.invocation import Invocation


def severity(deps: Deps, inv: Invocation) -> None:
    """Change the severity (form without a level)."""
    _change(deps, inv, "severity", parse_severity)


def priority(deps: Deps, inv: Invocation) -> None:
    """Change the priority (form without a level)."""
    _change(deps, inv, "priority", parse_priority)


def _change(deps: Deps, inv: Invocation, field: str, parse: Callable[[IncidentConfig, str], str]) -> None:
    incident = incident_here(deps, inv, field)
    if not inv.args:
        inv.ack()
        deps.after_ack(inv.reply, lambda: open_form(deps, inv.client, inv.trigger_id, inv.reply, "severity",
                                                    incident, inv.user_id, response_url=inv.response_url))
        return
    typed, _, reason = inv.args.partition(" ")
    level = parse(deps.config, typed)
    levels = {"severity_to": level} if field == "severity" else {"priority_to": level}
    inv.ack()
    deps.after_ack(inv.reply, lambda: steering.change_levels(
        deps.sessions, deps.config, deps.chat(inv.client), incident, inv.user_id, reason=reason.strip() or None,
        now=deps.clock, runbooks=deps.runbooks(inv.client), **levels))


def levels_chosen(deps: Deps, view: dict[str, Any]) -> tuple[IncidentSnapshot, str, str | None]:
    """(incident, severity, priority or None) from the severity form; InvalidInput when nothing would change."""
    incident = form_incident(deps, view)
    level = parse_severity(deps.config, value(view, Block.SEVERITY, Action.SEVERITY) or "")
    chosen = value(view, Block.PRIORITY, Action.PRIORITY)
    priority = parse_priority(deps.config, chosen) if chosen else None
    if level == incident.severity and priority in (None, incident.priority):
        raise InvalidInput(f"{level} is the current severity; choose another, or Cancel.", field=Block.SEVERITY)
    return incident, level, priority


def register(app: App, deps: Deps) -> None:
    """The severity form's submission (a refusal stays in the form) and the card's *Change severity* button."""

    @app.view(Callback.SEVERITY_MODAL)
    def on_severity(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        chosen = form_refusal(ack, Block.SEVERITY, lambda: levels_chosen(deps, view))
        if chosen is None:
            return
        ack()
        incident, level, priority = chosen
        user_id, reason = body["user"]["id"], value(view, Block.REASON, Action.REASON)
        deps.after_ack(form_reply(client, user_id, view, incident.channel_id), lambda: steering.change_levels(
            deps.sessions, deps.config, deps.chat(client), incident, user_id, severity_to=level,
            priority_to=priority, reason=reason, now=deps.clock, runbooks=deps.runbooks(client)))

    app.action(Action.OPEN_SEVERITY)(opener(deps, "severity"))
