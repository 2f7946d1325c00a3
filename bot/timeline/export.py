"""The full timeline of an incident as Markdown (for people) or JSON (for tools)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import markup
from bot.timeline import queries
from bot.timeline.ports import Heading
from bot.timeline.queries import MESSAGE, Entry

FORMATS = ("md", "json")


def render(session: Session, incident: Heading, fmt: str, tz: ZoneInfo) -> str:
    """The incident's whole timeline in `fmt` (md or json)."""
    entries = queries.full_timeline(session, incident.id)
    if fmt == "json":
        return to_json(incident, entries)
    if fmt == "md":
        return to_markdown(incident, entries, tz)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def entry_dict(e: Entry) -> dict[str, Any]:
    """One entry as JSON-ready data (times in ISO 8601, UTC)."""
    out: dict[str, Any] = {"at": _iso(e.at), "kind": e.kind, "actor_id": e.actor_id, "text": e.text,
                           "is_key": e.is_key}
    if e.kind == MESSAGE:
        out.update(ts=e.ts, thread_ts=e.thread_ts, files=e.files, links=e.links, edited_at=_iso(e.edited_at),
                   deleted_at=_iso(e.deleted_at), deleted_by=e.deleted_by,
                   revisions=[{"edit_ts": r["edit_ts"], "edited_at": _iso(r["edited_at"]), "text": r["text"]}
                              for r in e.revisions])
    return out


def to_json(incident: Heading, entries: list[Entry]) -> str:
    """The incident's facts and every timeline entry, oldest first."""
    doc = {
        "incident": {"number": incident.number, "title": incident.title, "severity": incident.severity,
                     "priority": incident.priority, "status": incident.status, "is_drill": incident.is_drill,
                     "is_private": incident.is_private, "channel_id": incident.channel_id,
                     "channel_name": incident.channel_name, "declared_at": _iso(incident.declared_at)},
        "key_events": [entry_dict(e) for e in entries if e.is_key and not e.deleted],
        "entries": [entry_dict(e) for e in entries],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def plain(text: str) -> str:
    """Slack tokens as a reader sees them: `<@U1>` → `@U1`, `<#C1|name>` → `#name`, links in Markdown
    (the text is stored as typed, so entities are left alone)."""
    return markup.readable(text, link=markup.markdown_link, entities=False)

def to_markdown(incident: Heading, entries: list[Entry], tz: ZoneInfo) -> str:
    """Key events first, then the full log: every message with its thread, files and edits; tombstones."""
    when = _at(incident.declared_at, tz)
    lines = [f"# {incident.label}: {incident.title}", "",
             f"{incident.severity} · {incident.status} · #{incident.channel_name or '?'} · declared {when}", "",
             "## Key events", ""]
    keys = [e for e in entries if e.is_key and not e.deleted]
    lines += [_line(e, tz) for e in keys] or ["_None yet._"]
    lines += ["", f"## Full timeline ({len(entries)} entries)", ""]
    for e in entries:
        lines.append(_line(e, tz))
        lines += _details(e, tz)
    return "\n".join(lines) + "\n"


def _at(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def _line(e: Entry, tz: ZoneInfo) -> str:
    who = f"@{e.actor_id}" if e.actor_id else "the bot"
    stamp = f"`{_at(e.at, tz)}`"
    if e.kind != MESSAGE:
        return f"- {stamp} **{e.kind.replace('_', ' ')}** ({who}): {plain(e.text or '')}"
    reply = " ↳" if e.thread_ts else ""
    if e.deleted:
        by = f" by @{e.deleted_by}" if e.deleted_by else ""
        deleted_at = _at(e.deleted_at, tz) if e.deleted_at else "?"
        return f"- {stamp}{reply} {who}: _message deleted{by} at {deleted_at}_"
    key = " 📌" if e.is_key else ""
    edited = " _(edited)_" if e.edited_at else ""
    text = plain(e.text or "").replace("\n", "\n  ")
    return f"- {stamp}{reply}{key} {who}: {text}{edited}"


def _details(e: Entry, tz: ZoneInfo) -> list[str]:
    if e.kind != MESSAGE or e.deleted:
        return []
    out = [f"  - file: [{f.get('name')}]({f.get('permalink') or ''}) ({f.get('type') or 'file'})" for f in e.files]
    for r in e.revisions:
        text = plain(r.get("text") or "").replace("\n", " ")
        out.append(f"  - before the edit of {_at(r['edited_at'], tz)}: {text}")
    return out
