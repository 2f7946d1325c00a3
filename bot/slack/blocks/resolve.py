"""Block Kit for the resolve form: pure functions."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.slack.blocks.steering import metadata
from bot.slack.ids import Action, Callback
from bot.slack.ids import Block as B


def resolve_modal(incident: IncidentSnapshot) -> dict[str, Any]:
    """Summary required; impact and root cause optional (they can be filled in for the postmortem later)."""
    blocks: list[Block] = [
        SectionBlock(text=f"*{shorten(escape(incident.label + ': ' + incident.title), 2900)}*"),
        InputBlock(block_id=B.SUMMARY, label="How was service restored?", element=PlainTextInputElement(
            action_id=Action.SUMMARY, multiline=True, max_length=3000,
            initial_value=incident.summary or None, placeholder="e.g. Rolled back v2.3; error rate back to normal")),
        InputBlock(block_id=B.IMPACT, label="Impact", optional=True, element=PlainTextInputElement(
            action_id=Action.IMPACT, multiline=True, max_length=3000,
            placeholder="Who was affected, how much, for how long")),
        InputBlock(block_id=B.ROOT_CAUSE, label="Root cause (if known)", optional=True,
                   element=PlainTextInputElement(action_id=Action.ROOT_CAUSE, multiline=True, max_length=3000)),
    ]
    return View(type="modal", callback_id=Callback.RESOLVE_MODAL, title="Resolve the incident",
                submit="Resolve", close="Cancel", blocks=blocks, private_metadata=metadata(incident),
                notify_on_close=True).to_dict()  # view_closed: the card's select is put back
