"""Two replicas on one PostgreSQL database, and a restart in between: each due reminder fires once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Harness
from tests.scenarios.reminder_helpers import Clock, config, posts
from tests.scenarios.steering_helpers import declare

NUDGE = "an update on"


def _look_together(*bots: Harness) -> None:
    """Both replicas look at once (their own threads look too, every 2 s)."""
    with ThreadPoolExecutor(max_workers=len(bots) * 2) as pool:
        for future in [pool.submit(b.runtime.scheduler.run_due) for b in bots for _ in range(2)]:
            future.result()


def test_two_replicas_and_a_restart_nudge_each_incident_once_per_period(make_bot: Any, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file serves one process")
    clock = Clock()
    settings = {"clock": clock, "incident": config(every={"SEV3": timedelta(minutes=30)})}
    first, second = make_bot(**settings), make_bot(**settings)
    incidents = [declare(second, title=f"Outage {n}") for n in range(6)]
    clock.advance(minutes=30, seconds=1)
    _look_together(first, second)
    for incident in incidents:
        assert len(posts(second, incident.channel_id or "", NUDGE)) == 1, incident.number

    first.runtime.close()  # a deploy: one replica stops and a new one starts
    restarted = make_bot(**settings)
    clock.advance(minutes=30)
    _look_together(restarted, second)
    for incident in incidents:
        assert len(posts(second, incident.channel_id or "", NUDGE)) == 2, incident.number
    _look_together(restarted, second)
    assert sum(len(posts(second, i.channel_id or "", NUDGE)) for i in incidents) == 12
