"""Helpers for the follow-up scenarios: a configuration with the nudge time and digest, the follow-up rows."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from bot.config import IncidentConfig
from bot.config.reminders import DigestConfig, ReminderConfig
from bot.followups.models import Followup
from tests.conftest import Harness


def config(*, timezone: str = "UTC", at: time = time(9, 0), digest: DigestConfig | None = None) -> IncidentConfig:
    """The default incident configuration with no update reminders and these follow-up settings."""
    return IncidentConfig(timezone=timezone, reminders=ReminderConfig(
        update_every=(), followup_nudge_at=at, followup_digest=digest))


def followups(bot: Harness, incident_id: int) -> list[Followup]:
    """The incident's follow-ups as they are now, oldest first."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(Followup).where(Followup.incident_id == incident_id).order_by(Followup.id)))


def dm_channel(bot: Harness, user: str) -> str:
    """The id of the bot's IM with `user`."""
    with bot.emu.ws.lock:
        return bot.emu.ws.ims[bot.emu.user_id(user)]
