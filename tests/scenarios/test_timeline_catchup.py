"""Nothing lost: what was said while the bot was stopped, or before it joined, is read back once."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness
from tests.scenarios.timeline_helpers import declare, row, rows, settle, wait_row


def test_messages_sent_while_the_bot_was_stopped_are_in_the_timeline_once_after_restart(make_bot: Any) -> None:
    first = make_bot()
    emu = first.emu
    incident = declare(first)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    before = emu.post_message(alice, channel, "Seen live, before the restart")
    settle(first)
    old_thread_reply_parent = before
    first.runtime.close()

    down = [emu.post_message(bob, channel, f"While the bot was down #{n}") for n in range(3)]
    reply = emu.post_message(alice, channel, "A reply in an old thread", thread_ts=old_thread_reply_parent)
    edited = emu.post_message(bob, channel, "ETA 5 minutes")
    emu.edit_message(bob, channel, edited, "ETA 15 minutes")
    emu.add_reaction(alice, channel, down[1], "pushpin")

    second: Harness = make_bot()  # same database; start-up catch-up runs in the background
    last = wait_row(second, channel, edited, lambda r: r.text == "ETA 15 minutes")
    wait_row(second, channel, down[1], lambda r: r.is_key)
    settle(second)
    live = emu.post_message(alice, channel, "After the restart")
    second.runtime.start().result(timeout=10)  # a second catch-up changes nothing
    settle(second)

    stored = rows(second, incident.id)
    assert [r.ts for r in stored] == [before, *down, reply, edited, live]
    assert len({r.ts for r in stored}) == len(stored)
    assert row(second, channel, reply).thread_ts == before  # type: ignore[union-attr]
    assert last.edited_at is not None
    assert [r.ts for r in stored if r.is_key] == [down[1]]


def test_when_the_bot_joins_a_channel_it_reads_back_what_was_said_before(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, carol = incident.channel_id, emu.user_id("carol")
    assert channel is not None
    emu.subscribed_events = {"member_joined_channel"}  # message events do not reach the bot for a while
    missed = emu.post_message(carol, channel, "Said before the bot could hear")
    settle(bot)
    assert row(bot, channel, missed) is None

    emu.subscribed_events = None
    r = emu.send_event({"type": "member_joined_channel", "user": emu.bot_user_id, "channel": channel,
                        "channel_type": "C", "team": emu.team_id, "inviter": carol})  # carol invites it back

    assert r.status == 200
    assert wait_row(bot, channel, missed).text == "Said before the bot could hear"
    assert len(rows(bot, incident.id)) == 1
