"""Text and Block Kit for follow-ups: `/incident followups`, the owner's DM when one is due (Done and
Won't do buttons), the DM once closed, and the digest of open follow-ups. Pure functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from bot.config import COMMAND
from bot.followups.closing import WONT_DO, said
from bot.followups.models import Followup
from bot.followups.ports import FollowupView
from bot.followups.service import USAGE
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.slack.ids import Action

DIGEST_LINES = 150  # a message stays readable (and under Slack's 40,000 characters)


def followup_list(incident: IncidentSnapshot, followups: list[Followup]) -> str:
    """`/incident followups`."""
    if not followups:
        return f"{incident.label} has no follow-ups yet. Add one with `{escape(USAGE)}`."
    lines = [f"*Follow-ups of {incident.label}* ({len(followups)})"]
    for n, f in enumerate(followups, 1):
        owner = f" · <@{f.owner_id}>" if f.owner_id else " · _no owner_"
        due = f" · due {f.due_on.isoformat()}" if f.due_on else ""
        kind = "".join(f" · {x}" for x in (f.action_type, f.priority) if x)
        done = ""
        if f.done_at:
            done = " · 🚫 won't do" if f.outcome == WONT_DO else " · ✅ done"
        lines.append(f"{n}. {escape(shorten(f.text, 500))}{kind}{owner}{due}{done}")
    if any(f.done_at is None for f in followups):
        lines.append(f"Close one with `{COMMAND} followup done <n>` or `{COMMAND} followup wontdo <n>`.")
    return "\n".join(lines)


def _where(item: FollowupView) -> str:
    title = shorten(escape(item.incident_title), 120)
    what = "a private incident" if item.is_private else f"{item.incident_label} ({title})"
    return f"{what} in <#{item.channel_id}>" if item.channel_id else what


def nudge(item: FollowupView) -> tuple[str, list[dict[str, Any]]]:
    """The owner's DM: the follow-up is due today, with Done and Won't do buttons."""
    due = item.due_on.isoformat() if item.due_on else "today"
    text = (f":spiral_note_pad: A follow-up of {_where(item)} is due ({due}): "
            f"{escape(shorten(item.text, 1500))}")
    buttons = [ButtonElement(text="Done", action_id=Action.FOLLOWUP_DONE, value=str(item.id), style="primary"),
               ButtonElement(text="Won't do", action_id=Action.FOLLOWUP_WONT_DO, value=str(item.id))]
    return text, [SectionBlock(text=MarkdownTextObject(text=text)).to_dict(), ActionsBlock(elements=buttons).to_dict()]


def closed(item: FollowupView, outcome: str | None, by: str | None, when: str) -> str:
    """The DM once the follow-up is closed (its buttons gone)."""
    icon = ":no_entry_sign:" if outcome == WONT_DO else ":white_check_mark:"
    return (f"{icon} Follow-up {item.n} of {_where(item)} closed as *{said(outcome)}* by <@{by}> {when}: "
            f"{escape(shorten(item.text, 1500))}")


def digest(items: list[FollowupView], today: date, hidden: int) -> str:
    """The digest: open follow-ups by incident, overdue first, each with its owner and due date."""
    overdue = sum(1 for i in items if i.overdue(today))
    if not items:
        lines = [":spiral_note_pad: *Open follow-ups*: none. Well done."]
    else:
        lines = [f":spiral_note_pad: *Open follow-ups*: {len(items)}, {overdue} overdue"]
    incident = None
    for shown, item in enumerate(items):
        if shown == DIGEST_LINES:
            lines.append(f"… and {len(items) - shown} more: see `{COMMAND} followups` in each incident channel.")
            break
        if item.incident_label != incident:
            incident = item.incident_label
            lines.append(f"*{_where(item)}*")
        owner = f"<@{item.owner_id}>" if item.owner_id else "_no owner_"
        due = f"due {item.due_on.isoformat()}" if item.due_on else "no due date"
        late = ":red_circle: overdue, " if item.overdue(today) else ""
        lines.append(f"  {item.n}. {escape(shorten(item.text, 200))} · {owner} · {late}{due}")
    if hidden:
        lines.append(f"_{hidden} more of private incidents, not shown here._")
    if items:
        lines.append(f"Close one in its channel with `{COMMAND} followup done <n>` (or `wontdo <n>`).")
    return "\n".join(lines)
