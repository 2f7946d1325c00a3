"""Block Kit and text for steering an incident: the roles, severity and update forms, and the news of each
change (in the channel, under the announcement, in a new role holder's DMs). Pure functions."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.config import IncidentConfig
from bot.incidents.news import (
    FollowupAdded,
    FollowupClosed,
    LevelChange,
    News,
    PostmortemPublished,
    Reclassified,
    RemindersSnoozed,
    Resolution,
    RoleChange,
    StatusChange,
    StatusUpdate,
)
from bot.incidents.snapshots import IncidentSnapshot
from bot.incidents.updates import MAX_UPDATE
from bot.markup import date_token, escape, escape_keeping_mentions, escape_within, shorten, shorten_mrkdwn
from bot.slack.blocks.card import title_line
from bot.slack.ids import Action, Callback
from bot.slack.ids import Block as B
from bot.slack.ids import Option as Opt

SECTION_TEXT = 3000  # Slack's limit on a section's text


def metadata(incident: IncidentSnapshot) -> str:
    """What a form remembers: which incident it is about."""
    return json.dumps({"incident": incident.id, "channel": incident.channel_id})


def _option(name: str, description: str = "") -> Option:
    return Option(value=name, text=shorten(f"{name}: {description}" if description else name, 75))


def roles_modal(incident: IncidentSnapshot, config: IncidentConfig) -> dict[str, Any]:
    """A person picker per role, current holders preselected."""
    blocks: list[Block] = []
    for role in config.roles:
        holders = list(incident.holders_of(role.name))
        element = (UserSelectElement(action_id=Action.ROLE_USERS, placeholder="Choose a person",
                                     initial_user=holders[0] if holders else None) if role.single
                   else UserMultiSelectElement(action_id=Action.ROLE_USERS, placeholder="Choose people",
                                                initial_users=holders or None))
        blocks.append(InputBlock(block_id=f"{B.ROLE_PREFIX}{role.name}", label=role.name.capitalize()[:2000],
                                 hint=shorten(role.description, 2000) or None, optional=True, element=element))
    return View(type="modal", callback_id=Callback.ROLES_MODAL, title=f"Roles · #{incident.number}"[:24],
                submit="Save", close="Cancel", blocks=blocks, private_metadata=metadata(incident)).to_dict()


def severity_modal(incident: IncidentSnapshot, config: IncidentConfig) -> dict[str, Any]:
    """Severity (each with its description) and priority, current values preselected, and a reason."""
    severities = [_option(s.name, s.description + (" (major)" if s.major else "")) for s in config.severities]
    priorities = [_option(p) for p in config.priorities]
    current_sev = next((o for o in severities if o.value == incident.severity), None)
    current_pri = next((o for o in priorities if o.value == incident.priority), None)
    blocks: list[Block] = [
        InputBlock(block_id=B.SEVERITY, label="Severity (impact)", element=StaticSelectElement(
            action_id=Action.SEVERITY, options=severities, initial_option=current_sev)),
        InputBlock(block_id=B.PRIORITY, label="Priority (urgency)", optional=True, element=StaticSelectElement(
            action_id=Action.PRIORITY, options=priorities, initial_option=current_pri,
            placeholder="Choose a priority")),
        InputBlock(block_id=B.REASON, label="Why?", optional=True, element=PlainTextInputElement(
            action_id=Action.REASON, max_length=500, placeholder="e.g. checkout is failing for all EU customers")),
    ]
    return View(type="modal", callback_id=Callback.SEVERITY_MODAL, title=f"Severity · #{incident.number}"[:24],
                submit="Change", close="Cancel", blocks=blocks, private_metadata=metadata(incident)).to_dict()


def update_modal(incident: IncidentSnapshot) -> dict[str, Any]:
    """One text box for a status update, and (unless the incident is private or a drill, which the status
    page never shows) a checkbox to publish it on the status page."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{escape(shorten(title_line(incident), 300))}* · "
                                                  f"{incident.severity} · {incident.status}")),
        InputBlock(block_id=B.UPDATE, label="Update", element=PlainTextInputElement(
            action_id=Action.UPDATE, multiline=True, max_length=MAX_UPDATE,
            placeholder="What is known, what is being done, when the next update comes")),
    ]
    if not incident.is_private and not incident.is_drill:
        blocks.append(InputBlock(block_id=B.PUBLISH, label="Status page", optional=True, element=CheckboxesElement(
            action_id=Action.PUBLISH, options=[Option(value=Opt.PUBLIC, text="Publish on the status page")])))
    return View(type="modal", callback_id=Callback.UPDATE_MODAL, title=f"Update · #{incident.number}"[:24],
                submit="Post", close="Cancel", blocks=blocks, private_metadata=metadata(incident)).to_dict()


def refused_modal(title: str, text: str) -> dict[str, Any]:
    """What a form turns into when the person may not use it: why, and a Close button (no submit)."""
    return View(type="modal", title=title[:24], close="Close",
                blocks=[SectionBlock(text=MarkdownTextObject(text=f":no_entry: {shorten(text, 2900)}"))]).to_dict()


