"""chat.*, pins, reactions, bookmarks and users through WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator

pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument:UserWarning")


def error_of(call, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as exc:
        call(**kwargs)
    return exc.value.response.data


def test_post_message_shape(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    sent = client.chat_postMessage(channel="#incidents", text="hello", metadata={"event_type": "x",
                                                                                "event_payload": {}})
    assert sent["channel"] == cid and sent["ts"] == sent["message"]["ts"]
    msg = sent["message"]
    assert msg["bot_id"] == emu.bot_id and msg["user"] == emu.bot_user_id and "subtype" not in msg
    assert msg["bot_profile"]["app_id"] == emu.app_id
    stored = emu.messages(cid)[-1]
    assert stored["text"] == "hello" and stored["metadata"]["event_type"] == "x"


def test_post_message_errors(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    assert error_of(client.chat_postMessage, channel=cid)["error"] == "no_text"
    assert error_of(client.chat_postMessage, channel="C404", text="x")["error"] == "channel_not_found"
    assert error_of(client.chat_postMessage, channel="#nope", text="x")["error"] == "channel_not_found"
    too_many = [{"type": "divider"}] * 51
    body = error_of(client.chat_postMessage, channel=cid, blocks=too_many)
    assert body["error"] == "invalid_blocks" and body["response_metadata"]["messages"]
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert "json-pointer:/blocks/0/text/text" in error_of(client.chat_postMessage, channel=cid,
                                                          blocks=long_section)["errors"][0]
    header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    assert error_of(client.chat_postMessage, channel=cid, blocks=header)["error"] == "invalid_blocks"
    assert error_of(client.chat_postMessage, channel=cid, blocks=[{"text": "no type"}])["error"] == "invalid_blocks"
    assert error_of(client.chat_postMessage, channel=cid, text="x", thread_ts="1.000001")["error"] == \
        "thread_not_found"
    private = emu.add_channel("priv", private=True, members=[emu.user_id("alice")], bot_member=False)
    assert error_of(client.chat_postMessage, channel=private, text="x")["error"] == "channel_not_found"
    public = emu.add_channel("pub", members=[emu.user_id("alice")], bot_member=False)
    assert client.chat_postMessage(channel=public, text="chat:write.public")["ok"]
    archived = emu.add_channel("old", archived=True)
    assert error_of(client.chat_postMessage, channel=archived, text="x")["error"] == "is_archived"
    assert client.chat_postMessage(channel=cid, blocks=[{"type": "divider"}] * 50)["ok"]


def test_long_text_truncated_with_warning(client: WebClient, emu: SlackEmulator) -> None:
    sent = client.chat_postMessage(channel=emu.channel_id("general"), text="y" * 40_010)
    assert sent["warning"] == "message_truncated" and len(sent["message"]["text"]) == 40_000


def test_update_delete_permissions(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    ts = client.chat_postMessage(channel=cid, text="v1")["ts"]
    updated = client.chat_update(channel=cid, ts=ts, text="v2", blocks=[{"type": "divider"}])
    assert updated["text"] == "v2" and updated["ts"] == ts
    assert emu.messages(cid)[-1]["edited"]["user"] == emu.bot_user_id
    assert error_of(client.chat_update, channel=cid, ts="1.000001", text="x")["error"] == "message_not_found"
    human = emu.post_message(emu.user_id("alice"), cid, "mine")
    assert error_of(client.chat_update, channel=cid, ts=human, text="x")["error"] == "cant_update_message"
    assert error_of(client.chat_delete, channel=cid, ts=human)["error"] == "cant_delete_message"
    assert client.chat_delete(channel=cid, ts=ts)["ts"] == ts
    assert [m["text"] for m in emu.messages(cid)] == ["mine"]


def test_ephemeral_and_permalink(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    alice = emu.user_id("alice")
    res = client.chat_postEphemeral(channel=cid, user=alice, text="only you")
    assert res["message_ts"] and emu.messages(cid) == []
    assert emu.ephemerals(user=alice)[0]["text"] == "only you"
    stranger = emu.add_user("eve")
    assert error_of(client.chat_postEphemeral, channel=cid, user=stranger, text="x")["error"] == \
        "user_not_in_channel"
    parent = client.chat_postMessage(channel=cid, text="p")["ts"]
    reply = client.chat_postMessage(channel=cid, text="r", thread_ts=parent)["ts"]
    link = client.chat_getPermalink(channel=cid, message_ts=parent)["permalink"]
    assert link == f"https://acme.slack.com/archives/{cid}/p{parent.replace('.', '')}"
    link = client.chat_getPermalink(channel=cid, message_ts=reply)["permalink"]
    assert link.endswith(f"p{reply.replace('.', '')}?thread_ts={parent}&cid={cid}")


def test_ephemeral_needs_the_bot_in_the_channel(client: WebClient, emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    public = emu.add_channel("lobby", members=[alice], bot_member=False)
    secret = emu.add_channel("secret", private=True, members=[alice], bot_member=False)
    assert error_of(client.chat_postEphemeral, channel=public, user=alice, text="x")["error"] == "not_in_channel"
    assert error_of(client.chat_postEphemeral, channel=secret, user=alice, text="x")["error"] == \
        "channel_not_found"
    assert client.chat_postMessage(channel=public, text="still allowed")["ok"]  # chat:write.public
    assert emu.ephemerals(user=alice) == []


def test_pins_reactions_bookmarks(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    ts = client.chat_postMessage(channel=cid, text="pin me")["ts"]
    assert client.pins_add(channel=cid, timestamp=ts)["ok"]
    assert error_of(client.pins_add, channel=cid, timestamp=ts)["error"] == "already_pinned"
    assert emu.messages(cid)[-1]["pinned_to"] == [cid]
    assert client.pins_list(channel=cid)["items"][0]["message"]["ts"] == ts
    client.pins_remove(channel=cid, timestamp=ts)
    assert error_of(client.pins_remove, channel=cid, timestamp=ts)["error"] == "no_pin"
    client.reactions_add(channel=cid, timestamp=ts, name="eyes")
    assert error_of(client.reactions_add, channel=cid, timestamp=ts, name="eyes")["error"] == "already_reacted"
    got = client.reactions_get(channel=cid, timestamp=ts)["message"]["reactions"]
    assert got == [{"name": "eyes", "users": [emu.bot_user_id], "count": 1}]
    client.reactions_remove(channel=cid, timestamp=ts, name="eyes")
    assert error_of(client.reactions_remove, channel=cid, timestamp=ts, name="eyes")["error"] == "no_reaction"
    bm = client.bookmarks_add(channel_id=cid, title="Runbook", type="link", link="https://example.com/rb")
    assert bm["bookmark"]["title"] == "Runbook" and bm["bookmark"]["id"].startswith("Bk")
    assert error_of(client.bookmarks_add, channel_id=cid, title="x", type="link", link="nope")["error"] == \
        "invalid_link"
    assert [b["link"] for b in client.bookmarks_list(channel_id=cid)["bookmarks"]] == ["https://example.com/rb"]
    client.bookmarks_remove(channel_id=cid, bookmark_id=bm["bookmark"]["id"])
    assert client.bookmarks_list(channel_id=cid)["bookmarks"] == []


def test_users(client: WebClient, emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    user = client.users_info(user=alice)["user"]
    assert user["profile"]["email"] == "alice@example.com" and user["tz"] == "Europe/London"
    assert user["real_name"] == "Alice Archer" and user["is_bot"] is False
    assert client.users_lookupByEmail(email="ALICE@example.com")["user"]["id"] == alice
    assert error_of(client.users_lookupByEmail, email="nobody@example.com")["error"] == "users_not_found"
    assert error_of(client.users_info, user="U404")["error"] == "user_not_found"
    names = {m["name"] for m in client.users_list()["members"]}
    assert {"alice", "bob", "carol", "dave", "incident-bot"} <= names
    new = emu.add_user("erin", real_name="Erin Example", email="erin@corp.example")
    assert client.users_lookupByEmail(email="erin@corp.example")["user"]["id"] == new
