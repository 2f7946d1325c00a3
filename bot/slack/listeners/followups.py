"""Follow-ups: `/incident followup <what> [@owner] [due YYYY-MM-DD]`, `/incident followups`, and the
*Add as follow-up* message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError
from bot.followups import adding
from bot.followups import service as followups
from bot.incidents import queries
from bot.markup import unescape
from bot.slack.blocks.followups import followup_list
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Callback
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond


def add_followup(deps: Deps, inv: Invocation) -> None:
    """Record an action item: `<text> [@owner] [due YYYY-MM-DD]`."""
    incident = incident_here(deps, inv, "followup")
    request = followups.parse(inv.args, deps.clock().date())
    inv.ack()
    deps.after_ack(inv.reply, lambda: adding.add_followup(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                          inv.user_id, request, deps.clock))


def list_followups(deps: Deps, inv: Invocation) -> None:
    """The incident's follow-ups (ephemeral)."""
    incident = incident_here(deps, inv, "followups")
    with deps.begin() as session:
        items = followups.for_incident(session, incident.id)
        text = followup_list(incident, items)
    inv.ack(text=text)


def register(app: App, deps: Deps) -> None:
    """The *Add as follow-up* message shortcut."""

    @app.shortcut(Callback.ADD_FOLLOWUP)
    def on_add_followup(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user_id, channel_id = body["user"]["id"], body.get("channel", {}).get("id", "")
        message = body.get("message", {})
        reply = via_respond(respond)

        def work() -> None:
            with deps.begin() as session:
                incident = queries.by_channel(session, deps.config, channel_id)
            if incident is None:
                raise DomainError(f"Follow-ups belong to incidents: use this on a message in an incident channel, "
                                  f"or type `{COMMAND} followup <what>` there.")
            request = followups.parse(unescape(message.get("text", "")), deps.clock().date())  # Slack escapes it
            adding.add_followup(deps.sessions, deps.config, deps.chat(client), incident, user_id, request, deps.clock,
                                source_ts=message.get("ts"))
            reply(f"Added as a follow-up. See them all with `{COMMAND} followups`.")

        deps.after_ack(reply, work)
