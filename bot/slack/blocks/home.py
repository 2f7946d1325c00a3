"""Block Kit for the App Home tab: open incidents, yours, your open follow-ups, a Declare button. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.slack.ids import Action

SHOWN = 15  # incidents per list: a Home tab holds 100 blocks


@dataclass(frozen=True)
class HomeFollowup:
    """An open follow-up of the person: which incident, what, when due."""

    number: int
    channel_id: str | None
    text: str
    due_on: date | None


def _incident_line(i: IncidentSnapshot, commander_role: str) -> str:
    commander = ", ".join(f"<@{u}>" for u in i.holders_of(commander_role)) or "_no commander_"
    where = f"<#{i.channel_id}>" if i.channel_id else "no channel yet"
    return (f"*{escape(i.label)}* · {escape(shorten(i.title, 200))}\n"
            f"{i.severity} · {i.status} · commander {commander} · {where}")


def _roles_of(i: IncidentSnapshot, user_id: str) -> str:
    return ", ".join(role for role, users in i.holders if user_id in users)


def home_view(user_id: str, open_incidents: list[IncidentSnapshot], followups: list[HomeFollowup],
              commander_role: str) -> dict[str, Any]:
    """The Home tab of `user_id`."""
    mine = [i for i in open_incidents if _roles_of(i, user_id)]
    blocks: list[Block] = [
        HeaderBlock(text="Incidents"),
        ActionsBlock(elements=[ButtonElement(text="Declare incident", action_id=Action.HOME_DECLARE,
                                             style="danger")]),
        HeaderBlock(text=f"Open incidents ({len(open_incidents)})"),
    ]
    blocks += [SectionBlock(text=MarkdownTextObject(text=_incident_line(i, commander_role)))
               for i in open_incidents[:SHOWN]] or [_empty("No open incidents.")]
    blocks += [DividerBlock(), HeaderBlock(text=f"Your roles ({len(mine)})")]
    blocks += [SectionBlock(text=MarkdownTextObject(text=f"*{escape(i.label)}* · {escape(shorten(i.title, 200))}"
                                                         f"\nYou are {_roles_of(i, user_id)}"
                                                         + (f" · <#{i.channel_id}>" if i.channel_id else "")))
               for i in mine[:SHOWN]] or [_empty("You hold no role in an open incident.")]
    blocks += [DividerBlock(), HeaderBlock(text=f"Your open follow-ups ({len(followups)})")]
    blocks += [SectionBlock(text=MarkdownTextObject(text=_followup_line(f))) for f in followups[:SHOWN]] \
        or [_empty("No open follow-ups.")]
    return View(type="home", blocks=blocks).to_dict()


def _followup_line(f: HomeFollowup) -> str:
    due = f" · due {f.due_on.isoformat()}" if f.due_on else ""
    where = f" · <#{f.channel_id}>" if f.channel_id else ""
    return f"• {escape(shorten(f.text, 500))} (#{f.number}{where}{due})"


def _empty(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])
