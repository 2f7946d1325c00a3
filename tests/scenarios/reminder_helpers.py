"""Helpers for the reminder scenarios: a clock the test moves, configurations with short timers, counting posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import Any

from sqlalchemy import select

from bot.config import IncidentConfig
from bot.config.reminders import ReminderConfig, SlaTargets
from bot.scheduling.models import ScheduledJob
from tests.conftest import Harness
from tests.scenarios.steering_helpers import text_of


class Clock:
    """A clock the test moves (the scheduler reads it too), so minutes pass at once."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
        self._lock = Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.now += timedelta(**delta)


def config(*, every: dict[str, timedelta] | None = None, after: timedelta | None = None,
           to: tuple[str, ...] = (), sla: dict[str, SlaTargets] | None = None) -> IncidentConfig:
    """The default incident configuration with these reminder settings."""
    reminders = ReminderConfig(
        update_every=tuple((every or {"SEV3": timedelta(minutes=30)}).items()),
        escalate_after=None if after is None else (("SEV1", after), ("SEV2", after)),
        escalate_to=to, sla=tuple((sla or {}).items()))
    return IncidentConfig(reminders=reminders)


def posts(bot: Harness, channel_id: str, needle: str) -> list[dict[str, Any]]:
    """The bot's messages in `channel_id` containing `needle`."""
    return [m for m in bot.emu.messages(channel_id) if m.get("bot_id") and needle in text_of(m)]


def dms(bot: Harness, user: str, needle: str) -> list[dict[str, Any]]:
    """The bot's DMs to `user` containing `needle`."""
    return [m for m in bot.emu.dms(bot.emu.user_id(user)) if needle in text_of(m)]


def jobs(bot: Harness, incident_id: int) -> dict[str, ScheduledJob]:
    """The incident's scheduled jobs by kind of key (`update_reminder`, `escalation`, `sla_acknowledge`, …)."""
    with bot.runtime.sessions() as s:
        rows = s.scalars(select(ScheduledJob).where(ScheduledJob.incident_id == incident_id))
        return {r.key.split(":")[0]: r for r in rows}


def run_due(bot: Harness) -> None:
    """Look now (as the scheduler's thread does every few seconds) and wait for the work."""
    bot.runtime.scheduler.run_due()
