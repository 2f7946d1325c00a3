"""Block Kit for the bot's messages and modals: pure functions over incident snapshots."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.config import IncidentConfig
from bot.incidents.lifecycle import FINISHED, allowed_next
from bot.incidents.permissions import lead_role
from bot.incidents.views import IncidentView
from bot.slack.ids import Action, Callback
from bot.slack.ids import Block as B
from bot.slack.ids import Option as Opt

HEADER_MAX = 150
TOPIC_MAX = 250
SECTION_MAX = 3000


def escape(text: str) -> str:
    """Escape user text for mrkdwn (`&`, `<`, `>`), so it cannot ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _icon(incident: IncidentView) -> str:
    return "🧪" if incident.is_drill else ("🔒" if incident.is_private else "🚨")


def headline(incident: IncidentView) -> str:
    """`🚨 Incident #42: title`, the one-line name used in headers and fallbacks (unescaped)."""
    return f"{_icon(incident)} {incident.label}: {incident.title}"


def topic(incident: IncidentView) -> str:
    """Channel topic: severity, status and title, shortened to Slack's 250 characters."""
    drill = "DRILL · " if incident.is_drill else ""
    return shorten(f"{drill}{incident.severity} · {incident.status} · {incident.title}", TOPIC_MAX)


def purpose(incident: IncidentView) -> str:
    """Channel purpose: what the channel is for."""
    return shorten(f"Response channel for {incident.label}: {incident.title}", TOPIC_MAX)


def _facts(incident: IncidentView) -> list[MarkdownTextObject]:
    severity = f"*Severity*\n{incident.severity}" + (" (major)" if incident.major else "")
    facts = [severity, f"*Status*\n{incident.status.capitalize()}"]
    if incident.priority:
        facts.append(f"*Priority*\n{incident.priority}")
    if incident.category:
        facts.append(f"*Category*\n{escape(incident.category)}")
    if incident.service:
        facts.append(f"*Affected service*\n{escape(incident.service)}")
    facts.append(f"*Declared by*\n<@{incident.reporter_id}>")
    return [MarkdownTextObject(text=f) for f in facts]


def _stamp(when: datetime) -> str:
    """A time every reader sees in their own time zone (the ISO form is the fallback)."""
    iso = when.isoformat(timespec="seconds")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} at {{time}}|{iso}>"


def _when(incident: IncidentView) -> str:
    return _stamp(incident.declared_at)


def people(user_ids: tuple[str, ...] | list[str]) -> str:
    """`<@U1>, <@U2>`, or `_unassigned_` when nobody."""
    return ", ".join(f"<@{u}>" for u in user_ids) or "_unassigned_"


def roles_text(incident: IncidentView) -> str:
    """One line per role with its current holders."""
    return "\n".join(f"*{role.capitalize()}*: {people(users)}" for role, users in incident.holders)


def commander_of(incident: IncidentView, config: IncidentConfig) -> str:
    """The commander's mention, or `_unassigned_`."""
    return people(incident.holders_of(lead_role(config)))


def card_controls(incident: IncidentView, config: IncidentConfig) -> list[Block]:
    """The card's buttons (claim a role, the roles/severity/update forms) and status select; none once finished."""
    if incident.status in FINISHED:
        return []
    lead = lead_role(config)
    claims = [ButtonElement(text="Take command" if r.name == lead else f"Join as {r.name}"[:75],
                            action_id=f"{Action.CLAIM_ROLE}{r.name}", value=r.name,
                            style="primary" if r.name == lead else None) for r in config.roles[:20]]
    forms = [ButtonElement(text="Assign roles", action_id=Action.OPEN_ROLES, value=str(incident.id)),
             ButtonElement(text="Change severity", action_id=Action.OPEN_SEVERITY, value=str(incident.id)),
             ButtonElement(text="Post update", action_id=Action.OPEN_UPDATE, value=str(incident.id))]
    controls: list[Block] = [ActionsBlock(block_id=B.CARD_ACTIONS, elements=[*claims, *forms])]
    descriptions = {s.name: s.description for s in config.statuses}
    allowed = allowed_next(config, incident.status)
    if allowed:
        controls.append(ActionsBlock(block_id=B.CARD_STATUS, elements=[StaticSelectElement(
            action_id=Action.STATUS, placeholder="Move status to…",
            options=_options(allowed, {**descriptions, "declined": "A false alarm"}))]))
    return controls


