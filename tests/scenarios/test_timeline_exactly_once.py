"""Slack redelivers; events arrive twice, concurrently, out of order. A message is stored once, an
edit recorded once, and a deleted message's text never comes back."""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import Harness
from tests.scenarios.timeline_helpers import declare, message_event, revisions, row, rows, settle


def _deliver_concurrently(bot: Harness, event: dict[str, Any], copies: int, event_id: str) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(copies)

    def send(n: int) -> None:
        barrier.wait()
        statuses.append(bot.emu.send_event(event, event_id=event_id, retry_num=n or None,
                                           retry_reason="http_timeout" if n else None).status)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_the_same_event_delivered_three_times_with_retry_headers_is_stored_once(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice = incident.channel_id, emu.user_id("alice")
    assert channel is not None
    event = message_event(bot, channel, alice, "Failing over to the replica", "1800000000.000100")

    statuses = [emu.send_event(event, event_id="Ev0RETRIED01").status]
    statuses += [emu.send_event(event, event_id="Ev0RETRIED01", retry_num=n, retry_reason="http_timeout").status
                 for n in (1, 2)]
    settle(bot)

    assert statuses == [200, 200, 200]
    stored = rows(bot, incident.id)
    assert [(r.ts, r.text) for r in stored] == [("1800000000.000100", "Failing over to the replica")]


def test_concurrent_duplicates_of_messages_edits_and_deletions_are_applied_once(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, bob = incident.channel_id, emu.user_id("bob")
    assert channel is not None
    original = message_event(bot, channel, bob, "Cache hit rate 12%", "1800000000.000200")
    edit = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
            "channel_type": "channel", "ts": "1800000000.000300", "event_ts": "1800000000.000300",
            "message": {**original, "text": "Cache hit rate 21%", "edited": {"user": bob, "ts": "1800000000.000300"}},
            "previous_message": original}
    gone = message_event(bot, channel, bob, "token xoxp-123-secret", "1800000000.000400")
    deletion = {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": channel,
                "channel_type": "channel", "ts": "1800000000.000500", "event_ts": "1800000000.000500",
                "deleted_ts": gone["ts"], "previous_message": gone}

    for n, event in enumerate((original, edit, gone, deletion)):
        assert _deliver_concurrently(bot, event, 4, f"Ev0CONC{n:05d}") == [200] * 4
    settle(bot)

    stored = rows(bot, incident.id)
    assert [r.ts for r in stored] == [original["ts"], gone["ts"]]
    assert stored[0].text == "Cache hit rate 21%"
    assert [r.text for r in revisions(bot, stored[0].id)] == ["Cache hit rate 12%"]
    assert stored[1].text is None and stored[1].deleted_at is not None


def test_an_edit_before_its_message_keeps_the_newest_text(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, carol = incident.channel_id, emu.user_id("carol")
    assert channel is not None
    v1 = message_event(bot, channel, carol, "ETA 10 min", "1800000000.000600")
    v2 = {**v1, "text": "ETA 20 min", "edited": {"user": carol, "ts": "1800000000.000700"}}
    v3 = {**v1, "text": "ETA 30 min", "edited": {"user": carol, "ts": "1800000000.000800"}}

    def changed(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
                "channel_type": "channel", "ts": new["edited"]["ts"], "event_ts": new["edited"]["ts"],
                "message": new, "previous_message": old}

    emu.send_event(changed(v3, v2))  # the newest edit first, then the older one, then the message
    emu.send_event(changed(v2, v1))
    emu.send_event(v1)
    settle(bot)

    stored = row(bot, channel, v1["ts"])
    assert stored is not None and stored.text == "ETA 30 min"
    assert [r.text for r in revisions(bot, stored.id)] == ["ETA 10 min", "ETA 20 min"]


def test_a_deletion_before_its_message_or_edit_is_not_undone(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, dave = incident.channel_id, emu.user_id("dave")
    assert channel is not None
    pasted = message_event(bot, channel, dave, "AWS_SECRET=abc123", "1800000000.000900")
    edited = {**pasted, "text": "AWS_SECRET=abc123 (rotating)", "edited": {"user": dave, "ts": "1800000000.001000"}}
    emu.send_event({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": channel,
                    "channel_type": "channel", "ts": "1800000000.001100", "deleted_ts": pasted["ts"],
                    "previous_message": edited})
    emu.send_event(pasted)
    emu.send_event({"type": "message", "subtype": "message_changed", "hidden": True, "channel": channel,
                    "channel_type": "channel", "ts": "1800000000.001000", "message": edited,
                    "previous_message": pasted})
    settle(bot)

    stored = rows(bot, incident.id)
    assert len(stored) == 1
    assert stored[0].text is None and stored[0].deleted_at is not None and stored[0].user_id == dave
    assert revisions(bot, stored[0].id) == []
