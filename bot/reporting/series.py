"""What the report's charts show, aggregated by the database: incidents per week by severity, time to
resolve per week, and time spent in each status (from the status changes on the timeline)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from bot.incidents.models import Incident
from bot.reporting.periods import Period
from bot.reporting.queries import Summary, at, counted, declared_in, dialect_of, duration, summary
from bot.reporting.sql import seconds_between, summarized, week_of
from bot.timeline.kinds import EventKind
from bot.timeline.models import TimelineEvent

CLOSED = "closed"  # the status nobody leaves: time in it is not time spent on the incident


def weekly_counts(session: Session, period: Period) -> dict[str, dict[str, int]]:
    """week (Monday, `YYYY-MM-DD`, UTC) → severity → counted incidents declared that week."""
    week = week_of(Incident.declared_at).label("week")
    rows = session.execute(select(week, Incident.severity, func.count()).where(declared_in(period), counted())
                           .group_by(week, Incident.severity).order_by(week))
    out: dict[str, dict[str, int]] = {}
    for w, severity, n in rows:
        out.setdefault(str(w), {})[str(severity)] = int(n)
    return out


def weekly_resolve(session: Session, period: Period) -> dict[str, Summary]:
    """week → time to resolve of the counted incidents declared that week (resolved ones)."""
    values = select(week_of(Incident.declared_at).label("week"), duration("resolve").label("value")).where(
        declared_in(period), counted())
    rows = session.execute(summarized(values, ("week",), dialect_of(session)))
    return dict(sorted((str(r.week), summary(r)) for r in rows))


def time_in_status(session: Session, period: Period, initial: str, now: datetime) -> dict[str, Summary]:
    """status → seconds each counted incident spent in it (summed over its visits), until closed or now.

    An incident starts in `initial` at its declaration; each `status_changed` event starts the next
    stretch; the last stretch of an incident not closed runs until now."""
    starts = union_all(
        select(Incident.id.label("incident_id"), literal(initial).label("status"),
               Incident.declared_at.label("began"), literal(0).label("seq")).where(declared_in(period), counted()),
        select(TimelineEvent.incident_id, TimelineEvent.data["to"].as_string(), TimelineEvent.occurred_at,
               TimelineEvent.id).join(Incident, Incident.id == TimelineEvent.incident_id)
        .where(TimelineEvent.kind == EventKind.STATUS_CHANGED.value, declared_in(period), counted()),
    ).subquery("starts")
    stretches = select(starts.c.incident_id, starts.c.status, starts.c.began,
                       func.lead(starts.c.began).over(partition_by=starts.c.incident_id,
                                                      order_by=(starts.c.began, starts.c.seq)).label("ended"),
                       ).subquery("stretches")
    per_incident = select(stretches.c.status, func.sum(seconds_between(
        func.coalesce(stretches.c.ended, at(now)), stretches.c.began)).label("value"),
    ).where(stretches.c.status != CLOSED).group_by(stretches.c.incident_id, stretches.c.status)
    rows = session.execute(summarized(per_incident, ("status",), dialect_of(session)))
    return {str(r.status): summary(r) for r in rows}
