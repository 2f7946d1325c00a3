"""Follow-ups: `/incident followup <what> [@owner] [due YYYY-MM-DD]`, `/incident followup done|wontdo <n>`,
`/incident followups`, the *Add as follow-up* message shortcut, and the due DM's Done and Won't do buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import DomainError, InvalidInput
from bot.followups import adding, closing, nudging
from bot.followups import service as followups
from bot.followups.models import Followup
from bot.incidents import queries
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import date_token, unescape
from bot.slack.blocks import followups as blocks
from bot.slack.blocks.followups import followup_list
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Action, Callback
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond

CLOSE = re.compile(r"^(done|wontdo|won't-?do|wont-do)(?:\s+(\S+))?\s*$", re.IGNORECASE)


def add_followup(deps: Deps, inv: Invocation) -> None:
    """Record an action item: `<text> [@owner] [due YYYY-MM-DD]`; or close one: `done <n>`, `wontdo <n>`."""
    incident = incident_here(deps, inv, "followup")
    closing_words = CLOSE.match(inv.args)
    if closing_words:
        close_numbered(deps, inv, incident, closing_words.group(1).lower(), closing_words.group(2))
        return
    request = followups.parse(inv.args, deps.clock().date())
    inv.ack()
    deps.after_ack(inv.reply, lambda: adding.add_followup(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                          inv.user_id, request, deps.clock))


def close_numbered(deps: Deps, inv: Invocation, incident: IncidentSnapshot, word: str, number: str | None) -> None:
    """`/incident followup done 2`: close the incident's follow-up 2; the channel hears it."""
    outcome = closing.DONE if word == "done" else closing.WONT_DO
    if number is None or not number.isdigit():
        raise InvalidInput(f"Say which follow-up: `{COMMAND} followup {word} <n>`, with n from `{COMMAND} followups`.")
    with deps.begin() as s:
        item_id = closing.numbered(s, incident.id, int(number)).id
    inv.ack()
    deps.after_ack(inv.reply, lambda: closing.close_followup(deps.sessions, deps.config, deps.chat(inv.client),
                                                             incident, inv.user_id, item_id, outcome, deps.clock))


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

    for action_id, outcome in ((Action.FOLLOWUP_DONE, closing.DONE), (Action.FOLLOWUP_WONT_DO, closing.WONT_DO)):
        _register_button(app, deps, action_id, outcome)


def _register_button(app: App, deps: Deps, action_id: str, outcome: str) -> None:
    @app.action(action_id)
    def on_close(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        user_id, reply = body["user"]["id"], via_respond(respond)

        def edit(s: Any) -> None:  # the DM says how it ended, without its buttons
            item = s.get(Followup, int(action.get("value") or 0))
            when = date_token(item.done_at, "{date_short_pretty} at {time}") if item.done_at else ""
            respond(text=blocks.closed(nudging.view_of(s, item), item.outcome, item.done_by, when),
                    replace_original=True)

        def work() -> None:
            with deps.begin() as s:
                item = s.get(Followup, int(action.get("value") or 0))
                incident = queries.by_id(s, deps.config, item.incident_id) if item is not None else None
            if item is None or incident is None:
                raise InvalidInput("That follow-up no longer exists.")
            try:
                closing.close_followup(deps.sessions, deps.config, deps.chat(client), incident, user_id, item.id,
                                       outcome, deps.clock, committed=lambda _: _in_session(deps, edit))
            except DomainError:
                _in_session(deps, edit)  # closed already (by someone else, or a second press): show how
                raise
        deps.after_ack(reply, work)


def _in_session(deps: Deps, fn: Any) -> None:
    with deps.begin() as s:
        fn(s)
