"""Resolving: `/incident resolve` opens the resolve form (what the postmortem needs); its submission."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
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
    """Open the resolve form (summary, resolution, impact window, detection, trigger, root cause …)."""
    incident = movable_here(deps, inv, "resolve", lifecycle.RESOLVED)
    inv.ack()
    deps.after_ack(inv.reply, lambda: open_form(deps, inv.client, inv.trigger_id, inv.reply, "resolve", incident,
                                                inv.user_id, response_url=inv.response_url))


def _text(view: dict[str, Any], block: str, action: str) -> str | None:
    typed = value(view, block, action)
    return str(typed) if typed is not None else None


def _picked(view: dict[str, Any], block: str, action: str) -> datetime | None:
    """A datetimepicker's choice (a UNIX time), or None."""
    state = view.get("state", {}).get("values", {}).get(block, {}).get(action) or {}
    at = state.get("selected_date_time")
    return datetime.fromtimestamp(int(at), UTC) if isinstance(at, int | float | str) and str(at).isdigit() else None


def read_resolution(deps: Deps, view: dict[str, Any]) -> tuple[IncidentSnapshot, resolving.Findings]:
    """(incident, what the form says) from the resolve form; InvalidInput names the field to fix."""
    incident = form_incident(deps, view)
    clean = resolving.clean
    began, ended = resolving.impact_window(
        incident, _picked(view, Block.IMPACT_BEGAN, Action.IMPACT_BEGAN),
        _picked(view, Block.IMPACT_ENDED, Action.IMPACT_ENDED), deps.clock(), (Block.IMPACT_BEGAN, Block.IMPACT_ENDED))
    return incident, resolving.Findings(
        resolution=clean(_text(view, Block.SUMMARY, Action.SUMMARY), Block.SUMMARY, required=True) or "",
        impact=clean(_text(view, Block.IMPACT, Action.IMPACT), Block.IMPACT),
        root_cause=clean(_text(view, Block.ROOT_CAUSE, Action.ROOT_CAUSE), Block.ROOT_CAUSE),
        impact_began=began, impact_ended=ended,
        overview=clean(_text(view, Block.OVERVIEW, Action.OVERVIEW), Block.OVERVIEW),
        detection=resolving.detection(_text(view, Block.DETECTION, Action.DETECTION), Block.DETECTION),
        trigger=clean(_text(view, Block.TRIGGER, Action.TRIGGER), Block.TRIGGER),
        users_affected=resolving.count(_text(view, Block.USERS_AFFECTED, Action.USERS_AFFECTED), Block.USERS_AFFECTED),
        tickets=resolving.count(_text(view, Block.TICKETS, Action.TICKETS), Block.TICKETS))


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
        incident, findings = read
        user_id = body["user"]["id"]

        def work() -> None:
            def typed(text: str | None) -> str | None:
                return with_mentions(client, text) if text else text  # `@bob` → mention

            said = replace(findings, resolution=typed(findings.resolution) or "", impact=typed(findings.impact),
                           root_cause=typed(findings.root_cause), overview=typed(findings.overview),
                           trigger=typed(findings.trigger))
            resolving.resolve(deps.sessions, deps.config, deps.chat(client), incident, user_id, said, deps.clock)

        deps.after_ack(form_reply(client, user_id, view, incident.channel_id), work)
