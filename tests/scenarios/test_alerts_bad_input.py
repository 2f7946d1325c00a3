"""Bad alert requests: each a clear 4xx with the reason, nothing written; never a 500."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import IncidentConfig
from bot.config.alerts import AlertConfig, AlertSource
from tests.conftest import Harness
from tests.scenarios.alert_helpers import TOKEN, alerts, generic, groups, post_alerts, sample

FUTURE = (datetime.now(UTC) + timedelta(days=1)).isoformat()


@pytest.fixture
def abot(make_bot: Any) -> Harness:
    return make_bot(alert_token=TOKEN, incident=IncidentConfig(alerts=AlertConfig(
        sources=(AlertSource("prod-am", "alertmanager", "per-source-token-0123456789"),))))


def _manager(**alert: Any) -> dict[str, Any]:
    doc = sample("alertmanager-v4.json")
    doc["alerts"] = [dict(doc["alerts"][0], **alert), dict(doc["alerts"][0], fingerprint="other")]
    return doc


BAD: list[tuple[str, str, Any, str]] = [
    ("generic", "malformed JSON", b'{"title": ', "not JSON"),
    ("generic", "not UTF-8", b"\xff\xfe", "UTF-8"),
    ("generic", "a list", [generic("a")], "JSON object"),
    ("generic", "no dedup_key", {"title": "x", "status": "firing"}, "dedup_key is missing"),
    ("generic", "blank title", generic("a", title="  "), "title must not be blank"),
    ("generic", "bad status", generic("a", status="open"), "firing or resolved"),
    ("generic", "unknown severity", generic("a", severity="apocalyptic"), "is not a severity"),
    ("generic", "started_at unparseable", generic("a", started_at="yesterday"), "not an RFC 3339 time"),
    ("generic", "started_at in the future", generic("a", started_at=FUTURE), "in the future"),
    ("generic", "started_at naive", generic("a", started_at="2024-01-01T00:00:00"), "time zone"),
    ("generic", "url not http", generic("a", url="javascript:alert(1)"), "http(s) URL"),
    ("generic", "labels not strings", generic("a", labels={"a": 1}), "must be a string"),
    ("generic", "huge label set", generic("a", labels={f"l{i}": "v" for i in range(500)}), "at most 64"),
    ("alertmanager", "wrong version", dict(sample("alertmanager-v4.json"), version="3"), "version must be"),
    ("alertmanager", "alerts not a list", dict(sample("alertmanager-v4.json"), alerts={}), "non-empty list"),
    ("alertmanager", "no groupKey", {**sample("alertmanager-v4.json"), "groupKey": None}, "groupKey is missing"),
    ("alertmanager", "second alert broken", _manager(startsAt="soon"), "alerts[0].startsAt"),
    ("alertmanager", "huge labels", _manager(labels={f"l{i}": "v" for i in range(100)}), "at most 64"),
    ("grafana", "not grafana", {"hello": "world"}, "not Grafana"),
]


@pytest.mark.parametrize(("kind", "what", "payload", "reason"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_body_is_refused_with_the_reason_and_nothing_is_written(abot: Harness, kind: str, what: str,
                                                                      payload: Any, reason: str) -> None:
    raw = payload if isinstance(payload, bytes) else None
    status, answer = post_alerts(abot, kind, payload, raw=raw)
    assert status == 400, answer
    assert reason in answer["error"]
    assert groups(abot) == [] and alerts(abot) == []


def oversized(bot: Harness) -> int:
    """The status of a POST declaring a 2 MiB body (the server answers before the body is sent)."""
    assert bot.runtime.server is not None
    conn = http.client.HTTPConnection("127.0.0.1", bot.runtime.server.port, timeout=10)
    conn.putrequest("POST", "/hooks/alerts/generic")
    conn.putheader("Authorization", f"Bearer {TOKEN}")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(2 * 1024 * 1024))
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_tokens_sizes_and_routes(abot: Harness) -> None:
    assert post_alerts(abot, "generic", generic("a"), token=None)[0] == 401
    assert post_alerts(abot, "generic", generic("a"), token="wrong-token-0123456789")[0] == 401
    assert post_alerts(abot, "generic", generic("a"), token="per-source-token-0123456789")[0] == 401  # other kind
    assert post_alerts(abot, "pagerduty", generic("a"))[0] == 404
    assert oversized(abot) == 413
    assert groups(abot) == []
    status, _ = post_alerts(abot, "alertmanager", sample("alertmanager-v4.json"),
                                 token="per-source-token-0123456789")
    assert status == 202 and groups(abot)[0].source == "prod-am"
