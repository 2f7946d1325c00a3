"""Two replicas on one PostgreSQL database take the same alerts at once: each alert is stored once, one
group per group key, and one triage message per group, told by one of the two triage desks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from bot.config import IncidentConfig
from bot.config.alerts import AlertConfig, AutoDeclareRule
from tests.conftest import Harness
from tests.scenarios.alert_helpers import (
    TOKEN,
    alerts,
    generic,
    groups,
    post_alerts,
    sample,
    text_of,
    told,
    triage_messages,
)

GROUPS = 4
ALERTS = 24


def together(*sends: tuple[Harness, str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """POST each (replica, kind, payload) on its own thread, released together; their answers."""
    barrier = threading.Barrier(len(sends))
    answers: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(sends)

    def run(i: int, bot: Harness, kind: str, payload: Any) -> None:
        barrier.wait()
        answers[i] = post_alerts(bot, kind, payload)

    threads = [threading.Thread(target=run, args=(i, *send)) for i, send in enumerate(sends)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def storm(n: int) -> list[dict[str, Any]]:
    """A third (`n`) of the storm's generic alerts, over the few groups."""
    return [generic(f"alert-{i}", title=f"Service {i % GROUPS} errors", group=f"group-{i % GROUPS}",
                    severity="warning") for i in range(n, ALERTS, 3)]


@pytest.fixture
def replicas(make_bot: Any, database_url: str) -> tuple[Harness, Harness]:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file serves one process")
    return make_bot(alert_token=TOKEN), make_bot(alert_token=TOKEN)


def test_two_replicas_taking_the_same_alerts_store_and_tell_each_group_once(
        replicas: tuple[Harness, Harness]) -> None:
    a, b = replicas
    am = sample("alertmanager-v4.json")
    for _ in range(3):  # Alertmanager's retry landing on the other replica, while the first is still storing
        answers = together((a, "alertmanager", am), (b, "alertmanager", am))
        assert [s for s, _ in answers] == [202, 202], answers
        assert all(answer["accepted"] == 1 and len(answer["groups"]) == 1 for _, answer in answers)
    for n in range(3):  # a storm: every alert of a third of it to both replicas, all at once
        answers = together(*[(bot, "generic", item) for item in storm(n) for bot in (a, b)])
        assert [(s, answer["accepted"]) for s, answer in answers] == [(202, 1)] * len(answers), answers
    answers = together(*[(bot, "generic", item) for n in range(3) for item in storm(n) for bot in (a, b)])
    assert {(s, answer["accepted"]) for s, answer in answers} == {(202, 1)}, answers  # the whole storm again

    rows = groups(a)
    assert sorted(g.group_key for g in rows if g.source == "generic") == [f"group-{i}" for i in range(GROUPS)]
    assert len([g for g in rows if g.source == "alertmanager"]) == 1
    stored = alerts(a)
    assert len(stored) == ALERTS + 1
    assert Counter((r.source, r.fingerprint) for r in stored).most_common(1)[0][1] == 1
    by_key = {g.group_key: g for g in rows}
    for i in range(GROUPS):
        assert (by_key[f"group-{i}"].alert_count, by_key[f"group-{i}"].firing_count) == (ALERTS // GROUPS,) * 2

    a.emu.wait_for(lambda: told(a), timeout=60)
    a.emu.drain()
    messages = triage_messages(a)
    assert len(messages) == len(rows), [m["text"] for m in messages]
    assert sorted(m["ts"] for m in messages) == sorted(g.message_ts or "" for g in rows)
    for g in rows:
        shown = text_of(next(m for m in messages if m["ts"] == g.message_ts))
        assert f"{g.alert_count} ({g.firing_count} firing)" in shown, g.group_key
    assert [m for m in a.emu.messages(a.emu.channel_id("incidents")) if m.get("thread_ts")] == []


def test_an_auto_declared_group_taken_by_both_replicas_is_one_incident_and_one_message(
        make_bot: Any, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file serves one process")
    rules = IncidentConfig(alerts=AlertConfig(auto_declare=(AutoDeclareRule("SEV1", "critical"),)))
    a, b = (make_bot(alert_token=TOKEN, incident=rules) for _ in range(2))
    am = sample("alertmanager-v4.json")
    for _ in range(3):
        assert [s for s, _ in together((a, "alertmanager", am), (b, "alertmanager", am))] == [202, 202]
    incident = a.wait_ready(1)
    a.emu.wait_for(lambda: told(a) and "Declared as Incident #1" in text_of(triage_messages(a)[0]), timeout=30)
    a.emu.drain()
    assert len(a.incidents()) == 1 and len(a.emu.calls("conversations.create")) == 1
    assert len(triage_messages(a)) == 1 and groups(a)[0].incident_id == incident.id