def _role_line(c: RoleChange) -> str:
    if c.user_id is None:
        return f":wave: <@{c.previous}> is no longer {c.role} (by <@{c.by}>)."
    taken = f", taking over from <@{c.previous}>" if c.previous else ""
    if c.by == c.user_id:
        return f":raising_hand: <@{c.user_id}> took the {c.role} role{taken}."
    return f":bust_in_silhouette: <@{c.user_id}> is now {c.role}{taken} (assigned by <@{c.by}>)."


def _level_line(c: LevelChange) -> str:
    arrow = f"{c.old or 'none'} → *{c.new}*"
    why = f"\n> {escape(c.reason)}" if c.reason else ""
    icon = ":rotating_light:" if c.field == "severity" and c.now_major else ":bar_chart:"
    major = (" (now major)" if c.now_major else " (no longer major)") if c.crossed_major else ""
    return f"{icon} <@{c.by}> changed the {c.field}: {arrow}{major}.{why}"


def _status_line(c: StatusChange) -> str:
    if c.reopened:
        return f":leftwards_arrow_with_hook: <@{c.by}> reopened the incident: {c.old} → *{c.new}*."
    return f":arrow_forward: <@{c.by}> moved the status: {c.old} → *{c.new}*."


def _update_line(c: StatusUpdate) -> str:
    public = " · on the status page" if c.public else ""
    head = f":mega: *Update* from <@{c.by}> · {c.severity} · {c.status}{public}\n"
    return head + escape_within(c.text, SECTION_TEXT - len(head))  # cut before escaping, never in an entity


def _review_line(change: Resolution | FollowupAdded | FollowupClosed | PostmortemPublished) -> str:
    if isinstance(change, Resolution):
        lines = [f":white_check_mark: *Resolved* by <@{change.by}>: {escape_keeping_mentions(change.summary)}"]
        if change.impact:
            lines.append(f"*Impact*: {escape_keeping_mentions(change.impact)}")
        if change.root_cause:
            lines.append(f"*Root cause*: {escape_keeping_mentions(change.root_cause)}")
        return "\n".join(lines)
    if isinstance(change, FollowupAdded):
        owner = f" · owner <@{change.owner}>" if change.owner else ""
        due = f" · due {change.due_on}" if change.due_on else ""
        kind = "".join(f" · {x}" for x in (change.action_type, change.priority) if x)
        return f":memo: Follow-up added by <@{change.by}>: {escape_keeping_mentions(change.text)}{kind}{owner}{due}"
    if isinstance(change, FollowupClosed):
        how = "done" if change.outcome == "done" else "dropped (won't do)"
        icon = ":white_check_mark:" if change.outcome == "done" else ":no_entry_sign:"
        return f"{icon} Follow-up {change.n} {how}, closed by <@{change.by}>: {escape_keeping_mentions(change.text)}"
    link = f"<{change.permalink}|the postmortem>" if change.permalink else "the postmortem"
    return f":page_facing_up: The incident is closed; {link} is posted in the channel."


def _reclassified_line(c: Reclassified) -> str:
    return f"<@{c.by}> changed the {c.label}: {escape(c.old or 'none')} → *{escape(c.new or 'none')}*"


def news_line(change: News) -> str:
    """One change as people read it."""
    if isinstance(change, Reclassified):
        return _reclassified_line(change)
    if isinstance(change, Resolution | FollowupAdded | FollowupClosed | PostmortemPublished):
        return _review_line(change)
    if isinstance(change, RoleChange):
        return _role_line(change)
    if isinstance(change, LevelChange):
        return _level_line(change)
    if isinstance(change, StatusChange):
        return _status_line(change)
    if isinstance(change, RemindersSnoozed):
        return f":zzz: <@{change.by}> snoozed update reminders until {date_token(change.until, '{time}')}."
    return _update_line(change)


def news_message(changes: list[News]) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for a message telling `changes`."""
    text = "\n".join(news_line(c) for c in changes)
    blocks = [SectionBlock(text=MarkdownTextObject(text=shorten_mrkdwn(news_line(c), SECTION_TEXT)))
              for c in changes[:49]]
    return text, [b.to_dict() for b in blocks]


def duties_message(incident: IncidentSnapshot, change: RoleChange) -> tuple[str, list[dict[str, Any]]]:
    """The DM a new role holder gets: which incident, which role, its duties."""
    name = shorten(escape(incident.title), 500)
    duties = escape(change.duties) or "Help the response in the channel."
    text = (f"You are now *{change.role}* of {incident.label}: {name} ({incident.severity}, {incident.status}) "
            f"in <#{incident.channel_id}>.")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text)),
                           SectionBlock(text=MarkdownTextObject(text=f"*Your duties*\n{shorten(duties, 2900)}")),
                           ContextBlock(elements=[MarkdownTextObject(text=f"Assigned by <@{change.by}>")])]
    return f"{text}\nYour duties: {duties}", [b.to_dict() for b in blocks]
