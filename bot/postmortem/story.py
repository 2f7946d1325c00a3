"""The postmortem's reading aids, built from the context's facts: the impact window, time in each severity,
one curated timeline (each change once, labelled), the updates sent, and the message log as threads.
Pure functions over plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import markup

if TYPE_CHECKING:
    from bot.incidents.models import Incident
    from bot.postmortem.context import Change, KeyEvent, LogLine, Person


@dataclass(frozen=True)
class ImpactWindow:
    """When customers were affected: by default from the declaration to mitigation (else resolution)."""

    began: datetime
    ended: datetime | None

    @property
    def duration(self) -> timedelta | None:
        """How long the impact lasted (None while it has not ended)."""
        return self.ended - self.began if self.ended else None


@dataclass(frozen=True)
class SeverityStint:
    """A stretch of the incident spent at one severity."""

    severity: str
    began: datetime
    ended: datetime | None
    duration: timedelta | None


@dataclass(frozen=True)
class TimelineRow:
    """One row of the curated timeline: `label` says what kind (Update, Note, 📌 Pinned, Severity, …)."""

    at: datetime
    label: str
    what: str
    who: Person | None
    marks: tuple[str, ...] = ()  # `impact began`, `impact ended`: printed in bold


@dataclass(frozen=True)
class Thread:
    """A message of the channel and the replies under it (a reply whose parent is gone stands alone)."""

    message: LogLine
    replies: list[LogLine] = field(default_factory=list)


LABELS = {
    "declared": "Declared", "role_assigned": "Role", "role_relieved": "Role", "severity_changed": "Severity",
    "priority_changed": "Priority", "status_changed": "Status", "update_posted": "📣 Update", "note": "📝 Note",
    "message": "📌 Pinned", "resolved": "✅ Resolved", "category_changed": "Category",
    "service_changed": "Service", "runbook_posted": "Runbook", "setup_failed": "Set-up",
}
LEFT_OUT = {"channel_opened", "announced", "followup_added", "postmortem_published", "runbook_step_done",
            "runbook_step_undone"}  # shown in their own sections, or not worth a row


def impact_window(incident: Incident) -> ImpactWindow:
    """The impact window (the resolve form may set it; else declared → mitigated, or resolved)."""
    began = incident.impact_started_at or incident.declared_at
    ended = incident.impact_ended_at or incident.mitigated_at or incident.resolved_at
    return ImpactWindow(began, ended)


def severity_stints(incident: Incident, changes: list[Change]) -> list[SeverityStint]:
    """Each severity the incident was at, from declaration to resolution (or now, if still open)."""
    end = incident.resolved_at or incident.closed_at
    first = changes[0].before if changes and changes[0].before else incident.severity
    marks = [(incident.declared_at, first)] + [(c.at, c.after) for c in changes]
    out = []
    for n, (began, severity) in enumerate(marks):
        ended = marks[n + 1][0] if n + 1 < len(marks) else end
        if ended is not None and began >= ended and n + 1 < len(marks):
            continue  # changed again at once: no time spent there
        out.append(SeverityStint(severity, began, ended, ended - began if ended else None))
    return out


def timeline(key_events: list[KeyEvent], window: ImpactWindow) -> list[TimelineRow]:
    """The key events as one table, each change once; impact began/ended marked on the nearest row."""
    resolved_at = {e.at for e in key_events if e.kind == "resolved"}
    rows = []
    for e in key_events:
        if e.kind in LEFT_OUT or (e.kind == "status_changed" and e.at in resolved_at):
            continue  # the resolve row says it (with how), once
        label = LABELS.get(e.kind, e.kind.replace("_", " ").capitalize())
        rows.append(TimelineRow(e.at, label, _without(label, _one_line(e.text)), e.actor))
    return _marked(_marked(rows, window.began, "impact began"), window.ended, "impact ended")


def _marked(rows: list[TimelineRow], at: datetime | None, mark: str) -> list[TimelineRow]:
    if at is None:
        return rows
    for n, row in enumerate(rows):
        if row.at == at:
            rows[n] = TimelineRow(row.at, row.label, row.what, row.who, (*row.marks, mark))
            return rows
    later = next((n for n, r in enumerate(rows) if r.at > at), len(rows))
    return [*rows[:later], TimelineRow(at, mark.capitalize(), "", None), *rows[later:]]


SAID_TWICE = {"Status", "Severity", "Priority", "Category", "Service", "✅ Resolved"}  # labels their texts repeat


def _without(label: str, text: str) -> str:
    """`Status: a → b` under the label Status reads `a → b` (people's own words are never cut)."""
    if label not in SAID_TWICE:
        return text
    word = label.split(" ")[-1]
    for prefix in (f"{word}: ", f"{word} "):
        if text.lower().startswith(prefix.lower()):
            return text[len(prefix):]
    return text


def _one_line(text: str) -> str:
    return markup.shorten(" ".join(text.split()), 300)


def threads(messages: list[LogLine]) -> list[Thread]:
    """The log as threads: each top-level message with its replies under it, in time order."""
    out: dict[str, Thread] = {}
    for m in messages:
        parent = out.get(m.thread_ts or "") if m.in_thread else None
        if parent is not None:
            parent.replies.append(m)
        else:
            out[m.ts or f"#{len(out)}"] = Thread(m)
    return list(out.values())


def summary(incident: Incident, window: ImpactWindow) -> str:
    """The Summary written in the resolve form, else a first one: what happened, the impact, how long."""
    if incident.overview:
        return incident.overview
    resolved_after = incident.resolved_at - incident.declared_at if incident.resolved_at else None
    return first_summary(incident.title, incident.impact, window.duration, resolved_after)


def first_summary(title: str, impact: str | None, lasted: timedelta | None, resolved_after: timedelta | None) -> str:
    """A first summary from the title, the impact, how long customers were affected and time to resolve
    (the postmortem's, and the resolve form's prefill)."""
    lines = [title.rstrip(".") + "."]
    if impact:
        lines.append(impact.rstrip(".") + ".")
    if lasted is not None:
        lines.append(f"Customers were affected for {markup.duration_text(lasted)}.")
    if resolved_after is not None:
        lines.append(f"Resolved after {markup.duration_text(resolved_after)}.")
    return " ".join(lines)
