"""Block Kit for the resolve form: pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DateTimePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.incidents.resolving import DETECTION, MAX_FIELD, default_window
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.postmortem.story import first_summary
from bot.slack.blocks.steering import metadata
from bot.slack.ids import Action, Callback
from bot.slack.ids import Block as B


def resolve_modal(incident: IncidentSnapshot, now: datetime) -> dict[str, Any]:
    """How service was restored required; the postmortem's facts prefilled or optional (editable later)."""
    began, ended = default_window(incident, now)
    summary = first_summary(incident.title, incident.impact, ended - began, now - incident.declared_at)
    blocks: list[Block] = [
        SectionBlock(text=f"*{shorten(escape(incident.label + ': ' + incident.title), 2900)}*"),
        _text(B.OVERVIEW, Action.OVERVIEW, "Summary", optional=True, initial=shorten(summary, MAX_FIELD),
              hint="What happened, the impact, how long: the postmortem opens with it"),
        _text(B.SUMMARY, Action.SUMMARY, "How was service restored?", initial=incident.summary,
              placeholder="e.g. Rolled back v2.3; error rate back to normal"),
        _text(B.IMPACT, Action.IMPACT, "Impact", optional=True, placeholder="Who was affected, how much"),
        _when(B.IMPACT_BEGAN, Action.IMPACT_BEGAN, "Customer impact began", began),
        _when(B.IMPACT_ENDED, Action.IMPACT_ENDED, "Customer impact ended", ended),
        _count(B.USERS_AFFECTED, Action.USERS_AFFECTED, "Users affected"),
        _count(B.TICKETS, Action.TICKETS, "Support tickets"),
        InputBlock(block_id=B.DETECTION, label="How was it detected?", optional=True,
                   element=StaticSelectElement(action_id=Action.DETECTION, placeholder="Choose one",
                                               options=[Option(value=k, label=v) for k, v in DETECTION.items()])),
        _text(B.TRIGGER, Action.TRIGGER, "Trigger", optional=True,
              placeholder="What set it off: a deploy, a config change, a traffic spike, a dependency"),
        _text(B.ROOT_CAUSE, Action.ROOT_CAUSE, "Root cause (if known)", optional=True),
    ]
    return View(type="modal", callback_id=Callback.RESOLVE_MODAL, title="Resolve the incident",
                submit="Resolve", close="Cancel", blocks=blocks, private_metadata=metadata(incident),
                notify_on_close=True).to_dict()  # view_closed: the card's select is put back


def _text(block: str, action: str, label: str, *, optional: bool = False, initial: str | None = None,
          placeholder: str | None = None, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block, label=label, optional=optional, hint=hint, element=PlainTextInputElement(
        action_id=action, multiline=True, max_length=MAX_FIELD, initial_value=initial or None,
        placeholder=placeholder))


def _when(block: str, action: str, label: str, at: datetime) -> InputBlock:
    return InputBlock(block_id=block, label=label, element=DateTimePickerElement(
        action_id=action, initial_date_time=int(at.timestamp())))


def _count(block: str, action: str, label: str) -> InputBlock:
    return InputBlock(block_id=block, label=label, optional=True, element=NumberInputElement(
        action_id=action, is_decimal_allowed=False, min_value="0", placeholder="Leave blank if not known"))
