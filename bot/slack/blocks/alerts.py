"""Block Kit for alert triage: the message of an alert group, its buttons. Pure functions.

Everything a sender wrote (title, labels, annotations, service) is escaped: it is never mrkdwn nor a mention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.alerts.queries import Recurrence, TriageView
from bot.markup import date_token, escape, shorten
from bot.slack.ids import Action
from bot.slack.ids import Block as B

SECTION_MAX = 3000
LABELS_SHOWN = 12
ICONS = {"firing": "🔥", "acknowledged": "👀", "dismissed": "🔕", "resolved": "✅"}
STATE_TEXT = {"firing": "Firing", "acknowledged": "Acknowledged", "dismissed": "Dismissed as noise",
              "resolved": "Resolved"}


def _when(at: datetime) -> str:
    return date_token(at, "{date_short_pretty} {time_secs}")


def _link(url: str, label: str) -> str:
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"


def headline(view: TriageView) -> str:
    """The plain-text line of the message (notifications and fallbacks)."""
    # the fallback text is mrkdwn too, and what notifications show: a sender's `<!channel>` must not ping
    return shorten(f"{ICONS.get(view.state, '🔔')} {STATE_TEXT.get(view.state, view.state)}: {escape(view.title)} "
                   f"({view.alert_count} alert{'s' if view.alert_count != 1 else ''}, {escape(view.source)})", 300)


def recurrence_text(r: Recurrence) -> str:
    """`Fired 3 times in the last 30 days: 1 declared, 2 dismissed` (or a first time)."""
    if not r.fired:
        return "First time in the last 30 days."
    handled = [f"{n} {what}" for n, what in ((r.declared, "declared"), (r.acknowledged, "acknowledged"),
                                             (r.dismissed, "dismissed"), (r.untouched, "left alone")) if n]
    return f"Fired {r.fired} time{'s' if r.fired != 1 else ''} before in the last 30 days: {', '.join(handled)}."


def _facts(view: TriageView) -> list[MarkdownTextObject]:
    severity = escape(view.severity or "none")
    if view.incident_severity:
        severity += f" → {view.incident_severity}"
    facts = [f"*State*\n{STATE_TEXT.get(view.state, view.state)}", f"*Severity*\n{severity}",
             f"*Alerts*\n{view.alert_count} ({view.firing_count} firing)", f"*Source*\n{escape(view.source)}",
             f"*First seen*\n{_when(view.first_seen)}", f"*Last seen*\n{_when(view.last_seen)}"]
    if view.service:
        facts.append(f"*Service*\n{escape(view.service)}")
    return [MarkdownTextObject(text=shorten(f, 2000)) for f in facts]


def _labels(labels: dict[str, Any]) -> str:
    shown = [f"`{escape(str(k))}={escape(str(v))}`" for k, v in sorted(labels.items())[:LABELS_SHOWN]]
    more = len(labels) - LABELS_SHOWN
    return " ".join(shown) + (f" and {more} more" if more > 0 else "")


def _handled(view: TriageView) -> list[str]:
    lines = []
    if view.incident_number is not None:
        where = f" in <#{view.incident_channel}>" if view.incident_channel else ""
        lines.append(f"🚨 Declared as Incident #{view.incident_number}{where}")
    if view.acknowledged_at is not None:
        lines.append(f"👀 Acknowledged by <@{view.acknowledged_by}> {_when(view.acknowledged_at)}")
    if view.dismissed_at is not None:
        lines.append(f"🔕 Dismissed as noise by <@{view.dismissed_by}> {_when(view.dismissed_at)}")
    return lines


def _buttons(view: TriageView) -> ActionsBlock | None:
    value = str(view.id)
    buttons = []
    if view.incident_number is None:
        buttons.append(ButtonElement(text="Declare", action_id=Action.ALERT_DECLARE, value=value, style="danger"))
    if view.acknowledged_at is None and view.dismissed_at is None:
        buttons.append(ButtonElement(text="Acknowledge", action_id=Action.ALERT_ACKNOWLEDGE, value=value))
    if view.dismissed_at is None and view.incident_number is None:
        buttons.append(ButtonElement(text="Dismiss", action_id=Action.ALERT_DISMISS, value=value))
    return ActionsBlock(block_id=B.TRIAGE_ACTIONS, elements=buttons) if buttons else None


def triage_message(view: TriageView) -> list[dict[str, Any]]:
    """The group's message: what fired, how much, since when, its labels, how often before, who handled it."""
    title = escape(view.title)
    if view.url:
        title = _link(view.url, view.title)
    text = f"{ICONS.get(view.state, '🔔')} *{title}*"
    if view.description:
        text += "\n" + escape(shorten(view.description, 1500))
    blocks: list[Block] = [SectionBlock(text=shorten(text, SECTION_MAX), fields=_facts(view))]
    if view.labels:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(_labels(view.labels), SECTION_MAX))]))
    history = [recurrence_text(view.recurrence), *_handled(view)]
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten("\n".join(history), SECTION_MAX))]))
    actions = _buttons(view)
    if actions is not None:
        blocks.append(actions)
    return [b.to_dict() for b in blocks]
