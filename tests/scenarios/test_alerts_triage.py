"""Alert triage end to end: the documented Alertmanager and Grafana payloads, the buttons, auto-declaration,
recurrence, the postmortem's detected time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import IncidentConfig
from bot.config.alerts import AlertConfig, AutoDeclareRule
from bot.postmortem import context
from bot.timeline.models import TimelineEvent
from tests.conftest import Harness
from tests.scenarios.alert_helpers import (
    TOKEN,
    generic,
    groups,
    post_alerts,
    sample,
    text_of,
    told,
    triage_messages,
)
from tests.scenarios.test_declare import fill


def start(make_bot: Any, **alerts: Any) -> Harness:
    return make_bot(alert_token=TOKEN, incident=IncidentConfig(alerts=AlertConfig(**alerts)))


def test_the_documented_alertmanager_payload_becomes_one_group(make_bot: Any) -> None:
    bot = start(make_bot)
    status, answer = post_alerts(bot, "alertmanager", sample("alertmanager-v4.json"))
    assert status == 202, answer
    assert answer == {"accepted": 1, "groups": [
        {"key": '{}/{severity="critical"}:{alertname="ProbeFailure"}', "state": "firing", "incident": None}]}
    bot.emu.wait_for(lambda: told(bot))
    shown = text_of(triage_messages(bot)[0])
    assert "BlackBox Probe Failure: https://server.example.org" in shown and "critical → SEV1" in shown
    assert "http_checks" in shown and "`alertname=ProbeFailure`" in shown


def test_the_documented_grafana_payload_groups_its_two_alerts(make_bot: Any) -> None:
    bot = start(make_bot)
    status, answer = post_alerts(bot, "grafana", sample("grafana.json"))
    assert status == 202, answer
    assert answer == {"accepted": 2, "groups": [{"key": "{}:{}", "state": "firing", "incident": None}]}
    status, again = post_alerts(bot, "grafana", sample("grafana.json"))  # Grafana repeats the notification
    assert status == 202 and again["accepted"] == 2
    [group] = groups(bot)
    assert group.alert_count == 2 and group.first_seen == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    bot.emu.wait_for(lambda: told(bot))
    assert len(triage_messages(bot)) == 1 and "2 (2 firing)" in text_of(triage_messages(bot)[0])


def test_acknowledge_records_who_and_a_second_click_says_so(make_bot: Any) -> None:
    bot = start(make_bot)
    emu, alice, bob = bot.emu, bot.emu.user_id("alice"), bot.emu.user_id("bob")
    post_alerts(bot, "generic", generic("k1"))
    emu.wait_for(lambda: told(bot))
    message, channel = triage_messages(bot)[0], emu.channel_id("incidents")
    assert emu.click(alice, channel, message["ts"], "alert_acknowledge").status == 200
    emu.wait_for(lambda: told(bot) and "Acknowledged by <@" + alice in text_of(triage_messages(bot)[0]))
    [group] = groups(bot)
    assert (group.state, group.acknowledged_by) == ("acknowledged", alice) and group.acknowledged_at
    emu.click(bob, channel, message["ts"], "alert_declare")  # the button is still there for others
    assert "alert_acknowledge" not in text_of(triage_messages(bot)[0])


def test_dismissed_alerts_count_silently_and_recurrence_counts_the_dismissal(make_bot: Any) -> None:
    bot = start(make_bot, group_window=timedelta(seconds=1))
    emu, alice = bot.emu, bot.emu.user_id("alice")
    channel = emu.channel_id("incidents")
    post_alerts(bot, "generic", generic("flappy", title="Flappy <b>probe</b> & co", group="g"))
    emu.wait_for(lambda: told(bot))
    emu.click(alice, channel, triage_messages(bot)[0]["ts"], "alert_dismiss")
    emu.wait_for(lambda: told(bot) and groups(bot)[0].state == "dismissed")
    post_alerts(bot, "generic", generic("flappy-2", group="g"))
    emu.wait_for(lambda: told(bot) and "2 (2 firing)" in text_of(triage_messages(bot)[0]), timeout=15)
    assert [m for m in emu.messages(channel) if m.get("thread_ts")] == []  # no notice under a dismissed group
    shown = text_of(triage_messages(bot)[0])
    assert "Flappy &lt;b&gt;probe&lt;/b&gt; &amp; co" in shown and "Dismissed as noise by <@" + alice in shown
    for key in ("flappy", "flappy-2"):
        post_alerts(bot, "generic", generic(key, status="resolved", group="g"))
    emu.wait_for(lambda: groups(bot)[0].state == "resolved")
    emu.wait_for(lambda: datetime.now(UTC) - groups(bot)[0].last_seen > timedelta(seconds=1.2), timeout=5)
    status, _ = post_alerts(bot, "generic", generic("flappy", group="g"))
    assert status == 202 and len(groups(bot)) == 2
    emu.wait_for(lambda: told(bot) and len(triage_messages(bot)) == 2, timeout=15)
    newest = text_of(triage_messages(bot)[-1])
    assert "Fired 1 time before in the last 30 days: 1 dismissed" in newest


def test_declare_from_the_button_opens_the_form_prefilled_and_ties_the_incident(make_bot: Any) -> None:
    bot = start(make_bot)
    emu, carol = bot.emu, bot.emu.user_id("carol")
    post_alerts(bot, "generic", generic("pay", title="Payments 5xx", severity="high", service="payments-api",
                                        url="https://grafana.example/d/pay"))
    emu.wait_for(lambda: told(bot))
    emu.click(carol, emu.channel_id("incidents"), triage_messages(bot)[0]["ts"], "alert_declare")
    view = emu.wait_for(lambda: [v for v in emu.views(user=carol) if v["callback_id"] == "alert_declare_modal"])[-1]
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["title"]["initial_value"] == "Payments 5xx"
    assert blocks["severity"]["initial_option"]["value"] == "SEV2"
    assert blocks["service"]["initial_value"] == "payments-api"
    emu.submit_view(view["id"], fill(bot, view, title="Payments 5xx", severity="SEV2", service="payments-api"),
                    user_id=carol)
    incident = bot.wait_ready(1)
    assert incident.source_permalink == "https://grafana.example/d/pay"
    emu.wait_for(lambda: told(bot) and "Declared as Incident #1" in text_of(triage_messages(bot)[0]))
    assert groups(bot)[0].incident_id == incident.id
    post_alerts(bot, "generic", generic("pay", status="resolved"))
    with bot.runtime.sessions() as s:
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident.id)).all()
    assert "alert_firing" in kinds and "alert_resolved" in kinds


@pytest.mark.parametrize("severity", ["critical"])
def test_an_auto_declare_rule_declares_at_once_and_detected_is_the_first_startsAt(make_bot: Any,
                                                                                severity: str) -> None:
    bot = start(make_bot, auto_declare=(AutoDeclareRule("SEV1", severity),))
    status, _ = post_alerts(bot, "alertmanager", sample("alertmanager-v4.json"))
    assert status == 202
    incident = bot.wait_ready(1)
    assert (incident.title, incident.severity) == ("BlackBox Probe Failure: https://server.example.org", "SEV1")
    assert incident.channel_id
    card = text_of(next(m for m in bot.emu.messages(incident.channel_id) if m.get("bot_id")))
    assert "http://prometheus.example.org:9090/graph" in card
    bot.emu.wait_for(lambda: told(bot) and "Declared as Incident #1" in text_of(triage_messages(bot)[0]))
    status, answer = post_alerts(bot, "alertmanager", sample("alertmanager-v4.json"))  # a retry: still one
    assert answer["groups"][0]["incident"] == 1 and len(bot.incidents()) == 1
    with bot.runtime.sessions() as s:
        row = bot.incident(1)
        built = context.assemble(bot.config, context.gather(s, row), {}, datetime.now(UTC))
    detected = next(m.at for m in built.milestones if m.name == "detected")
    assert detected == datetime(2023, 2, 6, 13, 8, 45, 828000, tzinfo=UTC)
