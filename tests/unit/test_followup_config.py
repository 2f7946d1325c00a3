"""The follow-up settings: the nudge time and the digest, their defaults, and bad input named with what to write;
the digest's schedule in local wall time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, IncidentConfig, load_incident_config
from bot.config.reminders import DigestConfig
from bot.followups.digest import first_after, next_after


def _load(tmp_path: Path, text: str) -> IncidentConfig:
    path = tmp_path / "incident.yml"
    path.write_text(text)
    return load_incident_config(path)


def test_defaults_and_configured_values(tmp_path: Path) -> None:
    default = _load(tmp_path, "timezone: UTC\n").reminders
    assert default.followup_nudge_at == time(9, 0) and default.followup_digest is None
    mine = _load(tmp_path, 'followup_nudge_at: "14:30"\nfollowup_digest: {channel: C0123ABCD, at: "Fri 16:00"}\n')
    assert mine.reminders.followup_nudge_at == time(14, 30)
    assert mine.reminders.followup_digest == DigestConfig("C0123ABCD", weekday=4, at=time(16, 0))
    every = _load(tmp_path, "followup_digest: {channel: C0123ABCD, every: 1d}\n").reminders.followup_digest
    assert every is not None and every.every == timedelta(days=1) and every.weekday == 0


@pytest.mark.parametrize(("yaml_text", "said"), [
    ("followup_nudge_at: 9am\n", "followup_nudge_at must be a time of day such as \"09:00\""),
    ('followup_nudge_at: "25:00"\n', "followup_nudge_at must be a time of day"),
    ("followup_digest: C0123ABCD\n", "followup_digest must be a mapping with a channel id"),
    ("followup_digest: {channel: '#general'}\n", "followup_digest.channel must be a channel id (C…)"),
    ('followup_digest: {channel: C0123ABCD, at: "Someday 09:00"}\n', "followup_digest.at must be a weekday"),
    ("followup_digest: {channel: C0123ABCD, every: 0s}\n", "followup_digest.every must be a positive duration"),
    ("followup_digest: {channel: C0123ABCD, when: Mon}\n", "followup_digest must be a mapping"),
])
def test_bad_values_say_what_to_write(tmp_path: Path, yaml_text: str, said: str) -> None:
    with pytest.raises(ConfigError, match=r"incident\.yml") as raised:
        _load(tmp_path, yaml_text)
    assert said in str(raised.value)


def test_the_digest_keeps_local_time_across_a_summer_time_change() -> None:
    config = IncidentConfig(timezone="Europe/Berlin")
    digest = DigestConfig("C0123ABCD", weekday=0, at=time(9, 0))
    wednesday = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
    first = first_after(digest, config, wednesday)
    assert first == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 CET
    assert first_after(digest, config, first) == first + timedelta(days=7) - timedelta(hours=1)
    after = next_after(digest, config, first, first)
    assert after == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST, after the clocks moved on the 29th
    assert next_after(digest, config, first, first + timedelta(days=20)) == datetime(2026, 4, 13, 7, 0, tzinfo=UTC)
