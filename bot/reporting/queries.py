"""Figures across incidents, aggregated by the database: which incidents count, MTTx summaries, follow-ups.

Durations run from the declaration to each milestone (acknowledged, mitigated, resolved), like the
postmortem's. Time to detect runs from detection to the declaration; until alert intake exists there is
nothing earlier than the declaration to detect by, so detection *is* the declaration and every time to
detect is 0 s (`detected_at`). An incident counts for a duration once it has reached that milestone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, func, literal, not_, or_, select, union_all
from sqlalchemy.orm import Session

from bot.config import DECLINED
from bot.db import UTCDateTime
from bot.followups.models import Followup
from bot.incidents.models import Incident
from bot.reporting.periods import Period
from bot.reporting.sql import month_of, ordered_set_summary, seconds_between, summarized

MEASURES = ("detect", "acknowledge", "mitigate", "resolve")
DIMENSIONS = ("all", "severity", "service", "category", "month")
NONE_GROUP = "(none)"  # the group of incidents without a service or category
ALL = "all"


@dataclass(frozen=True)
class Summary:
    """Seconds: how many, their mean, median and p90 (definitions in bot/reporting/sql.py)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class LeftOut:
    """Incidents in the period that the figures leave out, and why."""

    drills: int
    declined: int

    @property
    def total(self) -> int:
        """All of them."""
        return self.drills + self.declined


def at(moment: datetime) -> ColumnElement[datetime]:
    """A time as a bound parameter stored the way the columns are (UTC)."""
    return literal(moment, UTCDateTime())


def declared_in(period: Period) -> ColumnElement[bool]:
    """Declared within the period."""
    return and_(Incident.declared_at >= at(period.since), Incident.declared_at < at(period.until))


def counted() -> ColumnElement[bool]:
    """Incidents the figures count: not drills, not declined (merged ones join these when merging exists)."""
    return and_(not_(Incident.is_drill), Incident.status != DECLINED.name)


def detected_at() -> SQLColumnExpression[Any]:
    """When the incident was detected: its declaration, until alerts (or a given start) say earlier."""
    return Incident.declared_at


def duration(measure: str) -> ColumnElement[float]:
    """Seconds of `measure` for each incident (NULL until the milestone is reached)."""
    ends = {"acknowledge": Incident.acknowledged_at, "mitigate": Incident.mitigated_at,
            "resolve": Incident.resolved_at}
    if measure == "detect":
        return seconds_between(Incident.declared_at, detected_at())
    return seconds_between(ends[measure], Incident.declared_at)


def dimension(name: str) -> ColumnElement[Any]:
    """The group an incident falls in for `name` (one of DIMENSIONS)."""
    if name == ALL:
        return literal(ALL)
    if name == "month":
        return month_of(Incident.declared_at)
    column = {"severity": Incident.severity, "service": Incident.service, "category": Incident.category}[name]
    return func.coalesce(column, NONE_GROUP)


def left_out(session: Session, period: Period) -> LeftOut:
    """How many incidents of the period are drills or declined (a declined drill counts as a drill)."""
    declined = and_(not_(Incident.is_drill), Incident.status == DECLINED.name)
    row = session.execute(select(func.count().filter(Incident.is_drill), func.count().filter(declined))
                          .where(declared_in(period), or_(Incident.is_drill, Incident.status == DECLINED.name))
                          ).one()
    return LeftOut(drills=int(row[0]), declined=int(row[1]))


def counts(session: Session, period: Period, name: str) -> dict[str, int]:
    """Counted incidents per group of dimension `name`."""
    group = dimension(name).label("grp")
    rows = session.execute(select(group, func.count()).where(declared_in(period), counted()).group_by(group))
    return {str(g): int(n) for g, n in rows}


def summaries(session: Session, period: Period, name: str,
              measures: tuple[str, ...] = MEASURES) -> dict[str, dict[str, Summary]]:
    """group → measure → Summary of the counted incidents of the period, for dimension `name`."""
    return breakdown(session, period, (name,), measures).get(name, {})


