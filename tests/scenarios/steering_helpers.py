"""Helpers for the steering scenarios (roles, severity, status, updates, permissions)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.incidents.models import Incident, RoleAssignment
from bot.timeline.models import TimelineEvent
from tests.conftest import Harness


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and the text inside its blocks."""
    return message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def declare(bot: Harness, user: str = "alice", title: str = "Checkout API returning 500s",
            flags: str = "") -> Incident:
    """Declare inline from #general and wait until the channel is ready and the declarer was told."""
    emu = bot.emu
    number = len(bot.incidents()) + 1
    emu.slash_command(emu.user_id(user), emu.channel_id("general"), "/incident", f"declare {flags} {title}")
    incident = bot.wait_ready(number)
    assert incident.setup_state == "ready", incident.setup_error
    emu.wait_for(lambda: any(f"<#{incident.channel_id}>" in r["body"].get("text", "") for r in emu.responses()))
    return incident


def command(bot: Harness, user: str, incident: Incident, text: str) -> Any:
    """`/incident <text>` typed by `user` in the incident's channel; returns the ack response."""
    return bot.emu.slash_command(bot.emu.user_id(user), incident.channel_id or "", "/incident", text)


def wait_post(bot: Harness, channel_id: str, needle: str, *, thread_ts: str | None = None) -> dict[str, Any]:
    """The bot's message in `channel_id` (optionally a reply in `thread_ts`) containing `needle`."""
    def found() -> dict[str, Any] | None:
        for m in bot.emu.messages(channel_id):
            if m.get("bot_id") and needle in text_of(m) and (thread_ts is None or (
                    m.get("thread_ts") == thread_ts and m["ts"] != thread_ts)):
                return m
        return None
    post = bot.emu.wait_for(found)
    assert post is not None  # wait_for returns only a truthy value
    return post


def message(bot: Harness, channel_id: str, ts: str) -> dict[str, Any]:
    """The message `ts` as it stands now (after any chat.update)."""
    return next(m for m in bot.emu.messages(channel_id) if m["ts"] == ts)


def wait_card(bot: Harness, incident: Incident, needle: str) -> str:
    """The incident card's text once it shows `needle`."""
    def shown() -> str | None:
        text = text_of(message(bot, incident.channel_id or "", incident.card_ts or ""))
        return text if needle in text else None
    text = bot.emu.wait_for(shown)
    assert text is not None  # wait_for returns only a truthy value
    return text


def wait_announcement(bot: Harness, incident: Incident, needle: str) -> str:
    """The announcement card's text once it shows `needle`."""
    def shown() -> str | None:
        card = message(bot, incident.announcement_channel_id or "", incident.announcement_ts or "")
        return text_of(card) if needle in text_of(card) else None
    text = bot.emu.wait_for(shown)
    assert text is not None  # wait_for returns only a truthy value
    return text


def replies(bot: Harness, user: str) -> list[str]:
    """What the bot told `user` privately: response_url posts, ephemerals (DMs excluded)."""
    uid = bot.emu.user_id(user)
    out = [r["body"].get("text", "") for r in bot.emu.responses(user=uid)]
    return out + [e["text"] for e in bot.emu.ephemerals(user=uid)]


def wait_reply(bot: Harness, user: str, needle: str) -> str:
    """The private answer to `user` containing `needle`."""
    reply = bot.emu.wait_for(lambda: next((t for t in replies(bot, user) if needle in t), None))
    assert reply is not None  # wait_for returns only a truthy value
    return reply


def events(bot: Harness, incident: Incident, kind: str) -> list[TimelineEvent]:
    """The incident's timeline events of one kind, oldest first."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident.id,
                                                          TimelineEvent.kind == kind).order_by(TimelineEvent.id)))


def assignments(bot: Harness, incident: Incident) -> list[RoleAssignment]:
    """Every role assignment of the incident, current and past, in order."""
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(RoleAssignment).where(RoleAssignment.incident_id == incident.id)
                              .order_by(RoleAssignment.id)))


def fresh(bot: Harness, incident: Incident) -> Incident:
    """The incident row as it is now."""
    with bot.runtime.sessions() as s:
        return s.get_one(Incident, incident.id)


def open_view(bot: Harness, user: str, callback_id: str) -> dict[str, Any]:
    """The modal with `callback_id` once it is open for `user`."""
    uid = bot.emu.user_id(user)
    view = bot.emu.wait_for(lambda: next((v for v in bot.emu.views(user=uid) if v["callback_id"] == callback_id),
                                         None))
    assert view is not None  # wait_for returns only a truthy value
    return view


def chosen(value: str | None) -> dict[str, Any]:
    """A static_select state value."""
    return {"type": "static_select",
            "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}} if value else None}


def submit_resolve_form(bot: Harness, user: str, summary: str = "Rolled back") -> None:
    """Fill in and submit the resolve form that `/incident resolve` (or `status resolved`) opened for `user`."""
    uid = bot.emu.user_id(user)
    view = bot.emu.wait_for(lambda: [v for v in bot.emu.views(user=uid)
                                     if v["callback_id"] == "incident_resolve_modal"])[-1]
    bot.emu.submit_view(view["id"], {"summary": {"summary_input": {"type": "plain_text_input", "value": summary}}},
                        user_id=uid)
