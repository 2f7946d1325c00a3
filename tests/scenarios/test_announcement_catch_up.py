"""News made while the announcement is still on its way (queued behind other posts to the announcement
channel, or slow): once the announcement lands, its card shows the incident as it stands then, and every
update made meanwhile is a reply under it, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.emulator import SlackEmulator
from tests.conftest import Harness, scratch_postgres
from tests.scenarios.serve_helpers import Served
from tests.scenarios.steering_helpers import command, fresh, message, text_of, wait_post


def test_an_update_made_before_the_announcement_lands_is_threaded_under_it_and_the_card_is_current(
        bot: Harness) -> None:
    emu = bot.emu
    announce = emu.channel_id("incidents")
    emu.inject("chat.postMessage", latency=4, when=lambda a: a.get("channel") == announce)
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Checkout is down")
    assert r.status == 200
    incident = emu.wait_for(lambda: [i for i in bot.incidents() if i.card_ts], timeout=10)[0]

    assert command(bot, "alice", incident, "status identified").status == 200
    assert command(bot, "alice", incident, "update Found the bad deploy, rolling back").status == 200
    wait_post(bot, incident.channel_id or "", "Found the bad deploy")
    assert emu.in_flight("chat.postMessage"), "the announcement landed before the news: nothing was tested"

    ready = bot.wait_ready(timeout=30)
    assert ready.announcement_ts and ready.announcement_channel_id == announce
    reply = wait_post(bot, announce, "Found the bad deploy", thread_ts=ready.announcement_ts)
    assert "*Update* from" in text_of(reply)

    def card() -> str:
        return text_of(message(bot, announce, ready.announcement_ts or ""))
    emu.wait_for(lambda: "identified" in card(), timeout=10)
    assert "investigating" not in card() and "Last update" in card()
    emu.wait_for(lambda: fresh(bot, incident).unthreaded_through is None, timeout=10)
    emu.drain()
    threaded = [m for m in emu.messages(announce) if m.get("thread_ts") == ready.announcement_ts
                and m["ts"] != ready.announcement_ts]
    assert ["Found the bad deploy" in text_of(m) for m in threaded] == [True]  # once, and nothing else


@pytest.fixture
def replica_postgres() -> Iterator[str]:
    with scratch_postgres("incident_bot_catch_up") as url:
        yield url


def test_news_taken_by_another_replica_before_the_announcement_lands_is_threaded_under_it(
        replica_postgres: str, emu: SlackEmulator, tmp_path: Path) -> None:
    a, b = (Served(emu, replica_postgres, tmp_path, name) for name in ("a", "b"))
    engine = create_engine(replica_postgres)

    def row() -> Any:
        with engine.connect() as conn:
            return conn.execute(text("SELECT channel_id, card_ts, announcement_ts, setup_state, unthreaded_through "
                                     "FROM incidents")).first()
    try:
        a.wait_healthy()
        b.wait_healthy()
        emu.app_url = a.events_url
        announce = emu.channel_id("incidents")
        emu.inject("chat.postMessage", latency=4, when=lambda args: args.get("channel") == announce)
        alice = emu.user_id("alice")
        assert a.driver.slash_command(alice, emu.channel_id("general"), "/incident",
                                      "declare Search is slow").status == 200

        def carded() -> str:
            r = row()
            return str(r.channel_id) if r is not None and r.card_ts else ""
        channel = emu.wait_for(carded, timeout=15)
        assert b.driver.slash_command(alice, channel, "/incident", "status identified").status == 200
        assert b.driver.slash_command(alice, channel, "/incident", "update Index rebuilt on b").status == 200
        emu.wait_for(lambda: [m for m in emu.messages(channel) if "Index rebuilt on b" in text_of(m)], timeout=15)
        assert emu.in_flight("chat.postMessage"), "the announcement landed before the news: nothing was tested"

        def finished() -> Any:
            r = row()
            return r if r is not None and r.setup_state == "ready" and r.unthreaded_through is None else None
        done = emu.wait_for(finished, timeout=30)
        replies = emu.wait_for(lambda: [m for m in emu.messages(announce) if m.get("thread_ts") == done.announcement_ts
                                        and "Index rebuilt on b" in text_of(m)], timeout=15)
        assert len(replies) == 1
        emu.wait_for(lambda: "identified" in text_of(message_of(emu, announce, done.announcement_ts)), timeout=10)
    finally:
        a.stop()
        b.stop()
        engine.dispose()


def message_of(emu: SlackEmulator, channel: str, ts: str) -> dict[str, Any]:
    return next(m for m in emu.messages(channel) if m["ts"] == ts)
