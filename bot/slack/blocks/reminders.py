"""Block Kit for reminders: the nudge in the channel, the DM asking for an update, escalations, SLA breaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from bot.config import COMMAND
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.reminders.firing import human
from bot.slack.ids import Action

SNOOZE = timedelta(minutes=30)  # the nudge's Snooze button


def _name(incident: IncidentSnapshot) -> str:
    return f"{incident.label} ({incident.severity}): {shorten(escape(incident.title), 200)}"


def nudge(incident: IncidentSnapshot, person: str | None, every: timedelta) -> tuple[str, list[dict[str, Any]]]:
    """The channel's nudge: who is asked, how often updates are due, and buttons to post or snooze."""
    who = f"<@{person}>" if person else "Nobody holds the communicator or commander role:"
    text = (f":alarm_clock: {who} an update on {incident.label} is due (every {human(every)} at "
            f"{incident.severity}). Post one with `{COMMAND} update <text>`, or pause this with "
            f"`{COMMAND} snooze 30m`.")
    buttons = [ButtonElement(text="Post update", action_id=Action.OPEN_UPDATE, value=str(incident.id),
                             style="primary"),
               ButtonElement(text=f"Snooze {human(SNOOZE)}", action_id=Action.REMINDER_SNOOZE,
                             value=f"{incident.id}:{int(SNOOZE.total_seconds())}")]
    return text, [SectionBlock(text=MarkdownTextObject(text=text)).to_dict(), ActionsBlock(elements=buttons).to_dict()]


def prompt(incident: IncidentSnapshot, every: timedelta) -> tuple[str, list[dict[str, Any]]]:
    """The DM to the communicator (or commander): an update is due, with a Post update button."""
    text = (f":alarm_clock: An update on {_name(incident)} is due in <#{incident.channel_id}> "
            f"(every {human(every)}).")
    button = ButtonElement(text="Post update", action_id=Action.REMINDER_UPDATE, value=str(incident.id),
                           style="primary")
    return text, [SectionBlock(text=MarkdownTextObject(text=text)).to_dict(), ActionsBlock(elements=[button]).to_dict()]


def target_mention(target: str) -> str:
    """How an escalation target is named in a message."""
    if target.startswith("S"):
        return f"<!subteam^{target}>"
    if target.startswith(("C", "G")):
        return f"<#{target}>"
    return target if target.startswith("#") else f"<@{target}>"


def escalation_in_channel(incident: IncidentSnapshot, targets: tuple[str, ...], after: timedelta) -> str:
    """The incident channel hears who was called."""
    to = ", ".join(target_mention(t) for t in targets) or "nobody: set `escalate_to` in the configuration"
    return (f":rotating_light: {incident.label} has had no commander for {human(after)}. Escalated to {to}. "
            f"Take command with `{COMMAND} commander me` or the card's *Take command*.")


def escalation_elsewhere(incident: IncidentSnapshot, after: timedelta) -> str:
    """What a person (DM) or another channel hears: a private incident is not named outside its channel."""
    what = "A private incident" if incident.is_private else _name(incident)
    return (f":rotating_light: {what} has had no commander for {human(after)}. Please take command in "
            f"<#{incident.channel_id}>.")


def breach(incident: IncidentSnapshot, target: str, limit: timedelta) -> str:
    """An SLA target missed."""
    goal = "acknowledged" if target == "acknowledge" else "resolved"
    return (f":warning: SLA missed: {incident.label} ({incident.severity}) was not {goal} within "
            f"{human(limit)} of being declared.")
