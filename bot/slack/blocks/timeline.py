"""Text for `/incident timeline` (the key events so far): pure functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import IncidentConfig
from bot.markup import date_token, escape_keeping_tokens, shorten
from bot.slack.ids import COMMAND
from bot.timeline.queries import MESSAGE, Entry

SHOWN = 40          # key events in one answer; the CLI exports all of them
ANSWER_MAX = 300    # characters of each line's text shown in the answer


def key_events_text(label: str, number: int, entries: list[Entry], config: IncidentConfig) -> str:
    """The `/incident timeline` answer."""
    if not entries:
        return f"No key events in {label} yet. Mark one with :{config.key_reaction}: or `{COMMAND} note &lt;text&gt;`."
    tz = config.tz()
    lines = [f"*Key events of {label}* ({len(entries)})"]
    if len(entries) > SHOWN:
        lines.append(f"_The last {SHOWN}; `incident-bot timeline {number}` exports them all._")
    lines += [_line(e, tz) for e in entries[-SHOWN:]]
    lines.append(f"_Mark a message with :{config.key_reaction}: or *Add to timeline*; add one with "
                 f"`{COMMAND} note &lt;text&gt;`._")
    return "\n".join(lines)


def _line(e: Entry, tz: ZoneInfo) -> str:
    who = f" <@{e.actor_id}>" if e.actor_id else ""
    text = escape_keeping_tokens(shorten(e.text or "", ANSWER_MAX)).replace("\n", " ")
    if e.kind == MESSAGE:
        return f"• {_when(e.at, tz)}{who}: {text}"
    kind = e.kind.replace("_", " ")
    return f"• {_when(e.at, tz)} _{kind}_{who}: {text}"


def _when(at: datetime, tz: ZoneInfo) -> str:
    """Each reader sees the time in their own zone; the fallback names the configured zone."""
    fallback = at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    return date_token(at, "{date_short} {time}", fallback)
