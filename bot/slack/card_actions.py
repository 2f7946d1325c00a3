"""The incident card's controls: claim a role, open the roles/severity/update forms, move the status."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.incidents import lifecycle, queries, steering
from bot.incidents.views import IncidentView
from bot.postmortem import closing
from bot.slack import forms
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import Action
from bot.slack.postmortem import SlackPostmortemDesk
from bot.slack.replies import via_respond


def incident_in(deps: Deps, channel_id: str) -> IncidentView:
    """The incident whose card was used (looked up by its channel)."""
    with deps.begin() as session:
        incident = queries.by_channel(session, deps.config, channel_id)
    if incident is None:
        raise DomainError("This card does not belong to an incident the bot knows any more.")
    return incident


def register(app: App, deps: Deps) -> None:
    """Listeners for the card's buttons and status select."""

    @app.action(re.compile(f"^{re.escape(Action.CLAIM_ROLE)}"))
    def on_claim(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                 respond: Respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], body.get("channel", {}).get("id", "")

        def work() -> None:
            steering.assign_role(deps.sessions, deps.config, deps.chat(client), incident_in(deps, channel_id),
                                 user_id, str(action.get("value", "")), [user_id], deps.clock)

        guarded(via_respond(respond), work)

    def form_opener(form: str) -> Any:
        def on_open(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            reply = via_respond(respond)
            channel_id = body.get("channel", {}).get("id", "")
            guarded(reply, lambda: forms.open_form(deps, client, body["trigger_id"], reply, form,
                                                   incident_in(deps, channel_id), body["user"]["id"]))
        return on_open

    app.action(Action.OPEN_ROLES)(form_opener("roles"))
    app.action(Action.OPEN_SEVERITY)(form_opener("severity"))
    app.action(Action.OPEN_UPDATE)(form_opener("update"))

    @app.action(Action.STATUS)
    def on_status(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], body.get("channel", {}).get("id", "")
        target = (action.get("selected_option") or {}).get("value", "")

        def work() -> None:
            incident = incident_in(deps, channel_id)
            if target == lifecycle.RESOLVED:  # the resolve form asks for the summary
                forms.open_form(deps, client, body["trigger_id"], reply, "resolve", incident, user_id)
            elif target == lifecycle.CLOSED:  # closing writes the postmortem
                closing.close(deps.sessions, deps.config, deps.chat(client), SlackPostmortemDesk(client),
                              deps.templates, incident, user_id, deps.clock)
            else:
                steering.move_status(deps.sessions, deps.config, deps.chat(client), incident, user_id, target,
                                     deps.clock)

        reply = via_respond(respond)
        guarded(reply, work)
