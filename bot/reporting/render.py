"""The report as Markdown, CSV or a standalone HTML page with its charts embedded (PNG, base64)."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.reporting.figures import CSV_COLUMNS, CSV_DURATIONS, Report, Stats
from bot.reporting.queries import MEASURES, Summary
from bot.reporting.text import DETECTION_NOTE, left_out_line, rate, spoken

DIMENSION_TITLES = {"severity": "By severity", "service": "By affected service", "category": "By category",
                    "month": "By month (UTC)"}
MEASURE_TITLES = {"detect": "to detect", "acknowledge": "to acknowledge", "mitigate": "to mitigate",
                  "resolve": "to resolve"}


def csv_text(rows: Iterable[dict[str, Any]]) -> str:
    """One line per incident: the interface's columns, ISO 8601 UTC times, then durations in whole seconds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + CSV_DURATIONS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS] +
                        ["" if row[d] is None else round(float(row[d])) for d in CSV_DURATIONS])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def _summary_cells(s: Summary | None) -> list[str]:
    if s is None or not s.count:
        return ["0", "n/a", "n/a", "n/a"]
    return [str(s.count), spoken(s.mean), spoken(s.median), spoken(s.p90)]


def tables(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table, shared by Markdown and HTML."""
    stats = report.stats
    header = ["measure", "incidents", "mean", "median", "p90"]
    out = [("Time from declaration, all counted incidents", header,
            [[MEASURE_TITLES[m], *_summary_cells(stats.overall.get(m))] for m in MEASURES])]
    for dim, title in DIMENSION_TITLES.items():
        rows = []
        for group, n in sorted(report.counts.get(dim, {}).items()):
            measured = report.breakdown.get(dim, {}).get(group, {})
            for m in ("acknowledge", "mitigate", "resolve"):
                rows.append([group, str(n), MEASURE_TITLES[m], *_summary_cells(measured.get(m))[1:]])
        out.append((title, [dim, "incidents", "measure", "mean", "median", "p90"], rows))
    out.append(_sla_table(stats))
    out.append(("Time spent in each status, per incident", ["status", "incidents", "mean", "median", "p90"],
                [[s, *_summary_cells(v)] for s, v in report.status_time.items()]))
    return out


def _sla_table(stats: Stats) -> tuple[str, list[str], list[list[str]]]:
    def cell(n: int | None) -> str:
        return "no target" if n is None else str(n)
    rows = [[b.severity, str(b.incidents), cell(b.acknowledge), cell(b.resolve)] for b in stats.breaches]
    return ("SLA breaches" if rows else "SLA breaches (no `sla` targets configured)",
            ["severity", "incidents", "acknowledge breached", "resolve breached"], rows)


def _headline(stats: Stats, tz: ZoneInfo) -> list[str]:
    since, until = stats.period.since.astimezone(tz), stats.period.until.astimezone(tz)
    counts = ", ".join(f"{s}: {n}" for s, n in sorted(stats.by_severity.items())) or "none"
    fu = stats.followups
    return [f"Incidents declared from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} ({tz.key}).",
            f"Counted: {stats.total} ({counts}). {left_out_line(stats.left_out)}",
            f"Follow-ups: {rate(fu.done, fu.total)}; open ones median age {spoken(fu.open_age.median)}, "
            f"done ones median {spoken(fu.time_to_done.median)} after being recorded.",
            DETECTION_NOTE, "Median: the middle value (mean of the two middle ones for an even count); "
            "p90: nearest rank, the ⌈0.9·n⌉-th smallest."]


def markdown(report: Report, tz: ZoneInfo, generated: datetime) -> str:
    """The report as Markdown (the charts are in the HTML one)."""
    lines = [f"# Incident report, {generated.astimezone(tz):%Y-%m-%d %H:%M}", ""]
    lines += [f"- {line}" for line in _headline(report.stats, tz)]
    for title, header, rows in tables(report):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows] or ["| " + " | ".join(
            ["none"] + [""] * (len(header) - 1)) + " |"]
    return "\n".join(lines) + "\n"


def _md(cell: str) -> str:
    return html.escape(cell, quote=False).replace("|", "\\|")


def html_page(report: Report, tz: ZoneInfo, generated: datetime, charts: Sequence[tuple[str, bytes]]) -> str:
    """A standalone page (no JavaScript, nothing fetched): headline, charts, tables; all text escaped."""
    e = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Incident report {generated.astimezone(tz):%Y-%m-%d}</title>",
             "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
             "text-align:left}img{max-width:100%}</style></head><body>",
             f"<h1>Incident report, {generated.astimezone(tz):%Y-%m-%d %H:%M}</h1>", "<ul>"]
    parts += [f"<li>{e(line)}</li>" for line in _headline(report.stats, tz)] + ["</ul>"]
    for title, png in charts:
        data = base64.b64encode(png).decode()
        parts.append(f'<figure><img alt="{e(title)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{e(title)}</figcaption></figure>")
    for title, header, rows in tables(report):
        parts += [f"<h2>{e(title)}</h2>", "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
        parts.append("</table>")
    return "\n".join([*parts, "</body></html>"]) + "\n"
