"""Roles: `/incident roles` (the form), `/incident <role> @person` (assign directly), the roles form's
submission, and the card's claim and *Assign roles* buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.incidents import steering
from bot.incidents.roles import check_people, role_named
from bot.slack.blocks.card import TAKEOVER
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Action, Block, Callback
from bot.slack.listeners.context import incident_here, incident_of_card, mentioned
from bot.slack.listeners.forms import form_channel, form_incident, form_reply, open_form, opener, selected
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond


def roles_command(deps: Deps, inv: Invocation) -> None:
    """A person picker per role, current holders preselected."""
    incident = incident_here(deps, inv, "roles")
    inv.ack()
    deps.after_ack(inv.reply, lambda: open_form(deps, inv.client, inv.trigger_id, inv.reply, "roles", incident,
                                                inv.user_id, response_url=inv.response_url))


def assign(deps: Deps, inv: Invocation) -> None:
    """`/incident commander @alice` or `/incident assign investigator @bob @carol`: give a role directly."""
    role_text, args = (inv.args.partition(" ")[::2] if inv.word == "assign" else (inv.word, inv.args))
    incident = incident_here(deps, inv, role_text or "assign")
    role = role_named(deps.config, role_text or "?")
    people = check_people(role, mentioned(inv, args, f"{COMMAND} {role.name} @alice"))
    inv.ack()
    deps.after_ack(inv.reply, lambda: steering.assign_role(deps.sessions, deps.config, deps.chat(inv.client),
                                                           incident, inv.user_id, role.name, people, deps.clock))


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


def _claimed(value: str) -> tuple[str, bool]:
    """A claim button's (role, confirmed take-over): only the confirmed button may take a held role."""
    return (value.removesuffix(TAKEOVER), True) if value.endswith(TAKEOVER) else (value, False)


def register(app: App, deps: Deps) -> None:
    """The roles form's submission; the card's claim buttons and its *Assign roles* button."""

    @app.view(Callback.ROLES_MODAL)
    def on_roles(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        deps.after_ack(form_reply(client, user_id, view, form_channel(view)), lambda: steering.set_roles(
            deps.sessions, deps.config, deps.chat(client), form_incident(deps, view), user_id,
            wanted_roles(deps, view), deps.clock))

    @app.action(re.compile(f"^{re.escape(Action.CLAIM_ROLE)}"))
    def on_claim(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 respond: Respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], body.get("channel", {}).get("id", "")
        role, takeover = _claimed(str(action.get("value", "")))
        deps.after_ack(via_respond(respond), lambda: steering.assign_role(
            deps.sessions, deps.config, deps.chat(client), incident_of_card(deps, channel_id), user_id,
            role, [user_id], deps.clock, vacant_only=not takeover))

    app.action(Action.OPEN_ROLES)(opener(deps, "roles"))
