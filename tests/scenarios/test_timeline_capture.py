"""Every human message of an incident channel lands in the timeline, over signed HTTP from the emulator:
messages, thread replies, files, links, edits, deletions; bots and channel noise are left out."""

from __future__ import annotations

from tests.conftest import Harness
from tests.scenarios.timeline_helpers import (
    all_revision_texts,
    declare,
    message_event,
    revisions,
    row,
    rows,
    settle,
    wait_row,
)


def test_messages_thread_replies_files_and_links_are_captured(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None

    first = emu.post_message(alice, channel, "Errors since 09:40, see <https://grafana.example.com/d/1|the dashboard>"
                                             " & the logs")
    reply = emu.post_message(bob, channel, "Looking at <@" + alice + "> deploy 4521", thread_ts=first)
    shared = emu.post_message(bob, channel, "Heap graph", files=[{"name": "heap.png", "content": b"\x89PNG..."}])
    settle(bot)

    stored = rows(bot, incident.id)
    assert [r.ts for r in stored] == [first, reply, shared]
    top = stored[0]
    assert (top.user_id, top.thread_ts) == (alice, None)
    assert top.text == "Errors since 09:40, see <https://grafana.example.com/d/1|the dashboard> & the logs"
    assert top.links == ["https://grafana.example.com/d/1"]
    assert top.posted_at.timestamp() == float(first)
    assert (stored[1].user_id, stored[1].thread_ts) == (bob, first)
    assert stored[1].text == f"Looking at <@{alice}> deploy 4521"
    assert stored[2].files is not None and len(stored[2].files) == 1
    f = stored[2].files[0]
    assert f["name"] == "heap.png" and f["type"] == "image/png" and "/heap.png" in f["permalink"]
    assert not any(r.is_key or r.deleted_at for r in stored)


def test_bot_posts_other_bots_and_channel_noise_are_not_captured(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id
    assert channel is not None
    # the card (the bot's own post) and alice's channel_join were delivered during the declaration
    assert any(d["event"].get("subtype") == "channel_join" for d in emu.deliveries())
    assert any(d["event"].get("bot_id") for d in emu.deliveries())
    other_bot = message_event(bot, channel, "U0OTHERBOT", "Deploy 4522 started", "1800000000.000100",
                              bot_id="B0OTHER", bot_profile={"name": "deploybot"})
    classic = message_event(bot, channel, "", "Alert fired", "1800000000.000200", subtype="bot_message",
                            bot_id="B0ALERT", username="alerts")
    leave = message_event(bot, channel, emu.user_id("bob"), "<@bob> has left", "1800000000.000300",
                          subtype="channel_leave")
    slackbot = message_event(bot, channel, "USLACKBOT", "Reminder: standup", "1800000000.000400")
    for event in (other_bot, classic, leave, slackbot):
        assert emu.send_event(event).status == 200
    human = emu.post_message(emu.user_id("carol"), channel, "I can help")
    settle(bot)

    assert [r.ts for r in rows(bot, incident.id)] == [human]


def test_messages_outside_incident_channels_are_not_kept(bot: Harness) -> None:
    emu = bot.emu
    declare(bot)
    emu.post_message(emu.user_id("alice"), emu.channel_id("general"), "lunch?")
    settle(bot)
    assert row(bot, emu.channel_id("general"), emu.messages(emu.channel_id("general"))[-1]["ts"]) is None


def test_private_incident_channels_are_captured(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, "Leaked credentials", flags="--private ")
    assert incident.is_private and incident.channel_id is not None
    ts = emu.post_message(emu.user_id("alice"), incident.channel_id, "Rotating the key now")
    assert wait_row(bot, incident.channel_id, ts).text == "Rotating the key now"


def test_an_edit_keeps_the_newest_text_and_the_earlier_ones_as_history(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice = incident.channel_id, emu.user_id("alice")
    assert channel is not None
    ts = emu.post_message(alice, channel, "Rollback of 4521 started")
    emu.edit_message(alice, channel, ts, "Rollback of 4520 started")
    emu.edit_message(alice, channel, ts, "Rollback of 4520 started, ETA 5 min, see https://ci.example.com/r/9")
    settle(bot)

    stored = row(bot, channel, ts)
    assert stored is not None
    assert stored.text == "Rollback of 4520 started, ETA 5 min, see https://ci.example.com/r/9"
    assert stored.edited_at is not None and stored.edit_ts is not None
    assert [r.text for r in revisions(bot, stored.id)] == ["Rollback of 4521 started", "Rollback of 4520 started"]
    assert len(rows(bot, incident.id)) == 1


def test_a_deletion_drops_the_text_and_its_history_and_leaves_a_tombstone(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, bob = incident.channel_id, emu.user_id("bob")
    assert channel is not None
    secret = "DB password is hunter2-prod"
    ts = emu.post_message(bob, channel, secret)
    emu.edit_message(bob, channel, ts, secret + " (do not share)")
    kept = emu.post_message(bob, channel, "oops, deleting that")
    settle(bot)
    emu.delete_message(channel, ts)
    settle(bot)

    tombstone = row(bot, channel, ts)
    assert tombstone is not None
    assert tombstone.text is None and tombstone.files is None and tombstone.links is None
    assert tombstone.deleted_at is not None and tombstone.deleted_by == bob and tombstone.user_id == bob
    assert revisions(bot, tombstone.id) == []
    assert not any(secret in (t or "") for t in all_revision_texts(bot))
    assert not any(secret in (r.text or "") for r in rows(bot, incident.id))
    assert row(bot, channel, kept) is not None


def test_a_thread_broadcast_is_stored_once_with_its_parent(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice = incident.channel_id, emu.user_id("alice")
    assert channel is not None
    parent = emu.post_message(alice, channel, "Is the queue draining?")
    broadcast = emu.post_message(emu.user_id("bob"), channel, "Yes, down to 200", thread_ts=parent,
                                 reply_broadcast=True)
    settle(bot)

    stored = rows(bot, incident.id)
    assert [r.ts for r in stored] == [parent, broadcast]
    assert stored[1].thread_ts == parent


def test_pin_reaction_marks_a_key_event_and_removing_it_unmarks(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, carol = incident.channel_id, emu.user_id("alice"), emu.user_id("carol")
    assert channel is not None
    ts = emu.post_message(alice, channel, "Root cause: expired TLS cert on lb-2")
    other = emu.post_message(alice, channel, "coffee")
    settle(bot)
    emu.add_reaction(carol, channel, ts, "pushpin")
    emu.add_reaction(carol, channel, other, "eyes")
    settle(bot)

    marked = row(bot, channel, ts)
    assert marked is not None and marked.is_key and marked.key_marked_by == carol and marked.key_marked_at
    unpinned = row(bot, channel, other)
    assert unpinned is not None and not unpinned.is_key

    emu.remove_reaction(carol, channel, ts, "pushpin")
    settle(bot)
    unmarked = row(bot, channel, ts)
    assert unmarked is not None and not unmarked.is_key and unmarked.key_marked_by is None


def test_every_subscribed_event_is_acknowledged(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id is not None
    emu.post_message(emu.user_id("alice"), incident.channel_id, "hello")
    emu.send_event({"type": "app_home_opened", "user": emu.user_id("alice"), "channel": "D0001", "tab": "home"})
    emu.send_event({"type": "member_joined_channel", "user": emu.user_id("dave"), "channel": incident.channel_id,
                    "channel_type": "C", "team": emu.team_id})
    emu.send_event({"type": "reaction_added", "user": emu.user_id("bob"), "reaction": "pushpin",
                    "item": {"type": "file", "file": "F1"}, "event_ts": "1800000000.000001"})
    settle(bot)
    statuses = {d["status"] for d in emu.deliveries()}
    assert statuses == {200}, [d for d in emu.deliveries() if d["status"] != 200]


def test_over_socket_mode_messages_edits_and_pins_are_captured_too(bot: Harness) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    emu = bot.emu
    incident = declare(bot)
    channel, alice = incident.channel_id, emu.user_id("alice")
    assert channel is not None
    handler = SocketModeHandler(bot.runtime.app, emu.app_token)  # no HTTP fast path: Bolt's middleware captures
    handler.connect()
    try:
        emu.wait_for(emu.socket_connected)
        ts = emu.post_message(alice, channel, "over the socket")
        emu.edit_message(alice, channel, ts, "over the socket, edited")
        emu.add_reaction(alice, channel, ts, "pushpin")
        stored = wait_row(bot, channel, ts, lambda r: r.is_key and r.text == "over the socket, edited")
        assert [r.text for r in revisions(bot, stored.id)] == ["over the socket"]
        assert {d["status"] for d in emu.deliveries()} == {200}
    finally:
        handler.close()
    emu.wait_for(lambda: not emu.socket_connected())


def test_a_message_event_with_a_bad_signature_or_stale_timestamp_is_refused_and_not_stored(bot: Harness) -> None:
    import json
    import time

    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id is not None
    event = message_event(bot, incident.channel_id, emu.user_id("bob"), "forged", "1800000000.000900")
    body = json.dumps({"type": "event_callback", "team_id": emu.team_id, "event_id": "Ev0FORGED001",
                       "event": event}).encode()
    assert emu.send_raw(body, "application/json", signature="v0=" + "0" * 64).status == 401
    assert emu.send_raw(body, "application/json", timestamp=int(time.time()) - 600).status == 401
    assert emu.send_raw(body, "application/json").status == 200  # the same body, signed: accepted
    settle(bot)
    assert [r.text for r in rows(bot, incident.id)] == ["forged"]


def test_topic_and_purpose_messages_are_channel_noise_not_peoples_messages(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)  # the declaration sets the topic and the purpose: Slack posts both in the channel
    channel = incident.channel_id
    assert channel is not None
    system = [d for d in emu.deliveries() if d["event"].get("channel") == channel
              and d["event"].get("subtype") in ("channel_topic", "channel_purpose")]
    assert sorted(d["event"]["subtype"] for d in system) == ["channel_purpose", "channel_topic"]
    assert all(d["status"] == 200 and d["event"]["user"] == emu.bot_user_id for d in system)
    by_a_person = message_event(bot, channel, emu.user_id("carol"), f"<@{emu.user_id('carol')}|carol> set the "
                                "channel topic: war room", "1800000000.000500", subtype="channel_topic",
                                topic="war room")
    assert emu.send_event(by_a_person).status == 200
    human = emu.post_message(emu.user_id("carol"), channel, "joining")
    settle(bot)
    bot.runtime.start().result(timeout=10)  # read back from history: the system messages are still noise
    settle(bot)

    assert [r.ts for r in rows(bot, incident.id)] == [human]
