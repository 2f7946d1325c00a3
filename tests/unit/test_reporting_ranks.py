"""The ranks behind the median and p90 on both databases (ordered-set aggregates on PostgreSQL, a window on
SQLite): ties, odd and even counts, a group that never reached a milestone, every dimension in one query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import make_engine, make_sessions
from bot.reporting import queries
from bot.reporting.periods import Period
from bot.reporting.queries import Summary
from tests.unit.reporting_history import _incident

MAY = datetime(2026, 5, 6, 12, tzinfo=UTC)
PERIOD = Period(MAY - timedelta(days=1), MAY + timedelta(days=1))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    with sessions.begin() as s:
        # SEV1 acknowledged after 5, 5, 5, 7 s; SEV2 after 3, 9, 9; SEV3 never acknowledged
        for i, (severity, ack) in enumerate([("SEV1", 5), ("SEV1", 5), ("SEV1", 5), ("SEV1", 7),
                                             ("SEV2", 3), ("SEV2", 9), ("SEV2", 9), ("SEV3", None)]):
            _incident(s, 300 + i, severity, "api" if i % 2 else None, None, "investigating", False, MAY, ack,
                      None, None, None)
    with sessions() as s:
        yield s
    engine.dispose()


def test_ties_and_counts_by_severity(session: Session) -> None:
    sev = queries.summaries(session, PERIOD, "severity", ("acknowledge",))
    # 5 5 5 7: median (5 + 5) / 2, p90 rank ⌈3.6⌉ = 4; 3 9 9: median the 2nd, p90 rank ⌈2.7⌉ = 3
    assert sev["SEV1"]["acknowledge"] == Summary(4, 5.5, 5.0, 7.0)
    assert sev["SEV2"]["acknowledge"] == Summary(3, 7.0, 9.0, 9.0)
    assert "SEV3" not in sev  # counted, but nobody acknowledged: no summary rather than a zero


def test_every_dimension_in_one_query_matches_one_at_a_time(session: Session) -> None:
    together = queries.breakdown(session, PERIOD, queries.DIMENSIONS)
    for name in queries.DIMENSIONS:
        assert together[name] == queries.summaries(session, PERIOD, name), name
    # all seven acknowledged: 3 5 5 5 7 9 9 → median the 4th, p90 rank ⌈6.3⌉ = 7
    assert together["all"]["all"]["acknowledge"] == Summary(7, round(43 / 7, 3), 5.0, 9.0)
    assert together["service"]["api"]["acknowledge"] == Summary(3, 7.0, 7.0, 9.0)      # 5 7 9
    assert together["service"]["(none)"]["acknowledge"] == Summary(4, 5.5, 5.0, 9.0)   # 3 5 5 9
