"""`GET /metrics`: the Prometheus text format, read back with the Prometheus client's own parser."""

from __future__ import annotations

import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Harness
from tests.unit.reporting_history import NOW, seed


def _get(bot: Harness, path: str) -> tuple[int, str, str]:
    server = bot.runtime.server
    assert server is not None
    with urllib.request.urlopen(f"{server.url}{path}") as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_parse_and_count_incidents_slack_calls_and_requests(make_bot: Any) -> None:
    bot: Harness = make_bot(clock=lambda: NOW)
    with bot.runtime.sessions.begin() as session:
        seed(session)
    emu, client = bot.emu, bot.runtime.slack_client
    emu.inject("chat.postMessage", status=429, retry_after=0)  # one 429, then it goes through
    client.chat_postMessage(channel=emu.channel_id("general"), text="hello")
    try:
        client.conversations_info(channel="C0NOSUCH")
    except Exception as exc:  # SlackApiError: channel_not_found, counted as an error
        assert "channel_not_found" in str(exc)
    assert _get(bot, "/healthz")[0] == 200

    status, content_type, text = _get(bot, "/metrics")

    assert status == 200 and content_type.startswith("text/plain")
    got = _samples(text)
    # open: #2 (SEV1 resolved), #3 (SEV1 investigating), #8 (SEV3 investigating); the drill #6 is left out
    open_now = {labels: v for (name, labels), v in got.items() if name == "incident_bot_open_incidents"}
    assert open_now == {(("severity", "SEV1"), ("status", "investigating")): 1,
                        (("severity", "SEV1"), ("status", "resolved")): 1,
                        (("severity", "SEV3"), ("status", "investigating")): 1}
    assert got[("incident_bot_incidents_declared_total", ())] == 7  # all but the drill
    assert got[("incident_bot_incidents_resolved_total", ())] == 4  # #1, #2, #4, #5
    assert got[("incident_bot_database_up", ())] == 1
    assert got[("incident_bot_slack_api_rate_limited_total", (("method", "chat.postMessage"),))] == 1
    assert got[("incident_bot_slack_api_calls_total", (("method", "chat.postMessage"),))] == 1
    assert got[("incident_bot_slack_api_errors_total",
                (("error", "channel_not_found"), ("method", "conversations.info")))] == 1
    for source in ("alertmanager", "grafana", "generic"):
        assert got[("incident_bot_alerts_received_total", (("source", source),))] == 0
    health = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert got[("incident_bot_http_request_duration_seconds_count", health)] == 1
    assert got[("incident_bot_http_request_duration_seconds_bucket", tuple(sorted((*health, ("le", "+Inf")))))] == 1


def test_a_slash_command_is_timed_under_its_route(bot: Harness) -> None:
    emu = bot.emu
    assert emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "help").status == 200

    got = _samples(_get(bot, "/metrics")[2])

    assert got[("incident_bot_http_request_duration_seconds_count",
                (("method", "POST"), ("route", "/slack/events"), ("status", "200")))] == 1
