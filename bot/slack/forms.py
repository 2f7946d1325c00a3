"""The steering forms (roles, severity, update): opening them and their submissions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import DomainError, InvalidInput
from bot.incidents import queries, steering
from bot.incidents.levels import parse_priority, parse_severity
from bot.incidents.updates import validate_update
from bot.incidents.views import IncidentView
from bot.slack import blocks_review, blocks_steering
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import COMMAND, Action, Block, Callback
from bot.slack.replies import Reply, ephemeral_or_dm, open_modal
from bot.slack.runbooks import shelf

FORMS: dict[str, tuple[str | None, str, Callable[[IncidentView, Any], dict[str, Any]]]] = {
    # form: (what the person must be allowed to do, the command that does it instead, the view)
    "roles": ("change the roles", f"{COMMAND} commander @someone", blocks_steering.roles_modal),
    "severity": ("change the severity", f"{COMMAND} severity <level>", blocks_steering.severity_modal),
    "update": (None, f"{COMMAND} update <text>", lambda incident, config: blocks_steering.update_modal(incident)),
    "resolve": ("change the status", f"{COMMAND} status resolved",
                lambda incident, config: blocks_review.resolve_modal(incident)),
}


def open_form(deps: Deps, client: WebClient, trigger_id: str, reply: Reply, form: str, incident: IncidentView,
              user_id: str) -> None:
    """Open a steering form, once the person is allowed to use it; if Slack refuses, say what to type instead."""
    what, instead, build = FORMS[form]
    if what:
        steering.check_allowed(deps.config, deps.chat(client), incident, user_id, what)
    open_modal(client, trigger_id, build(incident, deps.config), reply, form="form",
               instead=f"Try again, or type `{instead}`.")


def form_incident(deps: Deps, view: dict[str, Any]) -> IncidentView:
    """The incident a submitted steering form is about (DomainError if it is gone)."""
    return _incident(deps, view)


def _incident(deps: Deps, view: dict[str, Any]) -> IncidentView:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        incident_id = int(meta["incident"])
    except (ValueError, KeyError, TypeError):
        raise DomainError("This form is not about an incident the bot knows; open it again from the incident "
                          "channel.") from None
    with deps.begin() as session:
        incident = queries.by_id(session, deps.config, incident_id)
    if incident is None:
        raise DomainError("That incident no longer exists.")
    return incident


def selected(values: dict[str, Any], block: str, action: str) -> Any:
    """The value a form input holds: a selected option's value, the person(s) chosen, or the text typed."""
    state = values.get(block, {}).get(action) or {}
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    for key in ("selected_user", "selected_users", "value"):
        if key in state:
            return state[key]
    return None


def wanted_roles(deps: Deps, view: dict[str, Any]) -> dict[str, list[str]]:
    """Each role in the submitted roles form with the people chosen for it."""
    values = view.get("state", {}).get("values", {})
    wanted: dict[str, list[str]] = {}
    for role in deps.config.roles:
        block = f"{Block.ROLE_PREFIX}{role.name}"
        if block in values:
            chosen = selected(values, block, Action.ROLE_USERS)
            wanted[role.name] = [chosen] if isinstance(chosen, str) else list(chosen or [])
    return wanted


def submit_roles(deps: Deps, ack: Ack, user_id: str, view: dict[str, Any], client: WebClient) -> None:
    """The roles form: each role's holders become exactly those chosen."""
    ack()

    def work() -> None:
        steering.set_roles(deps.sessions, deps.config, deps.chat(client), _incident(deps, view), user_id,
                           wanted_roles(deps, view), deps.clock)

    guarded(ephemeral_or_dm(client, user_id, _channel_of(view)), work)


def _levels_chosen(deps: Deps, view: dict[str, Any]) -> tuple[IncidentView, str, str | None]:
    """(incident, severity, priority or None) from the severity form; InvalidInput when nothing would change."""
    values = view.get("state", {}).get("values", {})
    incident = _incident(deps, view)
    level = parse_severity(deps.config, selected(values, Block.SEVERITY, Action.SEVERITY) or "")
    chosen = selected(values, Block.PRIORITY, Action.PRIORITY)
    priority = parse_priority(deps.config, chosen) if chosen else None
    if level == incident.severity and priority in (None, incident.priority):
        raise InvalidInput(f"{level} is the current severity; choose another, or Cancel.", field=Block.SEVERITY)
    return incident, level, priority


def submit_severity(deps: Deps, ack: Ack, user_id: str, view: dict[str, Any], client: WebClient) -> None:
    """The severity form: a refusal stays in the form; a change is applied after the ack."""
    try:
        incident, level, priority = _levels_chosen(deps, view)
    except InvalidInput as exc:
        ack(response_action="errors", errors={exc.field or Block.SEVERITY: exc.message})
        return
    except DomainError as exc:
        ack(response_action="errors", errors={Block.SEVERITY: exc.message})
        return
    ack()
    reason = selected(view.get("state", {}).get("values", {}), Block.REASON, Action.REASON)

    def work() -> None:
        steering.change_levels(deps.sessions, deps.config, deps.chat(client), incident, user_id,
                               severity_to=level, priority_to=priority, reason=reason, now=deps.clock,
                               runbooks=shelf(deps, client))

    guarded(ephemeral_or_dm(client, user_id, incident.channel_id), work)


def submit_update(deps: Deps, ack: Ack, user_id: str, view: dict[str, Any], client: WebClient) -> None:
    """The update form: a blank or too long update stays in the form; otherwise it is posted."""
    try:
        text = validate_update(selected(view.get("state", {}).get("values", {}), Block.UPDATE, Action.UPDATE)
                               or "")
    except InvalidInput as exc:
        ack(response_action="errors", errors={Block.UPDATE: exc.message})
        return
    ack()

    def work() -> None:
        steering.post_update(deps.sessions, deps.config, deps.chat(client), _incident(deps, view), user_id, text,
                             deps.clock)

    guarded(ephemeral_or_dm(client, user_id, _channel_of(view)), work)


def register(app: App, deps: Deps) -> None:
    """Submissions of the roles, severity and update forms."""

    @app.view(Callback.ROLES_MODAL)
    def on_roles(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        submit_roles(deps, ack, body["user"]["id"], view, client)

    @app.view(Callback.SEVERITY_MODAL)
    def on_severity(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        submit_severity(deps, ack, body["user"]["id"], view, client)

    @app.view(Callback.UPDATE_MODAL)
    def on_update(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        submit_update(deps, ack, body["user"]["id"], view, client)


def _channel_of(view: dict[str, Any]) -> str | None:
    try:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) else None
