"""The report's charts as PNG bytes, drawn with matplotlib's Agg backend (no display, no pyplot state, so
any thread may draw). Each is WIDTH x HEIGHT pixels."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.reporting.figures import Report

WIDTH, HEIGHT, DPI = 900, 420, 100
COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#67a9cf", "#2166ac", "#999999")  # most severe first


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)  # no bbox "tight": the size stays what WIDTH x HEIGHT say
    return out.getvalue()


def _nothing(fig: Figure, ax: Axes, title: str) -> bytes:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no incidents in this period", ha="center", va="center")
    ax.set_axis_off()
    return _png(fig)


def incidents_per_week(report: Report, severities: Sequence[str]) -> bytes:
    """Stacked bars: incidents declared each week (by its Monday), one colour per severity."""
    fig, ax = _figure()
    title = "Incidents per week by severity"
    weeks = sorted(report.weekly_counts)
    if not weeks:
        return _nothing(fig, ax, title)
    names = list(severities) + sorted({s for w in weeks for s in report.weekly_counts[w]} - set(severities))
    bottom = [0] * len(weeks)
    for i, severity in enumerate(names):
        heights = [report.weekly_counts[w].get(severity, 0) for w in weeks]
        if any(heights):
            ax.bar(range(len(weeks)), heights, bottom=bottom, label=severity,
                   color=COLOURS[min(i, len(COLOURS) - 1)], edgecolor="white", linewidth=0.5)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    _week_axis(ax, weeks)
    ax.set_ylim(0, max(bottom) * 1.2)  # room above the tallest bar for the legend
    ax.set_ylabel("incidents")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small", ncols=len(names))
    fig.tight_layout()
    return _png(fig)


def time_to_resolve(report: Report) -> bytes:
    """Per week: the median time to resolve (line) and the band up to the p90, in hours."""
    fig, ax = _figure()
    title = "Time to resolve per week: median, and the band up to p90"
    weeks = [w for w, s in report.weekly_resolve.items() if s.median is not None and s.p90 is not None]
    if not weeks:
        return _nothing(fig, ax, title)
    median = [(report.weekly_resolve[w].median or 0) / 3600 for w in weeks]
    p90 = [(report.weekly_resolve[w].p90 or 0) / 3600 for w in weeks]
    xs = list(range(len(weeks)))
    ax.fill_between(xs, median, p90, color="#67a9cf", alpha=0.35, label="median to p90")
    ax.plot(xs, p90, color="#2166ac", linewidth=0.8, linestyle="--", label="p90")
    ax.plot(xs, median, color="#b2182b", linewidth=2, marker="o", markersize=3,
            label="median")
    overall = report.stats.measure("resolve")
    if overall.median is not None:
        ax.axhline(overall.median / 3600, color="#b2182b", linewidth=0.8, linestyle=":",
                   label=f"median of the period ({overall.median / 3600:.1f} h)")
    _week_axis(ax, weeks)
    ax.set_ylim(0, max(p90) * 1.45)  # room above the band for the legend
    ax.set_ylabel("hours from declared to resolved")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return _png(fig)


def time_in_status(report: Report, statuses: Sequence[str]) -> bytes:
    """Horizontal bars: the median time an incident spends in each status, with a p90 mark, in hours."""
    fig, ax = _figure()
    title = "Time spent in each status per incident: median (bar) and p90 (mark)"
    names = [s for s in statuses if s in report.status_time]
    names += sorted(set(report.status_time) - set(names))
    if not names:
        return _nothing(fig, ax, title)
    median = [(report.status_time[s].median or 0) / 3600 for s in names]
    p90 = [(report.status_time[s].p90 or 0) / 3600 for s in names]
    ys = list(range(len(names)))
    ax.barh(ys, median, color="#67a9cf", label="median")
    ax.scatter(p90, ys, marker="|", s=300, color="#b2182b", label="p90", zorder=3)
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_xlabel("hours")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return _png(fig)


def _week_axis(ax: Axes, weeks: list[str]) -> None:
    step = max(1, len(weeks) // 12)  # at most about a dozen labels
    ticks = list(range(0, len(weeks), step))
    ax.set_xticks(ticks, [weeks[i] for i in ticks], rotation=30, ha="right", fontsize="small")
    ax.set_xlabel("week starting (UTC)")
