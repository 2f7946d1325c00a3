"""Block Kit for the incident card and the announcement; the headline, topic and purpose. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.config import DECLINED, IncidentConfig, Role
from bot.incidents.lifecycle import CLOSED, FINISHED, RESOLVED, allowed_next
from bot.incidents.permissions import lead_role
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import date_token, duration_text, escape, escape_within, shorten
from bot.slack.ids import Action
from bot.slack.ids import Block as B

HEADER_MAX = 150
TOPIC_MAX = 250
SECTION_MAX = 3000


TAKEOVER = ":takeover"  # a claim button's value suffix: the clicker confirmed taking a held role over


def _icon(incident: IncidentSnapshot) -> str:
    if incident.status in (RESOLVED, CLOSED):
        return "✅"
    if incident.status == DECLINED.name:
        return "⚪"
    return "🧪" if incident.is_drill else ("🔒" if incident.is_private else "🚨")


def state_line(incident: IncidentSnapshot) -> str:
    """Where the incident stands, in words: `Resolved after 1 h 11 min`, `Closed`, `Declined: a false alarm`."""
    after = (f" after {duration_text(incident.resolved_at - incident.declared_at)}"
             if incident.resolved_at else "")
    if incident.status == RESOLVED:
        return f"*Resolved*{after}"
    if incident.status == CLOSED:
        return f"*Closed* (resolved{after})" if after else "*Closed*"
    if incident.status == DECLINED.name:
        return "*Declined*: a false alarm"
    return incident.status


def title_line(incident: IncidentSnapshot) -> str:
    """`🚨 Incident #42: title` as plain text (the card's header; plain_text never pings)."""
    return f"{_icon(incident)} {incident.label}: {incident.title}"


def headline(incident: IncidentSnapshot) -> str:
    """`🚨 Incident #42: title`, escaped: the fallback `text` Slack notifies from, so a title typed as
    `@channel …` (delivered as `<!channel>`) shows as typed and pings nobody."""
    return escape(title_line(incident))


def topic(incident: IncidentSnapshot) -> str:
    """Channel topic: severity, status and title, shortened to Slack's 250 characters."""
    drill = "DRILL · " if incident.is_drill else ""
    return shorten(f"{drill}{incident.severity} · {incident.status} · {incident.title}", TOPIC_MAX)


def purpose(incident: IncidentSnapshot) -> str:
    """Channel purpose: what the channel is for."""
    return shorten(f"Response channel for {incident.label}: {incident.title}", TOPIC_MAX)


def _facts(incident: IncidentSnapshot) -> list[MarkdownTextObject]:
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
    return date_token(when, "{date_short_pretty} at {time}")


def _when(incident: IncidentSnapshot) -> str:
    return _stamp(incident.declared_at)


def people(user_ids: tuple[str, ...] | list[str]) -> str:
    """`<@U1>, <@U2>`, or `_unassigned_` when nobody."""
    return ", ".join(f"<@{u}>" for u in user_ids) or "_unassigned_"


def roles_text(incident: IncidentSnapshot) -> str:
    """One line per role with its current holders."""
    return "\n".join(f"*{role.capitalize()}*: {people(users)}" for role, users in incident.holders)


def commander_of(incident: IncidentSnapshot, config: IncidentConfig) -> str:
    """The commander's mention, or `_unassigned_`."""
    return people(incident.holders_of(lead_role(config)))


def card_controls(incident: IncidentSnapshot, config: IncidentConfig) -> list[Block]:
    """The card's buttons (claim a role, the roles/severity/update forms) and status select; none once finished."""
    if incident.status in FINISHED:
        return []
    claims = [b for b in (_claim(incident, config, r) for r in config.roles[:20]) if b is not None]
    forms = [ButtonElement(text="Assign roles", action_id=Action.OPEN_ROLES, value=str(incident.id)),
             ButtonElement(text="Change severity", action_id=Action.OPEN_SEVERITY, value=str(incident.id)),
             ButtonElement(text="Post update", action_id=Action.OPEN_UPDATE, value=str(incident.id))]
    controls: list[Block] = [ActionsBlock(block_id=B.CARD_ACTIONS, elements=[*claims, *forms])]
    descriptions = {s.name: s.description for s in config.statuses}
    allowed = allowed_next(config, incident.status)
    if allowed:
        controls.append(ActionsBlock(block_id=B.CARD_STATUS, elements=[StaticSelectElement(
            action_id=Action.STATUS, placeholder="Move status to…",
            options=options(allowed, {**descriptions, "declined": "A false alarm"}))]))
    return controls


def _claim(incident: IncidentSnapshot, config: IncidentConfig, role: Role) -> ButtonElement | None:
    """A vacant role's claim button; a held lead role's take-over button, which asks first; else none."""
    lead = role.name == lead_role(config)
    action_id = f"{Action.CLAIM_ROLE}{role.name}"
    if not (role.single and incident.holders_of(role.name)):
        return ButtonElement(text="Take command" if lead else f"Join as {role.name}"[:75], action_id=action_id,
                             value=role.name, style="primary" if lead else None)
    if not lead:
        return None  # a held one-holder role changes hands through *Assign roles*
    return ButtonElement(text="Take over command", action_id=action_id, value=f"{role.name}{TAKEOVER}",
                         confirm=ConfirmObject(
                             title="Take over command?", confirm="Take over", deny="Cancel", style="danger",
                             text=shorten(f"{incident.label} has a commander. Taking over makes you commander "
                                          "and relieves them; the channel is told.", 300)))


def card(incident: IncidentSnapshot, config: IncidentConfig) -> list[dict[str, Any]]:
    """The incident card posted (and later kept current) in the incident channel."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=shorten(title_line(incident), HEADER_MAX))),
    ]
    if len(title_line(incident)) > HEADER_MAX:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=shorten(f"*{escape(incident.title)}*",
                                                                        SECTION_MAX))))
    blocks.append(SectionBlock(fields=_facts(incident)))
    if incident.description:
        # people named in the description stay mentions; broadcasts (@channel, @here) are escaped
        blocks.append(SectionBlock(text=MarkdownTextObject(text=escape_within(incident.description, SECTION_MAX))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=roles_text(incident))))
    blocks += card_controls(incident, config)
    context = [f"Declared {_when(incident)}"]
    if incident.last_update_at:
        context.append(f"last update {_stamp(incident.last_update_at)}")
    context += _timers(incident)
    if incident.source_permalink:
        from_slack = ".slack.com/archives/" in incident.source_permalink  # else an alert's source URL
        context.append(f"<{incident.source_permalink}|{'from this message' if from_slack else 'alert source'}>")
    if incident.postmortem_permalink:
        context.append(f"📄 <{incident.postmortem_permalink}|Postmortem>")
    if incident.is_drill:
        context.append("*DRILL*: practice only, kept out of metrics")
    if incident.is_private:
        context.append("🔒 Private: only invited people see this channel")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(context))]))
    return [b.to_dict() for b in blocks]


def _timers(incident: IncidentSnapshot) -> list[str]:
    """When the next update is due (while the incident is open), and the SLA targets missed."""
    out = []
    if incident.update_due_at and incident.status not in (*FINISHED, "resolved"):
        out.append(f"next update due {_stamp(incident.update_due_at)}")
    if incident.sla_breaches:
        out.append(f":warning: SLA missed: {', '.join(incident.sla_breaches)}")
    return out


def announcement(incident: IncidentSnapshot, config: IncidentConfig) -> list[dict[str, Any]]:
    """The one card per incident in the announcement channel."""
    lines = [
        f"{_icon(incident)} *{incident.label}* · {incident.severity} · {state_line(incident)}",
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


def options(names: list[str] | tuple[str, ...], descriptions: dict[str, str] | None = None) -> list[Option]:
    """Select options `name: description` (75 characters at most), in order."""
    descriptions = descriptions or {}
    return [Option(value=n, text=shorten(f"{n}: {descriptions[n]}" if descriptions.get(n) else n, 75))
            for n in names]
