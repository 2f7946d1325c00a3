"""Shared steps of the timeline scenarios: declare an incident, read what the timeline stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.incidents.models import Incident
from bot.timeline.models import MessageRevision, TimelineEvent, TimelineMessage
from tests.conftest import Harness


def declare(bot: Harness, title: str = "Checkout API returning 500s", *, number: int = 1,
            flags: str = "") -> Incident:
    """Alice declares an incident from #general; wait until its channel is ready and events settle."""
    emu = bot.emu
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", f"declare {flags}{title}")
    incident = bot.wait_ready(number)
    assert incident.setup_state == "ready", incident.setup_error
    emu.drain()
    return incident


def rows(bot: Harness, incident_id: int) -> list[TimelineMessage]:
    """The incident's captured messages, by ts."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(TimelineMessage).where(TimelineMessage.incident_id == incident_id)
                              .order_by(TimelineMessage.ts)))


def row(bot: Harness, channel_id: str, ts: str) -> TimelineMessage | None:
    """One captured message."""
    with bot.runtime.sessions() as s:
        return s.scalar(select(TimelineMessage).where(TimelineMessage.channel_id == channel_id,
                                                      TimelineMessage.ts == ts))


def revisions(bot: Harness, message_id: int) -> list[MessageRevision]:
    """Earlier texts of a message, oldest edit first."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(MessageRevision).where(MessageRevision.message_id == message_id)
                              .order_by(MessageRevision.edit_ts)))


def all_revision_texts(bot: Harness) -> list[str | None]:
    """Every stored earlier text, whichever message it belongs to."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(MessageRevision.text)))


def events(bot: Harness, incident_id: int, kind: str | None = None) -> list[TimelineEvent]:
    """The incident's system events and notes."""
    with bot.runtime.sessions() as s:
        query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
        if kind:
            query = query.where(TimelineEvent.kind == kind)
        return list(s.scalars(query.order_by(TimelineEvent.id)))


def settle(bot: Harness) -> None:
    """Wait until the emulator has delivered its events and the bot has stored what it queued."""
    bot.emu.drain()
    assert bot.runtime.timeline.writer.wait_idle(10)


def wait_row(bot: Harness, channel_id: str, ts: str,
             check: Callable[[TimelineMessage], bool] = lambda r: True) -> TimelineMessage:
    """Poll the database until the message is stored (and `check` holds)."""
    def found() -> TimelineMessage | None:
        r = row(bot, channel_id, ts)
        return r if r is not None and check(r) else None
    stored = bot.emu.wait_for(found, timeout=10)
    assert stored is not None  # wait_for returns only a truthy value
    return stored


def message_event(bot: Harness, channel_id: str, user: str, text: str, ts: str, **extra: Any) -> dict[str, Any]:
    """A plain message event as Slack sends it."""
    return {"type": "message", "client_msg_id": f"cm-{ts}", "text": text, "user": user, "ts": ts,
            "team": bot.emu.team_id, "channel": channel_id, "channel_type": "channel", "event_ts": ts, **extra}
