"""Workload 8: figures over 100,000 incidents: `/incident stats 90d` and the full HTML report.

The incidents are bulk-inserted straight into the scratch database, spread over the last 90 days: a mix of
severities, services and categories, milestones minutes to hours apart, 2% drills and 3% declined, and
their timelines' status changes (three or four per incident) and one follow-up in three. Then the bot's
own code computes the stats (with SLA targets, so breaches are counted) and the whole HTML report
(figures, charts, page), each timed RUNS times (the median is reported, and the slowest).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.config import Settings
from bot.db import make_engine, make_sessions
from bot.followups.models import Followup
from bot.incidents.models import Incident
from bot.reporting.figures import stats
from bot.reporting.periods import stats_period
from bot.reporting.printing import report_text
from bot.reporting.sla import SlaTargets
from bot.timeline.models import TimelineEvent

CHUNK = 5000
RUNS = 3
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
SERVICES = ("api", "checkout", "search", "payments", "auth", "orders-db", None)
CATEGORIES = ("application", "infrastructure", "network", "database", None)
TARGETS = {"SEV1": SlaTargets(timedelta(minutes=5), timedelta(hours=4)),
           "SEV2": SlaTargets(timedelta(minutes=15), timedelta(hours=8))}


def _incident(rng: random.Random, n: int, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    declared = now - timedelta(seconds=rng.uniform(60, 90 * 86400))
    ack = declared + timedelta(seconds=rng.lognormvariate(5.5, 1.0))
    mitigated = ack + timedelta(seconds=rng.lognormvariate(7.5, 1.0))
    resolved = mitigated + timedelta(seconds=rng.lognormvariate(7.0, 1.2))
    closed = resolved + timedelta(seconds=rng.lognormvariate(11, 0.8))
    declined = rng.random() < 0.03
    steps = [("identified", ack), ("monitoring", mitigated), ("resolved", resolved), ("closed", closed)]
    steps = [(s, t) for s, t in steps if t < now]
    status = "declined" if declined else (steps[-1][0] if steps else "investigating")
    row = dict(id=n, number=n, title=f"Incident {n}", severity=rng.choices(SEVERITIES, (1, 3, 8, 4))[0],
               priority="P2", service=rng.choice(SERVICES), category=rng.choice(CATEGORIES), status=status,
               is_private=False, is_drill=rng.random() < 0.02, reporter_id="U1", declared_at=declared,
               setup_state="ready", channel_id=f"C{n:09d}",
               acknowledged_at=None if declined else ack if ack < now else None,
               mitigated_at=None if declined else mitigated if mitigated < now else None,
               resolved_at=None if declined else resolved if resolved < now else None,
               closed_at=None if declined else closed if closed < now else None)
    previous, events = "investigating", []
    for to, at in ([("declined", ack)] if declined else steps):
        events.append(dict(incident_id=n, kind="status_changed", occurred_at=at, actor_id="U1",
                           text=f"Status: {previous} → {to}", is_key=True, data={"from": previous, "to": to}))
        previous = to
    return row, events


def seed(database_url: str, count: int, now: datetime) -> int:
    """Insert `count` incidents with their status changes and follow-ups; returns the rows inserted."""
    rng = random.Random(16)
    engine = make_engine(database_url)
    inserted = 0
    try:
        with engine.begin() as conn:
            for start in range(1, count + 1, CHUNK):
                incidents, events, followups = [], [], []
                for n in range(start, min(start + CHUNK, count + 1)):
                    row, evs = _incident(rng, n, now)
                    incidents.append(row)
                    events += evs
                    if n % 3 == 0:
                        created = row["declared_at"] + timedelta(hours=1)
                        done = created + timedelta(days=rng.uniform(1, 20))
                        followups.append(dict(incident_id=n, text="follow up", created_by="U1", created_at=created,
                                              done_at=done if done < now else None))
                conn.execute(insert(Incident), incidents)
                conn.execute(insert(TimelineEvent), events)
                conn.execute(insert(Followup), followups)
                inserted += len(incidents) + len(events) + len(followups)
        if engine.dialect.name == "postgresql":
            # what autovacuum does within a minute of a bulk load: without statistics the planner takes the
            # fresh tables for empty and joins the follow-ups to 95,000 incidents by nested loop (30 s)
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return inserted


def _timed(work: Any) -> tuple[float, float]:
    """(median, slowest) seconds of RUNS runs of `work` (after one warm-up run)."""
    work()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2], max(times)


def reports(database_url: str, count: int) -> dict[str, Any]:
    """Workload 8: seed, then time the stats of the last 90 days and the full HTML report."""
    now = datetime.now(UTC)
    seeding = time.perf_counter()
    rows = seed(database_url, count, now)
    seed_s = time.perf_counter() - seeding
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    settings = Settings(database_url=database_url)
    counted: list[int] = []

    def stats_90d() -> None:
        with sessions() as session:
            counted.append(stats(session, stats_period("90d", now), TARGETS, now).total)

    size: list[int] = []
    try:
        stats_s, stats_max = _timed(stats_90d)
        report_s, report_max = _timed(lambda: size.append(len(report_text(settings, None, None, "html", now))))
    finally:
        engine.dispose()
    return {"incidents": count, "counted": counted[-1], "stats_90d_s": stats_s, "stats_slowest_s": stats_max,
            "report_html_s": report_s, "report_slowest_s": report_max, "html_kib": size[-1] / 1024,
            "rows_seeded": rows, "seed_s": seed_s}