def breakdown(session: Session, period: Period, names: tuple[str, ...],
              measures: tuple[str, ...] = MEASURES) -> dict[str, dict[str, dict[str, Summary]]]:
    """dimension → group → measure → Summary, for each dimension of `names`, in one query: each incident's
    groups and durations are worked out once, then every (dimension, group, measure) is ranked."""
    if dialect_of(session) == "postgresql":
        return {d: _grouped(session, period, d, measures) for d in names}
    out: dict[str, dict[str, dict[str, Summary]]] = {d: {} for d in names}
    for m in measures:  # one query per measure: a sort over one measure's rows is cheaper than one over all
        per_incident = select(*[dimension(d).label(f"grp_{d}") for d in names], duration(m).label("value")
                              ).where(declared_in(period), counted()).cte("per_incident")
        values = union_all(*[select(literal(d).label("dim"), per_incident.c[f"grp_{d}"].label("grp"),
                                    per_incident.c.value) for d in names])
        for row in session.execute(summarized(select(values.subquery("measured")), ("dim", "grp"), "sqlite")):
            out[str(row.dim)].setdefault(str(row.grp), {})[m] = summary(row)
    return out


def _grouped(session: Session, period: Period, name: str, measures: tuple[str, ...]) -> dict[str, dict[str, Summary]]:
    """PostgreSQL: one GROUP BY for dimension `name`, with ordered-set aggregates for every measure side by
    side (no row per measure to sort: that is what made the UNION of measures slow there)."""
    group = dimension(name).label("grp")
    columns = [c for m in measures for c in ordered_set_summary(duration(m), f"{m}_")]
    out: dict[str, dict[str, Summary]] = {}
    for row in session.execute(select(group, *columns).where(declared_in(period), counted()).group_by(group)):
        for m in measures:
            got = [row._mapping[f"{m}_{f}"] for f in ("count", "mean", "median", "p90")]
            if got[0]:  # like the window version: no summary for a measure nobody in the group reached
                out.setdefault(str(row.grp), {})[m] = summary(SimpleNamespace(
                    count=got[0], mean=got[1], median=got[2], p90=got[3]))
    return out


def dialect_of(session: Session) -> str:
    """`sqlite` or `postgresql`: the two spell percentiles differently (bot/reporting/sql.py)."""
    return session.get_bind().dialect.name


def summary(row: Any) -> Summary:
    """A `summarized` row as seconds rounded to the millisecond (the databases' float arithmetic is finer)."""
    def seconds(v: Any) -> float | None:
        return None if v is None else round(float(v), 3)
    return Summary(int(row.count), seconds(row.mean), seconds(row.median), seconds(row.p90))


@dataclass(frozen=True)
class FollowupFigures:
    """Follow-ups of the counted incidents of the period: how many, how many done, how old the open ones are."""

    total: int
    done: int
    open_age: Summary       # seconds since the open ones were recorded
    time_to_done: Summary   # seconds from recording to done, for the done ones

    @property
    def completion(self) -> float | None:
        """Done / total (None without follow-ups)."""
        return self.done / self.total if self.total else None


def followups(session: Session, period: Period, now: datetime) -> FollowupFigures:
    """Follow-up completion rate and age."""
    base = select(Followup).join(Incident, Incident.id == Followup.incident_id).where(
        declared_in(period), counted())
    values = union_all(
        base.with_only_columns(literal("open_age").label("kind"),
                               seconds_between(at(now), Followup.created_at).label("value"))
        .where(Followup.done_at.is_(None)),
        base.with_only_columns(literal("time_to_done").label("kind"),
                               seconds_between(Followup.done_at, Followup.created_at).label("value"))
        .where(Followup.done_at.is_not(None)))
    found = {str(r.kind): summary(r) for r in session.execute(summarized(select(values.subquery("fu")), ("kind",),
                                                                         dialect_of(session)))}
    empty = Summary(0, None, None, None)
    open_age, done_after = found.get("open_age", empty), found.get("time_to_done", empty)
    return FollowupFigures(open_age.count + done_after.count, done_after.count, open_age, done_after)
