"""The weekly digest of open follow-ups: one message per period in the configured channel (by incident,
overdue first, with owner and due date), none before its time, once across replicas and restarts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config.reminders import DigestConfig
from tests.conftest import Harness
from tests.scenarios.followup_helpers import config, followups
from tests.scenarios.reminder_helpers import Clock, posts, run_due
from tests.scenarios.steering_helpers import command, declare, text_of, wait_post

HEADING = "*Open follow-ups*"


def _settings(bot_emu: Any, clock: Clock) -> dict[str, Any]:
    digest = DigestConfig(channel=bot_emu.channel_id("incidents"), weekday=0)  # Mondays 09:00 UTC
    return {"clock": clock, "incident": config(digest=digest)}


def test_the_digest_lists_open_follow_ups_overdue_first_once_a_week(make_bot: Any, emu: Any) -> None:
    clock = Clock()  # Wednesday 2026-03-04 09:00 UTC
    bot: Harness = make_bot(**_settings(emu, clock))
    digest_channel = emu.channel_id("incidents")
    first, second = declare(bot, title="Checkout down"), declare(bot, title="Search slow")
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    command(bot, "alice", first, f"followup Add a canary <@{carol}> due 2026-03-20")
    command(bot, "alice", second, f"followup Index the catalogue <@{bob}> due 2026-03-05")
    command(bot, "alice", second, "followup Write it up")
    command(bot, "alice", second, "followup Nothing left")
    emu.wait_for(lambda: len(followups(bot, second.id)) == 3)
    command(bot, "alice", second, "followup done 3")
    wait_post(bot, second.channel_id or "", "Follow-up 3 done")

    clock.now = datetime(2026, 3, 9, 8, 59, tzinfo=UTC)
    run_due(bot)
    assert posts(bot, digest_channel, HEADING) == []
    clock.now = datetime(2026, 3, 9, 9, 0, 1, tzinfo=UTC)
    run_due(bot)
    run_due(bot)
    [digest] = posts(bot, digest_channel, HEADING)
    text = text_of(digest)
    assert "3, 1 overdue" in text and "Nothing left" not in text
    order = [text.index(s) for s in ("Search slow", "Index the catalogue", ":red_circle: overdue, due 2026-03-05",
                                     "Write it up", "Checkout down", "Add a canary")]
    assert order == sorted(order), text  # the incident with an overdue follow-up first, its overdue one first
    assert f"<@{bob}>" in text and "_no owner_ · no due date" in text

    clock.now = datetime(2026, 3, 16, 8, 59, tzinfo=UTC)
    run_due(bot)
    assert len(posts(bot, digest_channel, HEADING)) == 1
    clock.now = datetime(2026, 3, 16, 9, 0, 1, tzinfo=UTC)
    run_due(bot)
    assert len(posts(bot, digest_channel, HEADING)) == 2


def test_two_replicas_and_a_restart_post_each_digest_once(make_bot: Any, emu: Any, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file serves one process")
    clock = Clock()
    one, two = make_bot(**_settings(emu, clock)), make_bot(**_settings(emu, clock))
    incident = declare(one)
    command(one, "alice", incident, f"followup Add a canary <@{emu.user_id('bob')}>")
    emu.wait_for(lambda: followups(one, incident.id))
    channel = emu.channel_id("incidents")

    def look_together(*bots: Harness) -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(b.runtime.scheduler.run_due) for b in bots for _ in range(2)]:
                future.result()

    clock.now = datetime(2026, 3, 9, 9, 0, 1, tzinfo=UTC)
    look_together(one, two)
    assert len(posts(one, channel, HEADING)) == 1
    one.runtime.close()
    three = make_bot(**_settings(emu, clock))  # a deploy: the new replica finds the digest planned
    clock.now = datetime(2026, 3, 16, 9, 0, 1, tzinfo=UTC)
    look_together(two, three)
    look_together(two, three)
    assert len(posts(two, channel, HEADING)) == 2