def card(incident: IncidentView, config: IncidentConfig) -> list[dict[str, Any]]:
    """The incident card posted (and later kept current) in the incident channel."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=shorten(headline(incident), HEADER_MAX))),
    ]
    if len(headline(incident)) > HEADER_MAX:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=shorten(f"*{escape(incident.title)}*",
                                                                        SECTION_MAX))))
    blocks.append(SectionBlock(fields=_facts(incident)))
    if incident.description:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=shorten(escape(incident.description),
                                                                        SECTION_MAX))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=roles_text(incident))))
    blocks += card_controls(incident, config)
    context = [f"Declared {_when(incident)}"]
    if incident.last_update_at:
        context.append(f"last update {_stamp(incident.last_update_at)}")
    if incident.source_permalink:
        context.append(f"<{incident.source_permalink}|from this message>")
    if incident.is_drill:
        context.append("*DRILL*: practice only, kept out of metrics")
    if incident.is_private:
        context.append("🔒 Private: only invited people see this channel")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(context))]))
    return [b.to_dict() for b in blocks]


def announcement(incident: IncidentView, config: IncidentConfig) -> list[dict[str, Any]]:
    """The one card per incident in the announcement channel."""
    lines = [
        f"{_icon(incident)} *{incident.label}* · {incident.severity} · {incident.status}",
        f"*{shorten(escape(incident.title), 2000)}*",
    ]
    if incident.service:
        lines.append(f"Affected service: {escape(incident.service)}")
    lines.append(f"Commander: {commander_of(incident, config)}")
    if incident.last_update_at:
        lines.append(f"Last update: {_stamp(incident.last_update_at)} (in the thread)")
    if incident.postmortem_permalink:
        lines.append(f"📄 <{incident.postmortem_permalink}|Postmortem>")
    lines.append(f"Join <#{incident.channel_id}> · declared by <@{incident.reporter_id}>")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    if incident.is_drill:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="This is a drill: practice only.")]))
    return [b.to_dict() for b in blocks]


def _options(names: list[str] | tuple[str, ...], descriptions: dict[str, str] | None = None) -> list[Option]:
    descriptions = descriptions or {}
    return [Option(value=n, text=shorten(f"{n}: {descriptions[n]}" if descriptions.get(n) else n, 75))
            for n in names]


def declare_modal(config: IncidentConfig, *, title: str = "", description: str = "",
                  metadata: dict[str, str] | None = None, private: bool = False,
                  drill: bool = False) -> dict[str, Any]:
    """The declare form: title and severity required, the rest optional."""
    severities = _options(config.severity_names, {s.name: s.description for s in config.severities})
    default_sev = next(o for o in severities if o.value == config.default_severity)
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
            action_id=Action.PRIORITY, options=_options(config.priorities), placeholder="Choose a priority")),
        InputBlock(block_id=B.CATEGORY, label="Category", optional=True, element=StaticSelectElement(
            action_id=Action.CATEGORY, options=_options(config.categories), placeholder="Choose a category")),
        InputBlock(block_id=B.SERVICE, label="Affected service", optional=True, element=PlainTextInputElement(
            action_id=Action.SERVICE, max_length=200, placeholder="e.g. checkout-api")),
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


def help_text(commands: list[tuple[str, str]]) -> str:
    """The `/incident help` answer."""
    lines = ["*Incident bot*: declare and run incidents without leaving Slack.", ""]
    lines += [f"`{usage}`  {what}" for usage, what in commands]
    lines += ["", "Shortcuts: *Declare incident* (global); on a message: *Declare incident from this message*, "
                  "*Add to timeline* (or react with :pushpin:) and *Add as follow-up*."]
    return "\n".join(lines)


def incident_list(incidents: list[IncidentView], config: IncidentConfig) -> str:
    """The `/incident list` answer."""
    if not incidents:
        return "No open incidents. :tada:  Declare one with `/incident declare <title>`."
    lines = [f"*Open incidents* ({len(incidents)})"]
    for i in incidents:
        drill = " · DRILL" if i.is_drill else ""
        lock = " · 🔒 private" if i.is_private else ""
        lines.append(f"• *#{i.number}* {escape(shorten(i.title, 200))} · {i.severity} · {i.status} · "
                     f"commander: {commander_of(i, config)} · <#{i.channel_id}>{drill}{lock}")
    return "\n".join(lines)
