"""Date tokens rendered as Slack renders them for a reader in a zone (the demo prints them so)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.markup import date_token, readable

AT = datetime(2026, 3, 4, 9, 0, 5, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def shown(pattern: str, now: datetime) -> str:
    return readable(f"due {date_token(AT, pattern)}.", zone=BERLIN, now=now)


def test_each_pattern_word_in_the_readers_zone() -> None:
    same_day, later = datetime(2026, 3, 4, 12, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
    assert shown("{date_short_pretty} at {time}", same_day) == "due Today at 10:00."
    assert shown("{date_short_pretty} at {time}", datetime(2026, 3, 5, 12, tzinfo=UTC)) == "due Yesterday at 10:00."
    assert shown("{date_short_pretty} at {time}", later) == "due Mar 4, 2026 at 10:00."
    assert shown("{date_long}", later) == "due Wednesday, March 4th, 2026."
    assert shown("{date_num} {time_secs}", later) == "due 2026-03-04 10:00:05."
    assert shown("{ago}", same_day) == "due 2 h 59 min ago."


def test_without_a_zone_the_fallback_is_kept() -> None:
    assert readable(date_token(AT, "{time}", "09:00 UTC")) == "09:00 UTC"
