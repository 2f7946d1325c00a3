"""SLA targets per severity and their breaches, counted by the database.

The targets come from the `sla` setting (per severity, `acknowledge` and `resolve`); this package takes
them as a parameter and never reads the configuration itself. An incident breaches a target when the
milestone came later than the target after the declaration, or has not come and the target has passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.config.reminders import SlaTargets
from bot.incidents.models import Incident
from bot.reporting.periods import Period
from bot.reporting.queries import at, counted, declared_in
from bot.reporting.sql import seconds_between


@dataclass(frozen=True)
class Breaches:
    """One severity's counted incidents in the period, and how many broke each target (None: no target)."""

    severity: str
    incidents: int
    acknowledge: int | None
    resolve: int | None


def _late(reached: SQLColumnExpression[Any], targets: Mapping[str, timedelta | None],
          now: datetime) -> ColumnElement[Any]:
    """1 where `reached` (or, not reached yet, now) is later than the severity's target, else 0."""
    seconds = {severity: t.total_seconds() for severity, t in targets.items() if t is not None}
    target = case(seconds, value=Incident.severity, else_=None)
    took = seconds_between(func.coalesce(reached, at(now)), Incident.declared_at)
    return case((took > target, 1), else_=0)


def breaches(session: Session, period: Period, targets: Mapping[str, SlaTargets], now: datetime) -> list[Breaches]:
    """Breaches per severity that has a target, in the order of `targets`."""
    if not targets:
        return []
    ack = {s: t.acknowledge for s, t in targets.items()}
    res = {s: t.resolve for s, t in targets.items()}
    columns = [Incident.severity, func.count()]
    columns += [func.sum(_late(Incident.acknowledged_at, ack, now)) if any(ack.values()) else func.count() * 0,
                func.sum(_late(Incident.resolved_at, res, now)) if any(res.values()) else func.count() * 0]
    rows: dict[Any, Any] = {r[0]: r for r in session.execute(select(*columns).where(
        declared_in(period), counted(), Incident.severity.in_(list(targets))).group_by(Incident.severity))}
    out = []
    for severity, target in targets.items():
        row = rows.get(severity)
        n, late_ack, late_res = (int(row[1]), int(row[2] or 0), int(row[3] or 0)) if row else (0, 0, 0)
        out.append(Breaches(severity, n, late_ack if target.acknowledge is not None else None,
                            late_res if target.resolve is not None else None))
    return out


def configured_targets(config: IncidentConfig) -> Mapping[str, SlaTargets]:
    """The SLA targets of the configuration, by severity: the one place the `sla` setting is read from."""
    return dict(config.reminders.sla)
