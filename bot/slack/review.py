"""The resolve form's submission and the "Add as follow-up" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError, InvalidInput
from bot.followups import adding
from bot.followups import service as followups
from bot.incidents import queries, resolving
from bot.slack import forms
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import COMMAND, Action, Block, Callback
from bot.slack.replies import ephemeral_or_dm, via_respond


def _value(view: dict[str, Any], block: str, action: str) -> str | None:
    value = forms.selected(view.get("state", {}).get("values", {}), block, action)
    return str(value) if value is not None else None


def register(app: App, deps: Deps) -> None:
    """Resolve form; follow-up shortcut."""

    @app.view(Callback.RESOLVE_MODAL)
    def on_resolve(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        try:
            incident = forms.form_incident(deps, view)
            summary = resolving.clean(_value(view, Block.SUMMARY, Action.SUMMARY), Block.SUMMARY, required=True)
            impact = resolving.clean(_value(view, Block.IMPACT, Action.IMPACT), Block.IMPACT)
            root_cause = resolving.clean(_value(view, Block.ROOT_CAUSE, Action.ROOT_CAUSE), Block.ROOT_CAUSE)
        except InvalidInput as exc:
            ack(response_action="errors", errors={exc.field or Block.SUMMARY: exc.message})
            return
        except DomainError as exc:
            ack(response_action="errors", errors={Block.SUMMARY: exc.message})
            return
        ack()
        reply = ephemeral_or_dm(client, user_id, incident.channel_id)
        guarded(reply, lambda: resolving.resolve(deps.sessions, deps.config, deps.chat(client), incident, user_id,
                                                 summary or "", impact, root_cause, deps.clock))

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
            request = followups.parse(message.get("text", ""), deps.clock().date())
            adding.add_followup(deps.sessions, deps.config, deps.chat(client), incident, user_id, request,
                                deps.clock, source_ts=message.get("ts"))
            reply("Added as a follow-up. See them all with `/incident followups`.")

        guarded(reply, work)
