"""The lifecycle: `/incident status [<state>]`, `/incident reopen [<state>]`, and the card's status select."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.incidents import lifecycle, steering
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Action
from bot.slack.listeners import close, resolve
from bot.slack.listeners.context import incident_here, incident_of_card
from bot.slack.listeners.forms import open_form, show_status
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond


def status(deps: Deps, inv: Invocation) -> None:
    """Move to a state; without one, say where the incident is and where it can go."""
    incident = incident_here(deps, inv, "status")
    allowed = lifecycle.allowed_next(deps.config, incident.status)
    if not inv.args:
        where = f" It can move to: {', '.join(allowed)}." if allowed else " Nothing leaves that state."
        inv.ack(text=f"{incident.label} is *{incident.status}*.{where} Type `{COMMAND} status <state>`.")
        return
    target = lifecycle.status_named(deps.config, inv.args.split()[0])
    lifecycle.check_move(deps.config, incident.label, incident.status, target)
    if target in (lifecycle.RESOLVED, lifecycle.CLOSED):  # the same as `/incident resolve` / `close`
        (resolve.resolve if target == lifecycle.RESOLVED else close.close)(deps, inv)
        return
    inv.ack()
    deps.after_ack(inv.reply, lambda: steering.move_status(deps.sessions, deps.config, deps.chat(inv.client),
                                                           incident, inv.user_id, target, deps.clock))


def reopen(deps: Deps, inv: Invocation) -> None:
    """Take a resolved incident back to the first state (or the one named)."""
    incident = incident_here(deps, inv, "reopen")
    target = lifecycle.reopen_target(deps.config, incident.label, incident.status,
                                     inv.args.split()[0] if inv.args else None)
    inv.ack()
    deps.after_ack(inv.reply, lambda: steering.move_status(deps.sessions, deps.config, deps.chat(inv.client),
                                                           incident, inv.user_id, target, deps.clock))


def register(app: App, deps: Deps) -> None:
    """The card's status select (resolving opens the resolve form; closing writes the postmortem)."""

    @app.action(Action.STATUS)
    def on_status(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], body.get("channel", {}).get("id", "")
        target = (action.get("selected_option") or {}).get("value", "")
        reply = via_respond(respond)

        def work() -> None:
            incident = incident_of_card(deps, channel_id)
            try:
                if target == lifecycle.RESOLVED:  # the resolve form asks for the summary
                    if not open_form(deps, client, body["trigger_id"], reply, "resolve", incident, user_id,
                                     response_url=body.get("response_url")):
                        show_status(deps, client, incident)
                elif target == lifecycle.CLOSED:  # closing writes the postmortem
                    close.close_incident(deps, client, incident, user_id)
                else:
                    steering.move_status(deps.sessions, deps.config, deps.chat(client), incident, user_id, target,
                                         deps.clock)
            except DomainError:
                show_status(deps, client, incident)
                raise

        deps.after_ack(reply, work, slow=target == lifecycle.CLOSED)

