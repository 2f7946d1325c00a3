"""Deletions and system messages as real Slack shows them: a deleted thread parent stays as a tombstone;
setTopic / setPurpose post a channel_topic / channel_purpose message from the bot."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.emulator import SlackEmulator
from tests.emulator.conftest import FakeApp


def _last_event(app: FakeApp) -> dict[str, Any]:
    event: dict[str, Any] = app.received[-1].payload["event"]
    return event


def _history(client: WebClient, cid: str) -> list[dict[str, Any]]:
    return list(client.conversations_history(channel=cid)["messages"])


def test_a_deleted_parent_with_replies_becomes_a_tombstone_until_its_last_reply_goes(
        emu: SlackEmulator, app: FakeApp, client: WebClient) -> None:
    alice, bob, cid = emu.user_id("alice"), emu.user_id("bob"), emu.channel_id("incidents")
    parent = emu.post_message(alice, cid, "the password is hunter2")
    reply = emu.post_message(bob, cid, "rotate it!", thread_ts=parent)

    emu.delete_message(cid, parent)

    changed = _last_event(app)
    assert changed["subtype"] == "message_changed" and changed["hidden"] is True and changed["ts"] != parent
    tombstone = changed["message"]
    assert {k: tombstone[k] for k in ("type", "subtype", "text", "user", "hidden", "ts", "thread_ts",
                                      "reply_count", "latest_reply", "reply_users")} == {
        "type": "message", "subtype": "tombstone", "text": "This message was deleted.", "user": "USLACKBOT",
        "hidden": True, "ts": parent, "thread_ts": parent, "reply_count": 1, "latest_reply": reply,
        "reply_users": [bob]}
    assert "files" not in tombstone and "blocks" not in tombstone
    assert changed["previous_message"]["text"] == "the password is hunter2"
    assert [(m["ts"], m.get("subtype"), m["text"]) for m in _history(client, cid) if m["ts"] == parent] == [
        (parent, "tombstone", "This message was deleted.")]
    thread = client.conversations_replies(channel=cid, ts=parent)["messages"]
    assert [(m["ts"], m.get("subtype")) for m in thread] == [(parent, "tombstone"), (reply, None)]

    emu.delete_message(cid, reply)

    deleted = [e for e in app.of_type("message") if e.get("subtype") == "message_deleted"]
    assert [e["deleted_ts"] for e in deleted] == [reply, parent]
    gone = deleted[-1]["previous_message"]
    assert gone["subtype"] == "tombstone" and gone["user"] == "USLACKBOT" and gone["reply_count"] == 0
    assert gone["latest_reply"] == "0000000000.000000"
    assert all(m["ts"] != parent for m in _history(client, cid))


def test_a_message_without_replies_is_simply_deleted(emu: SlackEmulator, app: FakeApp, client: WebClient) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
    ts = emu.post_message(alice, cid, "oops, wrong channel")

    emu.delete_message(cid, ts)

    event = _last_event(app)
    assert event["subtype"] == "message_deleted" and event["deleted_ts"] == ts
    assert event["previous_message"]["text"] == "oops, wrong channel"
    assert all(m["ts"] != ts for m in _history(client, cid))


def test_chat_delete_of_the_bots_own_parent_leaves_a_tombstone(emu: SlackEmulator, app: FakeApp,
                                                               client: WebClient) -> None:
    cid = emu.channel_id("incidents")
    parent = client.chat_postMessage(channel=cid, text="card")["ts"]
    client.chat_postMessage(channel=cid, text="update", thread_ts=parent)

    assert client.chat_delete(channel=cid, ts=parent)["ok"]

    emu.drain()
    assert _last_event(app)["message"]["subtype"] == "tombstone"
    assert [m.get("subtype") for m in _history(client, cid) if m["ts"] == parent] == ["tombstone"]


def test_set_topic_and_purpose_post_system_messages_from_the_bot(emu: SlackEmulator, app: FakeApp,
                                                                 client: WebClient) -> None:
    cid = client.conversations_create(name="inc-topic")["channel"]["id"]
    client.conversations_setTopic(channel=cid, topic="SEV2 · investigating")
    client.conversations_setPurpose(channel=cid, purpose="Checkout down")
    emu.drain()

    me = f"<@{emu.bot_user_id}|incident-bot>"
    expected = [("channel_topic", emu.bot_user_id, f"{me} set the channel topic: SEV2 · investigating",
                 "topic", "SEV2 · investigating"),
                ("channel_purpose", emu.bot_user_id, f"{me} set the channel purpose: Checkout down",
                 "purpose", "Checkout down")]
    events = [e for e in app.of_type("message") if e.get("subtype") in ("channel_topic", "channel_purpose")]
    assert [(e["subtype"], e["user"], e["text"], f, e[f]) for e, (*_, f, _v) in zip(events, expected, strict=True)] \
        == expected
    assert all(e["channel"] == cid and e["ts"] and "bot_id" not in e for e in events)
    history = [m for m in reversed(_history(client, cid)) if m.get("subtype") in ("channel_topic", "channel_purpose")]
    assert [(m["subtype"], m["text"]) for m in history] == [(s, t) for s, _u, t, _f, _v in expected]
