"""Shared form plumbing: open a form after a permission check, read form values, the incident a form is about."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.errors import ChatStepFailed, DomainError
from bot.incidents import queries, steering
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.calls import call
from bot.slack.blocks import resolve as blocks_resolve
from bot.slack.blocks import steering as blocks_steering
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND
from bot.slack.listeners.context import incident_of_card
from bot.slack.replies import Reply, in_place, open_modal, via_respond

log = logging.getLogger(__name__)

FORMS: dict[str, tuple[str | None, str, Callable[[IncidentSnapshot, Deps], dict[str, Any]]]] = {
    # form: (what the person must be allowed to do, the command that does it instead, the view)
    "roles": ("change the roles", f"{COMMAND} commander @someone",
              lambda incident, deps: blocks_steering.roles_modal(incident, deps.config)),
    "severity": ("change the severity", f"{COMMAND} severity <level>",
                 lambda incident, deps: blocks_steering.severity_modal(incident, deps.config)),
    "update": (None, f"{COMMAND} update <text>", lambda incident, deps: blocks_steering.update_modal(incident)),
    "resolve": ("change the status", f"{COMMAND} status resolved",
                lambda incident, deps: blocks_resolve.resolve_modal(incident, deps.clock())),
}


def open_form(deps: Deps, client: WebClient, trigger_id: str, reply: Reply, form: str, incident: IncidentSnapshot,
              user_id: str, *, response_url: str | None = None) -> bool:
    """Open a steering form (remembering `response_url`, where the answer goes), then check the person may use
    it: the check can wait on Slack (user groups) longer than the trigger lives, so a refusal replaces the
    open form with the reason. If Slack refuses to open it, say what to type instead. True when the person
    has the form to fill in."""
    what, instead, build = FORMS[form]
    view = remember_reply(build(incident, deps), response_url)
    view_id = open_modal(client, trigger_id, view, reply, form="form", instead=f"Try again, or type `{instead}`.")
    if not what or view_id is None:
        return view_id is not None
    try:
        steering.check_allowed(deps.config, deps.chat(client), incident, user_id, what)
    except DomainError as exc:
        refused = blocks_steering.refused_modal(view["title"]["text"], exc.message)
        try:
            call("say why in the form", lambda: client.views_update(view_id=view_id, view=refused))
        except ChatStepFailed:
            reply(exc.message)
        return False
    return True


def show_status(deps: Deps, client: WebClient, incident: IncidentSnapshot) -> None:
    """Re-render the card as the incident stands, so its status select stops showing a choice that was refused
    or cancelled (a Slack client keeps showing what was picked until the message is edited)."""
    try:
        with deps.begin() as session:
            now = queries.by_id(session, deps.config, incident.id)
        deps.chat(client).refresh_card(now or incident)
    except ChatStepFailed as exc:
        log.info("card of %s not re-rendered: %s", incident.label, exc.reason)


def remember_reply(view: dict[str, Any], response_url: str | None) -> dict[str, Any]:
    """`view` with `response_url` kept in its private_metadata, for answering after the submission."""
    if response_url:
        view["private_metadata"] = json.dumps({**form_metadata(view), "reply": response_url})
    return view


def form_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What a form remembers (its private_metadata), {} when unreadable."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def form_reply(client: WebClient, user_id: str, view: dict[str, Any], channel_id: str | None) -> Reply:
    """How to answer the person who submitted `view`: in place through the response_url it remembers,
    else ephemerally in `channel_id`, else by DM."""
    url = form_metadata(view).get("reply")
    return in_place(client, user_id, url if isinstance(url, str) else None, channel_id)


def form_incident(deps: Deps, view: dict[str, Any]) -> IncidentSnapshot:
    """The incident a submitted steering form is about (DomainError if it is gone)."""
    try:
        incident_id = int(form_metadata(view)["incident"])
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
    channel = form_metadata(view).get("channel")
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
                                                incident_of_card(deps, channel_id), body["user"]["id"],
                                                response_url=body.get("response_url")))

    return on_open
