"""The declare modal: opening it (commands and shortcuts) and its submission."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.errors import InvalidInput
from bot.incidents import opening
from bot.incidents.service import Declaration, validate
from bot.slack import blocks
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Action, Block, Callback, Option
from bot.slack.replies import Reply, ephemeral_or_dm, open_modal
from bot.slack.runbooks import shelf


def open_declare(deps: Deps, client: WebClient, trigger_id: str, reply: Reply, *, origin_channel: str | None,
                 title: str = "", description: str = "", permalink: str | None = None,
                 private: bool = False, drill: bool = False) -> None:
    """Open the declare modal on `trigger_id`; if Slack refuses, say what to do instead."""
    metadata = {"origin": origin_channel or "", "permalink": permalink or ""}
    view = blocks.declare_modal(deps.config, title=title, description=description, metadata=metadata,
                                private=private, drill=drill)
    open_modal(client, trigger_id, view, reply, form="declare form",
               instead=f"Run `{COMMAND} declare` again, or declare at once with `{COMMAND} declare <title>`.")


def declare_and_reply(deps: Deps, client: WebClient, declaration: Declaration, reply: Reply) -> None:
    """Declare, open the channel, tell the declarer where it is (a repeated submission stays quiet)."""
    incident, created = opening.declare_incident(deps.sessions, deps.config, deps.chat(client), declaration,
                                                 deps.clock, runbooks=shelf(deps, client),
                                                 lease=deps.settings.setup_lease)
    if not created:
        return
    reply(f"{incident.label} declared: <#{incident.channel_id}>. You are in the channel; "
          "gather responders there.")


def _value(values: dict[str, Any], block: str, action: str) -> Any:
    state = values.get(block, {}).get(action) or {}
    if "selected_option" in state:
        option = state["selected_option"]
        return option.get("value") if option else None
    if "selected_options" in state:
        return [o.get("value") for o in state.get("selected_options") or []]
    return state.get("value")


def parse_submission(view: dict[str, Any], user_id: str) -> Declaration:
    """The declaration a submitted declare modal asks for."""
    values = view.get("state", {}).get("values", {})
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    options = _value(values, Block.OPTIONS, Action.OPTIONS) or []
    return Declaration(
        title=_value(values, Block.TITLE, Action.TITLE) or "",
        severity=_value(values, Block.SEVERITY, Action.SEVERITY),
        priority=_value(values, Block.PRIORITY, Action.PRIORITY),
        category=_value(values, Block.CATEGORY, Action.CATEGORY),
        service=_value(values, Block.SERVICE, Action.SERVICE),
        description=_value(values, Block.DESCRIPTION, Action.DESCRIPTION) or "",
        private=Option.PRIVATE in options, drill=Option.DRILL in options, reporter_id=user_id,
        source_channel_id=metadata.get("origin") or None, source_permalink=metadata.get("permalink") or None,
        request_key=f"view:{view['id']}",
    )


def register(app: App, deps: Deps) -> None:
    """The declare modal's submission."""

    @app.view(Callback.DECLARE_MODAL)
    def on_declare_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        try:
            declaration = validate(deps.config, parse_submission(view, user_id))
        except InvalidInput as exc:
            ack(response_action="errors", errors={exc.field or Block.TITLE: exc.message})
            return
        ack()
        reply = ephemeral_or_dm(client, user_id, declaration.source_channel_id)
        deps.later(reply, lambda: declare_and_reply(deps, client, declaration, reply))
