"""The alert settings (`alert_sources`, `auto_declare`, `group_window`, `alert_severities`): defaults, what is
configured, and each bad value answered with one line naming the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_incident_config
from bot.config.alerts import AlertSource, AutoDeclareRule

TOKEN = "a-long-random-secret-1"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "incident.yml"
    path.write_text(text)
    return path


def test_defaults(tmp_path: Path) -> None:
    alerts = load_incident_config(_write(tmp_path, "timezone: UTC\n")).alerts
    assert (alerts.sources, alerts.auto_declare, alerts.group_window) == ((), (), timedelta(minutes=10))
    assert [alerts.incident_severity(s) for s in ("critical", "HIGH", "warning", "info", "debug", None)] == [
        "SEV1", "SEV2", "SEV3", "SEV4", None, None]


def test_configured_sources_rules_window_and_mapping(tmp_path: Path) -> None:
    alerts = load_incident_config(_write(tmp_path, f"""
alert_sources:
  prod: {{kind: Alertmanager, token: {TOKEN}}}
group_window: 90s
alert_severities: {{page: SEV1, Ticket: SEV3}}
auto_declare:
  - {{severity: page, declare: sev1}}
  - {{labels: {{team: payments, tier: 1}}, declare: SEV3}}
""")).alerts
    assert alerts.sources == (AlertSource("prod", "alertmanager", TOKEN),) and alerts.tokens("alertmanager") == [TOKEN]
    assert alerts.group_window == timedelta(seconds=90)
    assert alerts.incident_severity("ticket") == "SEV3" and alerts.incident_severity("critical") is None
    assert alerts.auto_declare == (AutoDeclareRule("SEV1", "page"),
                                   AutoDeclareRule("SEV3", None, (("team", "payments"), ("tier", "1"))))
    assert alerts.auto_declare[0].matches("PAGE", {}) and not alerts.auto_declare[0].matches("ticket", {})
    assert alerts.auto_declare[1].matches(None, {"team": "payments", "tier": "1", "x": "y"})
    assert not alerts.auto_declare[1].matches(None, {"team": "payments"})
    assert "secret" not in repr(alerts.sources)


@pytest.mark.parametrize(("yaml_text", "said"), [
    ("alert_sources: [prod]\n", "alert_sources must map a name to {kind, token}"),
    ("alert_sources: {prod: x}\n", "alert_sources.prod must be a mapping with kind and token"),
    (f"alert_sources: {{prod: {{kind: nagios, token: {TOKEN}}}}}\n",
     "alert_sources.prod.kind must be one of alertmanager, grafana, generic (got 'nagios')"),
    ("alert_sources: {prod: {kind: grafana}}\n", "alert_sources.prod.token must be a non-empty string"),
    ("alert_sources: {prod: {kind: grafana, token: short}}\n", "alert_sources.prod.token must be at least 16"),
    (f"alert_sources: {{prod: {{kind: grafana, token: {TOKEN}, url: x}}}}\n",
     "alert_sources.prod has an unknown key 'url' (it takes kind, token)"),
    ("auto_declare: {severity: critical, declare: SEV1}\n", "auto_declare must be a list of rules"),
    ("auto_declare: [{severity: critical}]\n", "auto_declare[0] must be a mapping with declare"),
    ("auto_declare: [{severity: critical, declare: SEV9}]\n",
     "auto_declare[0].declare 'SEV9' is not one of the severities (SEV1, SEV2, SEV3, SEV4)"),
    ("auto_declare: [{severity: critical, declare: 1}]\n", "auto_declare[0].declare must be a non-empty string"),
    ("auto_declare: [{severity: loud, declare: SEV1}]\n",
     "auto_declare[0].severity 'loud' is not an alert severity (critical, high, warning, info)"),
    ("auto_declare: [{labels: [team], declare: SEV1}]\n", "auto_declare[0].labels must map label names to values"),
    ("auto_declare: [{declare: SEV1}]\n", "auto_declare[0] needs severity or labels"),
    ("auto_declare: [{severty: critical, declare: SEV1}]\n",
     "auto_declare[0] has an unknown key 'severty' (it takes declare, severity, labels)"),
    ("group_window: 0s\n", "group_window must be a positive duration such as 90s, 15m, 4h or 2d (got '0s')"),
    ("group_window: soon\n", "group_window must be a positive duration"),
    ("alert_severities: []\n", "alert_severities must map alert severities to incident severities"),
    ("alert_severities: {critical: SEV9}\n", "alert_severities.critical is 'SEV9', not one of the severities"),
    ("alert_severities: {critical: 1}\n", "alert_severities.critical must be a non-empty string"),
    ("alert_severities: {page: SEV1}\nauto_declare: [{severity: critical, declare: SEV1}]\n",
     "auto_declare[0].severity 'critical' is not an alert severity (page)"),
])
def test_bad_alert_settings_name_the_key_in_one_line(tmp_path: Path, yaml_text: str, said: str) -> None:
    with pytest.raises(ConfigError, match=r"incident\.yml") as raised:
        load_incident_config(_write(tmp_path, yaml_text))
    assert said in str(raised.value) and "\n" not in str(raised.value)
