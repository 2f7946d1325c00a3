"""Reporting figures on a seeded history (tests/unit/reporting_history.py), each worked out by hand, on
SQLite and PostgreSQL: counts, mean, median and p90 of every measure by each dimension, SLA breaches with
explicit targets, follow-ups, time in each status, and what is left out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import make_engine, make_sessions
from bot.reporting import figures, queries, series
from bot.reporting.periods import Period
from bot.reporting.queries import LeftOut, Summary
from bot.reporting.sla import Breaches, SlaTargets, breaches
from tests.unit.reporting_history import NOW, PERIOD, seed


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    with sessions.begin() as s:
        seed(s)
    with sessions() as s:
        yield s
    engine.dispose()


def test_overall_durations_mean_median_and_p90(session: Session) -> None:
    overall = queries.summaries(session, PERIOD, "all")["all"]
    # acknowledge: 60 120 180 240 300 → median the 3rd; p90 rank ⌈4.5⌉ = 5
    assert overall["acknowledge"] == Summary(5, 180.0, 180.0, 300.0)
    # mitigate: 600 900 1800 7200 → median (900 + 1800) / 2; p90 rank ⌈3.6⌉ = 4
    assert overall["mitigate"] == Summary(4, 2625.0, 1350.0, 7200.0)
    # resolve: 1200 3000 3600 7200 → mean 15000 / 4, median (3000 + 3600) / 2
    assert overall["resolve"] == Summary(4, 3750.0, 3300.0, 7200.0)
    assert overall["detect"] == Summary(5, 0.0, 0.0, 0.0)  # detection is the declaration until alerts exist


def test_by_severity_service_category_and_month(session: Session) -> None:
    sev = queries.summaries(session, PERIOD, "severity")
    assert sev["SEV1"]["acknowledge"] == Summary(3, 180.0, 180.0, 300.0)
    assert sev["SEV1"]["resolve"] == Summary(2, 2100.0, 2100.0, 3000.0)
    assert sev["SEV2"]["resolve"] == Summary(2, 5400.0, 5400.0, 7200.0)
    assert "SEV3" not in sev  # only the declined one: left out
    service = queries.summaries(session, PERIOD, "service")
    assert service["api"]["resolve"] == Summary(3, 2600.0, 3000.0, 3600.0)
    assert "resolve" not in service["db"] and service["db"]["acknowledge"] == Summary(1, 300.0, 300.0, 300.0)
    assert service["(none)"]["resolve"] == Summary(1, 7200.0, 7200.0, 7200.0)
    category = queries.summaries(session, PERIOD, "category")
    assert category["application"]["mitigate"] == Summary(2, 750.0, 750.0, 900.0)
    assert category["(none)"]["mitigate"] == Summary(2, 4500.0, 4500.0, 7200.0)
    assert set(queries.summaries(session, PERIOD, "month")) == {"2026-03"}
    assert queries.counts(session, PERIOD, "severity") == {"SEV1": 3, "SEV2": 2}
    assert queries.counts(session, PERIOD, "service") == {"api": 3, "db": 1, "(none)": 1}
    assert queries.counts(session, PERIOD, "category") == {"application": 2, "database": 1, "(none)": 2}


def test_drills_and_declined_are_left_out_and_counted(session: Session) -> None:
    assert queries.left_out(session, PERIOD) == LeftOut(drills=1, declined=1)
    later = Period(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert queries.left_out(session, later) == LeftOut(0, 0)
    assert queries.counts(session, later, "severity") == {"SEV3": 1}  # #8, outside PERIOD


def test_sla_breaches_with_explicit_targets(session: Session) -> None:
    targets = {"SEV1": SlaTargets(acknowledge=timedelta(minutes=2), resolve=timedelta(minutes=30)),
               "SEV2": SlaTargets(acknowledge=timedelta(minutes=3)),
               "SEV3": SlaTargets(resolve=timedelta(hours=1))}
    assert breaches(session, PERIOD, targets, NOW) == [
        # SEV1 ack 60 / 180 / 300 against 120: two late; resolve 1200 / 3000 / (open a day) against 1800: two
        Breaches("SEV1", 3, acknowledge=2, resolve=2),
        # SEV2 ack 120 / 240 against 180: one late; no resolve target
        Breaches("SEV2", 2, acknowledge=1, resolve=None),
        Breaches("SEV3", 0, acknowledge=None, resolve=0),  # the declined SEV3 does not count
    ]
    # exactly at the target is not a breach
    assert breaches(session, PERIOD, {"SEV1": SlaTargets(acknowledge=timedelta(seconds=180))}, NOW) == [
        Breaches("SEV1", 3, acknowledge=1, resolve=None)]
    assert breaches(session, PERIOD, {}, NOW) == []


def test_followup_completion_and_age(session: Session) -> None:
    fu = queries.followups(session, PERIOD, NOW)
    assert (fu.total, fu.done, fu.completion) == (3, 1, 1 / 3)  # the drill's follow-up is left out
    # open ones recorded T+200 and T+1000, a day before NOW: ages 86200 and 85400
    assert fu.open_age == Summary(2, 85800.0, 85800.0, 86200.0)
    assert fu.time_to_done == Summary(1, 3600.0, 3600.0, 3600.0)


def test_time_spent_in_each_status(session: Session) -> None:
    spent = series.time_in_status(session, PERIOD, "investigating", NOW)
    # investigating: #1 60, #2 180, #3 86400 (still, until NOW), #4 120, #5 7200
    assert spent["investigating"] == Summary(5, 18792.0, 180.0, 86400.0)
    assert spent["identified"] == Summary(3, 2280.0, 2820.0, 3480.0)  # 540, 2820, 3480
    assert spent["monitoring"] == Summary(1, 600.0, 600.0, 600.0)
    assert spent["resolved"] == Summary(4, 22100.0, 2300.0, 83400.0)  # 3800, 83400 (until NOW), 400, 800
    assert "closed" not in spent and "declined" not in spent


def test_weekly_series(session: Session) -> None:
    assert series.weekly_counts(session, PERIOD) == {"2026-03-02": {"SEV1": 3, "SEV2": 2}}
    assert series.weekly_resolve(session, PERIOD) == {"2026-03-02": Summary(4, 3750.0, 3300.0, 7200.0)}


def test_p90_is_the_nearest_rank_and_the_median_of_an_even_count_the_mean_of_the_middle_two(
        session: Session) -> None:
    from tests.unit.reporting_history import _incident

    april = datetime(2026, 4, 10, tzinfo=UTC)  # a Friday; its week starts Monday 2026-04-06
    for i in range(10):  # acknowledged after 1, 2, …, 10 s
        _incident(session, 100 + i, "SEV4", None, None, "identified", False, april, i + 1, None, None, None)
    for i in range(10):  # and ten more after 11 … 20 s
        _incident(session, 200 + i, "SEV3", None, None, "identified", False, april, 11 + i, None, None, None)
    session.flush()
    period = Period(april - timedelta(days=1), april + timedelta(days=1))
    sev = queries.summaries(session, period, "severity", ("acknowledge",))
    assert sev["SEV4"]["acknowledge"] == Summary(10, 5.5, 5.5, 9.0)    # rank ceil(0.9 * 10) = 9, not 9.1
    assert sev["SEV3"]["acknowledge"] == Summary(10, 15.5, 15.5, 19.0)
    overall = queries.summaries(session, period, "all", ("acknowledge",))["all"]["acknowledge"]
    assert overall == Summary(20, 10.5, 10.5, 18.0)                    # rank 18 of 20
    assert series.weekly_counts(session, period) == {"2026-04-06": {"SEV3": 10, "SEV4": 10}}


def test_stats_bundle(session: Session) -> None:
    stats = figures.stats(session, PERIOD, {}, NOW)
    assert stats.total == 5 and stats.by_severity == {"SEV1": 3, "SEV2": 2}
    assert stats.measure("resolve").median == 3300.0 and stats.breaches == []
    assert stats.left_out.total == 2
