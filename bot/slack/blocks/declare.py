"""Block Kit for the declare form: pure functions."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.config import IncidentConfig
from bot.markup import shorten
from bot.slack.blocks.card import options
from bot.slack.ids import Action, Callback
from bot.slack.ids import Block as B
from bot.slack.ids import Option as Opt


def declare_modal(config: IncidentConfig, *, title: str = "", description: str = "",
                  metadata: dict[str, str] | None = None, private: bool = False,
                  drill: bool = False, severity: str | None = None, service: str = "") -> dict[str, Any]:
    """The declare form: title and severity required, the rest optional (`severity`, `service`: prefilled)."""
    severities = options(config.severity_names, {s.name: s.description for s in config.severities})
    default_sev = next(o for o in severities if o.value == (severity or config.default_severity))
    checkboxes = [
        Option(value=Opt.PRIVATE, text="Private: a private channel, never announced"),
        Option(value=Opt.DRILL, text="Drill: practice run, labelled DRILL, kept out of metrics"),
    ]
    blocks: list[Block] = [
        InputBlock(block_id=B.TITLE, label="Title", element=PlainTextInputElement(
            action_id=Action.TITLE, initial_value=shorten(title, 1000) or None, max_length=1000,
            placeholder="What is broken, in a few words")),
        InputBlock(block_id=B.SEVERITY, label="Severity", element=StaticSelectElement(
            action_id=Action.SEVERITY, options=severities, initial_option=default_sev)),
        InputBlock(block_id=B.PRIORITY, label="Priority (urgency)", optional=True, element=StaticSelectElement(
            action_id=Action.PRIORITY, options=options(config.priorities), placeholder="Choose a priority")),
        InputBlock(block_id=B.CATEGORY, label="Category", optional=True, element=StaticSelectElement(
            action_id=Action.CATEGORY, options=options(config.categories), placeholder="Choose a category")),
        InputBlock(block_id=B.SERVICE, label="Affected service", optional=True, element=PlainTextInputElement(
            action_id=Action.SERVICE, max_length=200, initial_value=shorten(service, 200) or None,
            placeholder="e.g. checkout-api")),
        InputBlock(block_id=B.DESCRIPTION, label="Description", optional=True, element=PlainTextInputElement(
            action_id=Action.DESCRIPTION, multiline=True, max_length=3000,
            initial_value=shorten(description, 3000) or None,
            placeholder="What do you see? Since when? Who is affected?")),
        InputBlock(block_id=B.OPTIONS, label="Options", optional=True, element=CheckboxesElement(
            action_id=Action.OPTIONS, options=checkboxes,
            initial_options=[o for o in checkboxes if (o.value == Opt.PRIVATE and private)
                             or (o.value == Opt.DRILL and drill)] or None)),
    ]
    view = View(type="modal", callback_id=Callback.DECLARE_MODAL, title="Declare an incident",
                submit="Declare", close="Cancel", blocks=blocks,
                private_metadata=json.dumps(metadata or {})[:3000])
    return view.to_dict()
