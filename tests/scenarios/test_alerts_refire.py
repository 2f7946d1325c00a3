"""A resolved group that fires again within its window: a reply under its triage message and the message
edited; an acknowledged or dismissed group is edited silently."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.scenarios.alert_helpers import TOKEN, generic, groups, post_alerts, text_of, told, triage_messages


def replies(bot: Harness) -> list[dict[str, Any]]:
    return [m for m in bot.emu.messages(bot.emu.channel_id("incidents")) if m.get("thread_ts") not in (None, m["ts"])]


def fire_resolve(bot: Harness, key: str) -> None:
    """A group of one alert fires, is told, resolves, and is told resolved."""
    assert post_alerts(bot, "generic", generic(key, group="disks"))[0] == 202
    bot.emu.wait_for(lambda: told(bot))
    assert post_alerts(bot, "generic", generic(key, status="resolved", group="disks"))[0] == 202
    bot.emu.wait_for(lambda: told(bot) and "Resolved" in text_of(triage_messages(bot)[0]), timeout=15)


def test_a_resolved_group_firing_again_gets_a_reply_under_its_message_and_the_message_edited(
        make_bot: Any) -> None:
    bot = make_bot(alert_token=TOKEN)
    fire_resolve(bot, "disk-db-1")
    status, answer = post_alerts(bot, "generic", generic("disk-db-1", group="disks"))
    assert status == 202 and answer["groups"] == [{"key": "disks", "state": "firing", "incident": None}]
    bot.emu.wait_for(lambda: told(bot) and replies(bot), timeout=15)
    [message] = triage_messages(bot)
    [reply] = replies(bot)
    assert reply["thread_ts"] == message["ts"]
    assert "Firing again: 1 alert(s) now, 2 in this group in all." in reply["text"]
    shown = text_of(message)
    assert "Firing" in shown and "2 (1 firing)" in shown and "Resolved" not in message["text"]
    [group] = groups(bot)
    assert (group.state, group.alert_count, group.notice_owed) == ("firing", 2, False)
    bot.emu.drain()
    assert len(replies(bot)) == 1  # said once


@pytest.mark.parametrize("button", ["alert_acknowledge", "alert_dismiss"])
def test_an_acknowledged_or_dismissed_group_firing_again_is_edited_silently(make_bot: Any, button: str) -> None:
    bot = make_bot(alert_token=TOKEN)
    emu = bot.emu
    assert post_alerts(bot, "generic", generic("disk-db-1", group="disks"))[0] == 202
    emu.wait_for(lambda: told(bot))
    emu.click(emu.user_id("alice"), emu.channel_id("incidents"), triage_messages(bot)[0]["ts"], button)
    emu.wait_for(lambda: told(bot) and groups(bot)[0].state != "firing", timeout=15)
    assert post_alerts(bot, "generic", generic("disk-db-1", status="resolved", group="disks"))[0] == 202
    emu.wait_for(lambda: told(bot) and groups(bot)[0].state == "resolved", timeout=15)
    assert post_alerts(bot, "generic", generic("disk-db-1", group="disks"))[0] == 202
    emu.wait_for(lambda: told(bot) and "2 (1 firing)" in text_of(triage_messages(bot)[0]), timeout=15)
    emu.drain()
    assert replies(bot) == [] and len(triage_messages(bot)) == 1 and len(groups(bot)) == 1
