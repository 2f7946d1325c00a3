"""The figures as a whole: what `/incident stats` shows, and what the report adds to it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.incidents.models import Incident
from bot.reporting import queries, series
from bot.reporting.periods import Period
from bot.reporting.queries import ALL, MEASURES, FollowupFigures, LeftOut, Summary
from bot.reporting.sla import Breaches, SlaTargets, breaches
from bot.reporting.sql import seconds_between

STATS_MEASURES = ("acknowledge", "mitigate", "resolve")
EMPTY = Summary(0, None, None, None)


@dataclass(frozen=True)
class Stats:
    """Counted incidents by severity, MTTx over them, SLA breaches, follow-ups, and what was left out."""

    period: Period
    by_severity: dict[str, int]
    left_out: LeftOut
    overall: dict[str, Summary]        # measure → Summary
    breaches: list[Breaches]           # one per severity with a target; empty without targets
    followups: FollowupFigures

    @property
    def total(self) -> int:
        """Counted incidents."""
        return sum(self.by_severity.values())

    def measure(self, name: str) -> Summary:
        """The overall summary of `name` (empty when nothing reached it)."""
        return self.overall.get(name, EMPTY)


def stats(session: Session, period: Period, targets: Mapping[str, SlaTargets], now: datetime,
          measures: tuple[str, ...] = STATS_MEASURES) -> Stats:
    """The figures of `/incident stats` for `period`."""
    return _stats(session, period, targets, now, queries.summaries(session, period, ALL, measures).get(ALL, {}))


def _stats(session: Session, period: Period, targets: Mapping[str, SlaTargets], now: datetime,
           overall: dict[str, Summary]) -> Stats:
    return Stats(period, queries.counts(session, period, "severity"), queries.left_out(session, period), overall,
                 breaches(session, period, targets, now), queries.followups(session, period, now))


@dataclass(frozen=True)
class Report:
    """The report: the stats, every measure by each dimension, and the charts' series."""

    stats: Stats
    counts: dict[str, dict[str, int]]                    # dimension → group → incidents
    breakdown: dict[str, dict[str, dict[str, Summary]]]  # dimension → group → measure → Summary
    weekly_counts: dict[str, dict[str, int]]             # week → severity → incidents
    weekly_resolve: dict[str, Summary]                   # week → time to resolve
    status_time: dict[str, Summary]                      # status → time spent in it per incident


def report(session: Session, period: Period, targets: Mapping[str, SlaTargets], now: datetime,
           initial_status: str) -> Report:
    """Everything the Markdown and HTML reports show."""
    dims = [d for d in queries.DIMENSIONS if d != ALL]
    breakdown = queries.breakdown(session, period, queries.DIMENSIONS)  # "all" with the others, in one pass
    overall = breakdown.pop(ALL).get(ALL, {})
    return Report(_stats(session, period, targets, now, overall),
                  {d: queries.counts(session, period, d) for d in dims}, breakdown,
                  series.weekly_counts(session, period), series.weekly_resolve(session, period),
                  series.time_in_status(session, period, initial_status, now))


CSV_COLUMNS = ("number", "title", "severity", "priority", "category", "service", "status", "declared_at",
               "acknowledged_at", "mitigated_at", "resolved_at", "closed_at")
CSV_DURATIONS = ("seconds_to_detect", "seconds_to_acknowledge", "seconds_to_mitigate", "seconds_to_resolve",
                 "seconds_to_close")


def incident_rows(session: Session, period: Period, *, everything: bool = False) -> Iterator[dict[str, Any]]:
    """One row per incident declared in the period, oldest first (drills and declined only if `everything`):
    the CSV columns and the durations in seconds, from the database (streamed, not held)."""
    columns = [getattr(Incident, c) for c in CSV_COLUMNS]
    durations = [queries.duration(m).label(f"seconds_to_{m}") for m in MEASURES]
    durations.append(seconds_between(Incident.closed_at, Incident.declared_at).label("seconds_to_close"))
    query = select(*columns, *durations).where(queries.declared_in(period))
    if not everything:
        query = query.where(queries.counted())
    for row in session.execute(query.order_by(Incident.declared_at, Incident.number)).yield_per(2000):
        yield dict(row._mapping)
