"""The reminder settings: defaults, a map replacing the default whole, and bad input named with what to write."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_incident_config


def test_defaults_and_a_configured_map_that_replaces_them(tmp_path: Path) -> None:
    default = load_incident_config(_write(tmp_path, "timezone: UTC\n")).reminders
    assert default.every("SEV1") == timedelta(minutes=30) and default.every("SEV2") == timedelta(hours=1)
    assert default.every("SEV3") is None
    assert default.escalation_after("SEV1", True) == timedelta(minutes=15)
    assert default.escalation_after("SEV3", False) is None
    mine = load_incident_config(_write(tmp_path, "update_every: {sev3: 90s}\nescalate_after: {SEV2: 5m}\n"
                                                 "escalate_to: [U0123ABCD, S0456EFGH, '#managers']\n"
                                                 "sla: {SEV1: {acknowledge: 5m, resolve: 4h}}\n")).reminders
    assert mine.every("SEV3") == timedelta(seconds=90) and mine.every("SEV1") is None
    assert mine.escalation_after("SEV2", True) == timedelta(minutes=5) and mine.escalation_after("SEV1", True) is None
    assert mine.targets("SEV1").resolve == timedelta(hours=4) and mine.targets("SEV2").acknowledge is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "incident.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("yaml_text", "said"), [
    ("update_every: {SEV1: 0s}\n", "update_every.SEV1 must be a positive duration such as 90s, 15m"),
    ("update_every: {SEV1: -5m}\n", "update_every.SEV1 must be a positive duration"),
    ("escalate_after: soon\n", "escalate_after must be a positive duration"),
    ("update_every: {SEV9: 5m}\n", "'SEV9', which is not a severity"),
    ("update_every: 30m\n", "update_every must be a mapping of severity to duration"),
    ("escalate_to: [alice]\n", "escalate_to takes user ids (U…), user-group ids (S…) or a channel"),
    ("sla: {SEV1: {ack: 5m}}\n", "sla.SEV1 must be a mapping with acknowledge and/or resolve"),
    ("sla: {SEV1: {resolve: 0s}}\n", "sla.SEV1.resolve must be a positive duration"),
])
def test_bad_reminder_settings_name_the_key_and_what_to_write(tmp_path: Path, yaml_text: str, said: str) -> None:
    with pytest.raises(ConfigError, match=r"incident\.yml") as raised:
        load_incident_config(_write(tmp_path, yaml_text))
    assert said in str(raised.value) and "\n" not in str(raised.value)
