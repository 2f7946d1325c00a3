"""Alerts in through the generic route: stored, answered 202 at once, one triage message per group."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.scenarios.alert_helpers import TOKEN, alerts, generic, groups, post_alerts, text_of, told, triage_messages


@pytest.fixture
def abot(make_bot: Any) -> Harness:
    return make_bot(alert_token=TOKEN)


def test_a_generic_alert_is_stored_answered_202_and_gets_one_triage_message(abot: Harness) -> None:
    status, answer = post_alerts(abot, "generic", generic("disk-db-1", severity="critical", service="orders-db",
                                                          description="95% used", url="https://grafana.example/d/1"))
    assert status == 202, answer
    assert answer == {"accepted": 1, "groups": [{"key": "disk-db-1", "state": "firing", "incident": None}]}
    [group] = groups(abot)
    assert (group.title, group.severity, group.service, group.alert_count) == ("Disk full on db-1", "critical",
                                                                               "orders-db", 1)
    abot.emu.wait_for(lambda: told(abot))
    [message] = triage_messages(abot)
    shown = text_of(message)
    for part in ("Disk full on db-1", "critical → SEV1", "orders-db", "95% used", "First time in the last 30 days",
                 "https://grafana.example/d/1", "alert_declare", "alert_acknowledge", "alert_dismiss"):
        assert part in shown, part


def test_repeats_are_deduplicated_and_a_replayed_webhook_stores_nothing_new(abot: Harness) -> None:
    for _ in range(3):
        status, answer = post_alerts(abot, "generic", generic("disk-db-1"))
        assert status == 202 and answer["accepted"] == 1
    assert len(alerts(abot)) == 1 and groups(abot)[0].alert_count == 1
    abot.emu.wait_for(lambda: told(abot))
    assert len(triage_messages(abot)) == 1


def test_alerts_with_one_group_join_it_and_the_message_is_edited_in_place(abot: Harness) -> None:
    post_alerts(abot, "generic", generic("disk-db-1", group="storage"))
    abot.emu.wait_for(lambda: told(abot))
    post_alerts(abot, "generic", generic("disk-db-2", title="Disk full on db-2", group="storage"))
    abot.emu.wait_for(lambda: told(abot) and "2 (2 firing)" in text_of(triage_messages(abot)[0]), timeout=15)
    post_alerts(abot, "generic", generic("disk-db-1", status="resolved", group="storage"))
    post_alerts(abot, "generic", generic("disk-db-2", status="resolved", group="storage"))
    abot.emu.wait_for(lambda: told(abot) and "Resolved" in text_of(triage_messages(abot)[0]), timeout=15)
    [message] = triage_messages(abot)
    assert "2 (0 firing)" in text_of(message)
    assert [g.state for g in groups(abot)] == ["resolved"]
    assert len(abot.emu.calls("chat.update")) >= 2
