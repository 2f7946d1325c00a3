"""The catch-up card: where an incident stands, for someone who just joined its channel. Pure text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import IncidentConfig
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, escape_keeping_tokens, shorten
from bot.slack.ids import COMMAND
from bot.timeline.kinds import EventKind
from bot.timeline.queries import Entry

KEY_EVENTS = 5  # the last key events shown
TEXT_MAX = 300  # characters of each event's text


@dataclass(frozen=True)
class OpenFollowup:
    """A follow-up not yet done: what, whose."""

    text: str
    owner_id: str | None


def _age(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return f"{days}d {hours}h" if days else f"{hours}h {mins}m" if hours else f"{mins}m"


def _event_line(e: Entry, config: IncidentConfig) -> str:
    when = e.at.astimezone(config.tz()).strftime("%H:%M")
    who = f" <@{e.actor_id}>" if e.actor_id else ""
    text = escape_keeping_tokens(shorten(e.text or "", TEXT_MAX)).replace("\n", " ")
    return f"• `{when}`{who}: {text}"


def catchup_text(incident: IncidentSnapshot, entries: list[Entry], followups: list[OpenFollowup],
                 config: IncidentConfig, now: datetime) -> str:
    """The card: title, severity, status, age, roles, the last update, the last key events, open follow-ups."""
    roles = " · ".join(f"{role}: {', '.join(f'<@{u}>' for u in users) or '_nobody_'}"
                       for role, users in incident.holders) or "_no roles_"
    lines = [f":wave: *Catching up on {escape(incident.label)}*: {escape(shorten(incident.title, 300))}",
             f"{incident.severity} · {incident.status} · open for {_age(incident.declared_at, now)}",
             f"*Roles*: {roles}"]
    update = next((e for e in reversed(entries) if e.kind == EventKind.UPDATE_POSTED), None)
    lines.append(f"*Last update* ({_age(update.at, now)} ago, <@{update.actor_id}>): "
                 f"{escape_keeping_tokens(shorten(update.text or '', 1000))}" if update and update.actor_id
                 else "*Last update*: none yet")
    events = [e for e in entries if e.kind != EventKind.UPDATE_POSTED][-KEY_EVENTS:]
    if events:
        lines.append("*Latest key events*")
        lines += [_event_line(e, config) for e in events]
    if followups:
        lines.append(f"*Open follow-ups* ({len(followups)})")
        lines += [f"• {escape_keeping_tokens(shorten(f.text, TEXT_MAX))}"
                  + (f" (<@{f.owner_id}>)" if f.owner_id else "") for f in followups[:10]]
    lines.append(f"_`{COMMAND} timeline` lists every key event; `{COMMAND} catchup` shows this again._")
    return "\n".join(lines)
