"""`/incident note <text>` (a key event) and `/incident timeline` (the key events so far), ephemeral."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import IncidentConfig
from bot.errors import DomainError
from bot.slack import blocks
from bot.slack.commands.context import incident_here
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND
from bot.timeline import queries, service
from bot.timeline.queries import MESSAGE, Entry

SHOWN = 40          # key events in one answer; the CLI exports all of them
ANSWER_MAX = 300    # characters of each line's text shown in the answer
# Slack tokens kept as they are when user text goes back into mrkdwn: mentions, channels, links
TOKEN = re.compile(r"(<(?:[@#!][^<>\s]*|https?://[^<>\s]*)>)")


def mrkdwn(text: str) -> str:
    """Stored text (as the person typed it) back into mrkdwn: `& < >` escaped, Slack tokens kept."""
    return "".join(part if TOKEN.fullmatch(part) else blocks.escape(part) for part in TOKEN.split(text))


def note(deps: Deps, inv: Invocation) -> None:
    """Add a key event to the timeline of the incident whose channel this is."""
    if not inv.args.strip():
        inv.ack(text=f"Say what to note: `{COMMAND} note <text>`, e.g. `{COMMAND} note Rolled back deploy 4521`.")
        return
    try:
        incident = incident_here(deps, inv, "note")
        with deps.begin() as session:
            service.add_note(session, incident.id, inv.user_id, inv.args, deps.clock())
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    inv.ack(text=f":pushpin: Noted in the timeline of {incident.label}: {mrkdwn(inv.args.strip())}")


def show(deps: Deps, inv: Invocation) -> None:
    """The key events so far: system events, notes, marked messages."""
    try:
        incident = incident_here(deps, inv, "timeline")
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    with deps.begin() as session:
        entries = queries.key_events(session, incident.id)
    inv.ack(text=key_events_text(incident.label, incident.number, entries, deps.config))


def key_events_text(label: str, number: int, entries: list[Entry], config: IncidentConfig) -> str:
    """The `/incident timeline` answer."""
    if not entries:
        return f"No key events in {label} yet. Mark one with :{config.key_reaction}: or `{COMMAND} note <text>`."
    tz = config.tz()
    lines = [f"*Key events of {label}* ({len(entries)})"]
    if len(entries) > SHOWN:
        lines.append(f"_The last {SHOWN}; `incident-bot timeline {number}` exports them all._")
    lines += [_line(e, tz) for e in entries[-SHOWN:]]
    lines.append(f"_Mark a message with :{config.key_reaction}: or *Add to timeline*; add one with "
                 f"`{COMMAND} note <text>`._")
    return "\n".join(lines)


def _line(e: Entry, tz: ZoneInfo) -> str:
    who = f" <@{e.actor_id}>" if e.actor_id else ""
    text = mrkdwn(blocks.shorten(e.text or "", ANSWER_MAX)).replace("\n", " ")
    if e.kind == MESSAGE:
        return f"• `{_when(e.at, tz)}`{who}: {text}"
    kind = e.kind.replace("_", " ")
    return f"• `{_when(e.at, tz)}` _{kind}_{who}: {text}"


def _when(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
