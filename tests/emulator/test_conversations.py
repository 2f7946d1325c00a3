"""conversations.* through slack_sdk's WebClient: naming rules, invites, topics, pagination."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator


def error_of(call, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as exc:
        call(**kwargs)
    return exc.value.response.data


@pytest.mark.parametrize(("name", "error"), [
    ("", "invalid_name_required"),
    ("   ", "invalid_name_required"),
    ("a" * 81, "invalid_name_maxlength"),
    ("---", "invalid_name_punctuation"),
    ("_-_", "invalid_name_punctuation"),
    ("Upper", "invalid_name_specials"),
    ("has space", "invalid_name_specials"),
    ("inc.1", "invalid_name_specials"),
    ("café", "invalid_name_specials"),
])
def test_create_name_rules(client: WebClient, name: str, error: str) -> None:
    assert error_of(client.conversations_create, name=name) == {"ok": False, "error": error}


def test_create_valid_names_and_shape(client: WebClient, emu: SlackEmulator) -> None:
    ch = client.conversations_create(name="inc-2024_01-" + "x" * 68)["channel"]
    assert len(ch["name"]) == 80
    assert ch["id"].startswith("C") and ch["is_channel"] and not ch["is_private"]
    assert ch["creator"] == emu.bot_user_id and ch["is_member"] is True
    assert ch["topic"] == {"value": "", "creator": "", "last_set": 0}
    private = client.conversations_create(name="secret", is_private=True)["channel"]
    assert private["is_private"] is True
    assert emu.channel(private["id"])["members"] == [emu.bot_user_id]


def test_name_taken_includes_archived(client: WebClient, emu: SlackEmulator) -> None:
    assert error_of(client.conversations_create, name="incidents")["error"] == "name_taken"
    emu.add_channel("old-inc", archived=True)
    assert error_of(client.conversations_create, name="old-inc")["error"] == "name_taken"
    cid = client.conversations_create(name="inc-9")["channel"]["id"]
    client.conversations_archive(channel=cid)
    assert emu.channel(cid)["is_archived"] is True
    assert error_of(client.conversations_create, name="inc-9")["error"] == "name_taken"
    assert emu.channel_id("inc-9") == cid


def test_invite_errors(client: WebClient, emu: SlackEmulator) -> None:
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    cid = client.conversations_create(name="inc-inv")["channel"]["id"]
    assert client.conversations_invite(channel=cid, users=[alice])["channel"]["id"] == cid
    body = error_of(client.conversations_invite, channel=cid, users=[alice])
    assert body["error"] == "already_in_channel"
    body = error_of(client.conversations_invite, channel=cid, users=[bob, "U999", emu.bot_user_id])
    assert body["error"] == "user_not_found"
    assert body["errors"] == [{"user": "U999", "ok": False, "error": "user_not_found"},
                              {"user": emu.bot_user_id, "ok": False, "error": "cant_invite_self"}]
    assert bob not in emu.channel(cid)["members"]  # all or nothing
    forced = client.conversations_invite(channel=cid, users=f"{bob},U999", force=True)
    assert bob in emu.channel(cid)["members"] and forced["errors"][0]["user"] == "U999"
    outside = emu.add_channel("not-mine", members=[alice], bot_member=False)
    assert error_of(client.conversations_invite, channel=outside, users=bob)["error"] == "not_in_channel"
    hidden = emu.add_channel("hidden", private=True, members=[alice], bot_member=False)
    assert error_of(client.conversations_invite, channel=hidden, users=bob)["error"] == "channel_not_found"
    client.conversations_archive(channel=cid)
    assert error_of(client.conversations_invite, channel=cid, users=emu.user_id("carol"))["error"] == "is_archived"


def test_invite_records_join_messages(client: WebClient, emu: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-join")["channel"]["id"]
    client.conversations_invite(channel=cid, users=emu.user_id("carol"))
    subtypes = [m.get("subtype") for m in emu.messages(cid)]
    assert subtypes == ["channel_join", "channel_join"]
    assert emu.messages(cid, include_system=False) == []


def test_topic_purpose_rules(client: WebClient, emu: SlackEmulator) -> None:
    cid = client.conversations_create(name="inc-topic")["channel"]["id"]
    ch = client.conversations_setTopic(channel=cid, topic="SEV1 | checkout")["channel"]
    assert ch["topic"]["value"] == "SEV1 | checkout" and ch["topic"]["creator"] == emu.bot_user_id
    assert error_of(client.conversations_setTopic, channel=cid, topic="x" * 251)["error"] == "too_long"
    assert client.conversations_setPurpose(channel=cid, purpose="p" * 250)["ok"]
    last = emu.messages(cid)[-1]
    assert last["subtype"] == "channel_purpose" and last["purpose"] == "p" * 250
    outside = emu.add_channel("public-out", members=[emu.user_id("bob")], bot_member=False)
    assert error_of(client.conversations_setTopic, channel=outside, topic="t")["error"] == "not_in_channel"
    client.conversations_archive(channel=cid)
    assert error_of(client.conversations_setTopic, channel=cid, topic="t")["error"] == "is_archived"
    assert error_of(client.conversations_setTopic, channel="C404", topic="t")["error"] == "channel_not_found"
    body = error_of(client.api_call, api_method="conversations.setTopic", params={"channel": cid})
    assert body == {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: topic"]}}


def test_join_archive_rename_members(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.add_channel("lobby", members=[emu.user_id("alice")], bot_member=False)
    assert client.conversations_join(channel=cid)["channel"]["is_member"] is True
    again = client.conversations_join(channel=cid)
    assert again["warning"] == "already_in_channel"
    assert client.conversations_rename(channel=cid, name="lobby-2")["channel"]["previous_names"] == ["lobby"]
    assert error_of(client.conversations_rename, channel=cid, name="general")["error"] == "name_taken"
    members = client.conversations_members(channel=cid, limit=1)
    assert members["members"] == [emu.user_id("alice")] and members["response_metadata"]["next_cursor"]
    rest = client.conversations_members(channel=cid, cursor=members["response_metadata"]["next_cursor"])
    assert rest["members"] == [emu.bot_user_id] and rest["response_metadata"]["next_cursor"] == ""
    assert error_of(client.conversations_members, channel=cid, cursor="bogus")["error"] == "invalid_cursor"
    general = emu.channel_id("general")
    assert error_of(client.conversations_archive, channel=general)["error"] == "cant_archive_general"
    client.conversations_archive(channel=cid)
    assert error_of(client.conversations_archive, channel=cid)["error"] == "already_archived"
    client.conversations_unarchive(channel=cid)
    assert error_of(client.conversations_unarchive, channel=cid)["error"] == "not_archived"


def test_info_and_list(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel_id("general")
    info = client.conversations_info(channel=general, include_num_members=True)["channel"]
    assert info["name"] == "general" and info["is_general"] and info["num_members"] == 5
    hidden = emu.add_channel("hidden", private=True, members=[emu.user_id("alice")], bot_member=False)
    assert error_of(client.conversations_info, channel=hidden)["error"] == "channel_not_found"
    names = [c["name"] for c in client.conversations_list()["channels"]]
    assert names == ["general", "incidents"]
    client.conversations_create(name="priv", is_private=True)
    names = [c["name"] for c in client.conversations_list(types="public_channel,private_channel")["channels"]]
    assert "priv" in names and "hidden" not in names
    pages = [page["channels"][0]["name"] for page in client.conversations_list(limit=1)]
    assert pages == ["general", "incidents"]



@pytest.mark.parametrize("limit", [1000, 5000, "lots"])
def test_list_limit_must_be_under_1000(client: WebClient, limit: object) -> None:
    """conversations.list: "Must be an integer under 1000"; anything else is invalid_limit."""
    assert error_of(client.conversations_list, limit=limit) == {"ok": False, "error": "invalid_limit"}


def test_list_limit_999_and_0_are_fine(client: WebClient) -> None:
    assert [c["name"] for c in client.conversations_list(limit=999)["channels"]] == ["general", "incidents"]
    assert [c["name"] for c in client.conversations_list(limit=0)["channels"]] == ["general", "incidents"]

def test_history_pagination_and_window(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    ts = [client.chat_postMessage(channel=cid, text=f"m{i}")["ts"] for i in range(7)]
    assert ts == sorted(ts) and len(set(ts)) == 7
    first = client.conversations_history(channel=cid, limit=3)
    assert [m["text"] for m in first["messages"]] == ["m6", "m5", "m4"] and first["has_more"] is True
    seen = [m["text"] for page in client.conversations_history(channel=cid, limit=3) for m in page["messages"]]
    assert seen == [f"m{i}" for i in range(6, -1, -1)]
    window = client.conversations_history(channel=cid, oldest=ts[1], latest=ts[4])
    assert [m["text"] for m in window["messages"]] == ["m3", "m2"]
    window = client.conversations_history(channel=cid, oldest=ts[1], latest=ts[4], inclusive=True)
    assert [m["text"] for m in window["messages"]] == ["m4", "m3", "m2", "m1"]
    assert error_of(client.conversations_history, channel=cid, cursor="nope")["error"] == "invalid_cursor"
    outside = emu.add_channel("public-out", members=[emu.user_id("bob")], bot_member=False)
    assert error_of(client.conversations_history, channel=outside)["error"] == "not_in_channel"


def test_replies_parent_first_and_hidden_from_history(client: WebClient, emu: SlackEmulator) -> None:
    cid = emu.channel_id("incidents")
    parent = client.chat_postMessage(channel=cid, text="parent")["ts"]
    for i in range(4):
        client.chat_postMessage(channel=cid, text=f"r{i}", thread_ts=parent)
    broadcast = client.chat_postMessage(channel=cid, text="shout", thread_ts=parent, reply_broadcast=True)
    assert broadcast["message"]["subtype"] == "thread_broadcast"
    history = client.conversations_history(channel=cid)["messages"]
    assert [m["text"] for m in history] == ["shout", "parent"]
    assert history[1]["reply_count"] == 5 and history[1]["reply_users"] == [emu.bot_user_id]
    page = client.conversations_replies(channel=cid, ts=parent, limit=2)
    assert [m["text"] for m in page["messages"]] == ["parent", "r0"] and page["has_more"]
    everything = [m["text"] for p in client.conversations_replies(channel=cid, ts=parent, limit=2)
                  for m in p["messages"]]
    assert everything == ["parent", "r0", "r1", "r2", "r3", "shout"]
    assert page["messages"][1]["parent_user_id"] == emu.bot_user_id
    assert error_of(client.conversations_replies, channel=cid, ts="1.000001")["error"] == "thread_not_found"


def test_open_im_and_dm(client: WebClient, emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    dm = client.conversations_open(users=alice)["channel"]["id"]
    assert dm.startswith("D")
    again = client.conversations_open(users=[alice])
    assert again["channel"]["id"] == dm and again["already_open"] is True
    sent = client.chat_postMessage(channel=alice, text="you are on call")
    assert sent["channel"] == dm
    client.chat_postMessage(channel=dm, text="second")
    assert [m["text"] for m in emu.dms(alice)] == ["you are on call", "second"]
    assert emu.dms(emu.user_id("bob")) == []
    assert error_of(client.conversations_open, users="U404")["error"] == "user_not_found"
