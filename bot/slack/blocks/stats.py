"""Block Kit for `/incident stats`: the figures of a period, ephemeral. Pure functions."""

from __future__ import annotations

from typing import Any

from bot.reporting.figures import Stats
from bot.reporting.queries import Summary
from bot.reporting.text import DETECTION_NOTE, left_out_line, rate, spoken
from bot.slack.ids import COMMAND

MEASURES = (("acknowledge", "Time to acknowledge"), ("mitigate", "Time to mitigate"), ("resolve", "Time to resolve"))


def _measure(name: str, s: Summary) -> str:
    if not s.count:
        return f"*{name}*: none reached it yet"
    return f"*{name}* ({s.count}): median {spoken(s.median)} · p90 {spoken(s.p90)} · mean {spoken(s.mean)}"


def _breaches(stats: Stats) -> str:
    if not stats.breaches:
        return "*SLA breaches*: no SLA targets are set (`sla` in the configuration)."
    lines = ["*SLA breaches*"]
    for b in stats.breaches:
        parts = [f"acknowledge {b.acknowledge}" if b.acknowledge is not None else "",
                 f"resolve {b.resolve}" if b.resolve is not None else ""]
        lines.append(f"• {b.severity} ({b.incidents}): " + ", ".join(p for p in parts if p))
    return "\n".join(lines)


def stats_text(stats: Stats, label: str) -> str:
    """The answer as plain mrkdwn (the notification text, and what the blocks show)."""
    counts = " · ".join(f"{s} {n}" for s, n in sorted(stats.by_severity.items())) or "none"
    fu = stats.followups
    return "\n".join([
        f"*Incidents in the last {label}*: {stats.total} ({counts})",
        *(_measure(title, stats.measure(m)) for m, title in MEASURES),
        _breaches(stats),
        f"*Follow-ups*: {rate(fu.done, fu.total)}" + (f"; open ones median age {spoken(fu.open_age.median)}"
                                                     if fu.open_age.count else ""),
    ])


def stats_blocks(stats: Stats, label: str) -> list[dict[str, Any]]:
    """Header, the figures, and a footnote of what was left out and how the figures are defined."""
    counts = " · ".join(f"*{s}* {n}" for s, n in sorted(stats.by_severity.items())) or "none"
    fu = stats.followups
    figures = "\n".join(_measure(title, stats.measure(m)) for m, title in MEASURES)
    followups = f"*Follow-ups*: {rate(fu.done, fu.total)}" + (
        f"; open ones median age {spoken(fu.open_age.median)}" if fu.open_age.count else "")
    note = (f"{left_out_line(stats.left_out)} Times from the declaration; median = the middle value, "
            f"p90 = nearest rank. {DETECTION_NOTE} `incident-bot report` has the full breakdown; "
            f"`{COMMAND} stats 7d|30d|90d` another period.")
    return [
        {"type": "header", "text": {"type": "plain_text", "text": f"Incidents, last {label}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{stats.total} counted*: {counts}"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": figures}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _breaches(stats)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": followups}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]},
    ]
