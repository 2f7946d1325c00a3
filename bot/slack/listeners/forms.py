"""Shared form plumbing: open a form after a permission check, read form values, the incident a form is about."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.incidents import queries, steering
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.blocks import resolve as blocks_resolve
from bot.slack.blocks import steering as blocks_steering
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND
from bot.slack.listeners.context import incident_of_card
from bot.slack.replies import Reply, open_modal, via_respond

FORMS: dict[str, tuple[str | None, str, Callable[[IncidentSnapshot, Any], dict[str, Any]]]] = {
    # form: (what the person must be allowed to do, the command that does it instead, the view)
    "roles": ("change the roles", f"{COMMAND} commander @someone", blocks_steering.roles_modal),
    "severity": ("change the severity", f"{COMMAND} severity <level>", blocks_steering.severity_modal),
    "update": (None, f"{COMMAND} update <text>", lambda incident, config: blocks_steering.update_modal(incident)),
    "resolve": ("change the status", f"{COMMAND} status resolved",
                lambda incident, config: blocks_resolve.resolve_modal(incident)),
}


def open_form(deps: Deps, client: WebClient, trigger_id: str, reply: Reply, form: str, incident: IncidentSnapshot,
              user_id: str) -> None:
    """Open a steering form, once the person is allowed to use it; if Slack refuses, say what to type instead."""
    what, instead, build = FORMS[form]
    if what:
        steering.check_allowed(deps.config, deps.chat(client), incident, user_id, what)
    open_modal(client, trigger_id, build(incident, deps.config), reply, form="form",
               instead=f"Try again, or type `{instead}`.")


def form_incident(deps: Deps, view: dict[str, Any]) -> IncidentSnapshot:
    """The incident a submitted steering form is about (DomainError if it is gone)."""
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


def form_channel(view: dict[str, Any]) -> str | None:
    """The incident channel a steering form remembers (where the answer goes), if any."""
    try:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) else None


def selected(values: dict[str, Any], block: str, action: str) -> Any:
    """The value a form input holds: a selected option's value (a list for checkboxes), the person(s) chosen,
    or the text typed."""
    state = values.get(block, {}).get(action) or {}
    if "selected_option" in state:
        return (state["selected_option"] or {}).get("value")
    if "selected_options" in state:
        return [o.get("value") for o in state["selected_options"] or []]
    for key in ("selected_user", "selected_users", "value"):
        if key in state:
            return state[key]
    return None


def value(view: dict[str, Any], block: str, action: str) -> Any:
    """`selected` on a submitted view's state."""
    return selected(view.get("state", {}).get("values", {}), block, action)


def opener(deps: Deps, form: str) -> Callable[..., None]:
    """The listener of a card button that opens `form` about the card's incident."""
    def on_open(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        channel_id = body.get("channel", {}).get("id", "")
        deps.after_ack(reply, lambda: open_form(deps, client, body["trigger_id"], reply, form,
                                                incident_of_card(deps, channel_id), body["user"]["id"]))

    return on_open
