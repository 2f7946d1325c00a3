"""The span a figure covers: `/incident stats 30d`, `incident-bot report --since … --until …`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import COMMAND
from bot.errors import InvalidInput

DEFAULT_STATS = "30d"
DEFAULT_REPORT_DAYS = 90
LONGEST_DAYS = 3660  # ten years: a longer span is a typo
_TYPED = re.compile(r"^(\d{1,5})\s*([dw])$")
_UNIT_DAYS = {"d": 1, "w": 7}


@dataclass(frozen=True)
class Period:
    """Incidents declared from `since` (included) to `until` (excluded), both UTC."""

    since: datetime
    until: datetime

    @property
    def days(self) -> float:
        """Its length in days."""
        return (self.until - self.since) / timedelta(days=1)


def stats_period(typed: str, now: datetime) -> Period:
    """`7d`, `30d`, `90d`, `12w` … back from `now` (default 30d); anything else is refused saying what to type."""
    word = typed.strip().lower() or DEFAULT_STATS
    match = _TYPED.match(word)
    days = int(match.group(1)) * _UNIT_DAYS[match.group(2)] if match else 0
    if not match or not 1 <= days <= LONGEST_DAYS:
        raise InvalidInput(f"`{typed.strip()}` is not a period I can count over. Type `{COMMAND} stats 30d` "
                           f"(days: `7d`, `30d`, `90d`; weeks: `12w`; from 1 day to {LONGEST_DAYS} days).",
                           field="period")
    return Period(now - timedelta(days=days), now)


def parse_day(typed: str, option: str) -> date:
    """A `YYYY-MM-DD` date given to `option`, or InvalidInput saying what to type."""
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        raise InvalidInput(f"{option} {typed!r} is not a date: type it as YYYY-MM-DD, e.g. {option} 2026-01-31",
                           field=option) from None


def report_period(since: str | None, until: str | None, now: datetime, tz: ZoneInfo) -> Period:
    """The report's span: whole days in the configured zone, `--until` included; by default the last 90 days."""
    end = _start_of(parse_day(until, "--until") + timedelta(days=1), tz) if until else now
    start = _start_of(parse_day(since, "--since"), tz) if since else end - timedelta(days=DEFAULT_REPORT_DAYS)
    if start >= end:
        given = f"--since {since}" + (f" is after --until {until}" if until else " is in the future")
        raise InvalidInput(f"{given}: give an earlier --since or a later --until, e.g. "
                           f"--since {(now - timedelta(days=DEFAULT_REPORT_DAYS)).astimezone(tz):%Y-%m-%d} "
                           f"--until {now.astimezone(tz):%Y-%m-%d}", field="--since")
    return Period(start, end)


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
