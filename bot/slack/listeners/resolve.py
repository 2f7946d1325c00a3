"""Resolving: `/incident resolve` opens the resolve form (summary, impact, root cause); its submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.incidents import lifecycle, resolving
from bot.incidents.snapshots import IncidentSnapshot
from bot.slack.adapters.people import with_mentions
from bot.slack.deps import Deps
from bot.slack.errors import form_refusal
from bot.slack.ids import Action, Block, Callback
from bot.slack.listeners.context import movable_here
from bot.slack.listeners.forms import form_channel, form_incident, form_reply, open_form, show_status, value
from bot.slack.listeners.invocation import Invocation


def resolve(deps: Deps, inv: Invocation) -> None:
    """Open the resolve form (summary, impact, root cause)."""
    incident = movable_here(deps, inv, "resolve", lifecycle.RESOLVED)
    inv.ack()
    deps.after_ack(inv.reply, lambda: open_form(deps, inv.client, inv.trigger_id, inv.reply, "resolve", incident,
                                                inv.user_id, response_url=inv.response_url))


def _text(view: dict[str, Any], block: str, action: str) -> str | None:
    typed = value(view, block, action)
    return str(typed) if typed is not None else None


def read_resolution(deps: Deps, view: dict[str, Any]) -> tuple[IncidentSnapshot, str, str | None, str | None]:
    """(incident, summary, impact, root cause) from the resolve form; InvalidInput names the field to fix."""
    incident = form_incident(deps, view)
    summary = resolving.clean(_text(view, Block.SUMMARY, Action.SUMMARY), Block.SUMMARY, required=True)
    impact = resolving.clean(_text(view, Block.IMPACT, Action.IMPACT), Block.IMPACT)
    root_cause = resolving.clean(_text(view, Block.ROOT_CAUSE, Action.ROOT_CAUSE), Block.ROOT_CAUSE)
    return incident, summary or "", impact, root_cause


def register(app: App, deps: Deps) -> None:
    """The resolve form's submission (a refusal stays in the form); closing it unsubmitted."""

    @app.view_closed(Callback.RESOLVE_MODAL)
    def on_resolve_closed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        ack()  # the card's select may still show *resolved*: re-render it
        deps.after_ack(form_reply(client, body["user"]["id"], view, form_channel(view)),
                       lambda: show_status(deps, client, form_incident(deps, view)))

    @app.view(Callback.RESOLVE_MODAL)
    def on_resolve(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        read = form_refusal(ack, Block.SUMMARY, lambda: read_resolution(deps, view))
        if read is None:
            return
        ack()
        incident, summary, impact, root_cause = read
        user_id = body["user"]["id"]
        def work() -> None:
            typed = [with_mentions(client, t) if t else t for t in (summary, impact, root_cause)]  # `@bob` → mention
            resolving.resolve(deps.sessions, deps.config, deps.chat(client), incident, user_id, typed[0] or "",
                              typed[1], typed[2], deps.clock)

        deps.after_ack(form_reply(client, user_id, view, incident.channel_id), work)
