"""Slack payloads into timeline values: people's messages only, edits, deletions, key reactions."""

from __future__ import annotations

from typing import Any

from bot.slack.adapters.messages import from_history, from_message_event, from_reaction
from bot.timeline.values import Deleted, Edited, KeyMark, Posted


def _msg(**extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": "U1", "text": "a &lt; b &amp;&amp; c", "ts": "1.000001",
            "channel": "C1", **extra}


def test_a_message_keeps_author_text_thread_files_and_links() -> None:
    event = _msg(thread_ts="0.5", subtype="file_share",
                 text="see <https://a.example/x|x> and <https://b.example>",
                 blocks=[{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                     {"type": "link", "url": "https://c.example"}, {"type": "link", "url": "https://a.example/x"}]}]}],
                 files=[{"name": "f.log", "mimetype": "text/plain", "permalink": "https://acme/f", "url_private": "x"}])
    value = from_message_event(event)
    assert isinstance(value, Posted)
    assert (value.user_id, value.thread_ts, value.ts) == ("U1", "0.5", "1.000001")
    assert value.links == ("https://a.example/x", "https://b.example", "https://c.example")
    assert [f.as_dict() for f in value.files] == [{"name": "f.log", "type": "text/plain", "permalink": "https://acme/f"}]
    assert from_message_event(_msg()).text == "a < b && c"  # type: ignore[union-attr]


def test_bots_and_noise_are_not_peoples_messages() -> None:
    for event in (_msg(bot_id="B1"), _msg(subtype="bot_message"), _msg(subtype="channel_join"),
                  _msg(subtype="channel_topic"), _msg(user="USLACKBOT"), _msg(user=None)):
        assert from_message_event(event) is None, event
    bot_edit = {"type": "message", "subtype": "message_changed", "channel": "C1",
                "message": _msg(bot_id="B1", edited={"ts": "2.0"}), "previous_message": _msg(bot_id="B1")}
    assert from_message_event(bot_edit) is None
    bot_delete = {"type": "message", "subtype": "message_deleted", "channel": "C1", "deleted_ts": "1.000001",
                  "previous_message": _msg(bot_id="B1")}
    assert from_message_event(bot_delete) is None


def test_edits_and_deletions() -> None:
    edit = from_message_event({"type": "message", "subtype": "message_changed", "channel": "C1", "ts": "2.0",
                               "message": _msg(text="new", edited={"user": "U1", "ts": "2.0"}),
                               "previous_message": _msg(text="old")})
    assert isinstance(edit, Edited) and edit.message.text == "new" and edit.message.edit_ts == "2.0"
    assert edit.previous_text == "old"
    not_an_edit = from_message_event({"type": "message", "subtype": "message_changed", "channel": "C1",
                                      "message": _msg(reply_count=2), "previous_message": _msg()})
    assert isinstance(not_an_edit, Posted)
    deletion = from_message_event({"type": "message", "subtype": "message_deleted", "channel": "C1", "ts": "3.0",
                                   "deleted_ts": "1.000001", "previous_message": _msg()})
    assert deletion == Deleted("C1", "1.000001", "U1", "U1", "3.0")


def test_only_the_key_reaction_on_a_message_marks_it() -> None:
    event = {"type": "reaction_added", "user": "U2", "reaction": "pushpin", "event_ts": "5.0",
             "item": {"type": "message", "channel": "C1", "ts": "1.000001"}}
    assert from_reaction(event, "pushpin", added=True) == KeyMark("C1", "1.000001", "U2", True, "5.0")
    assert from_reaction({**event, "reaction": "eyes"}, "pushpin", added=True) is None
    assert from_reaction({**event, "item": {"type": "file", "file": "F1"}}, "pushpin", added=True) is None
    assert from_reaction(event, "pushpin", added=False) == KeyMark("C1", "1.000001", "U2", False, "5.0")


def test_history_items_carry_edits_and_key_reactions() -> None:
    out = from_history(_msg(edited={"ts": "2.0"}, reactions=[{"name": "pushpin", "users": ["U3"], "count": 1}]),
                       "C1", "pushpin")
    assert isinstance(out[0], Edited) and out[1] == KeyMark("C1", "1.000001", "U3", True)
    assert from_history(_msg(bot_id="B1"), "C1", "pushpin") == []


def _tombstone(**extra: Any) -> dict[str, Any]:
    return {"type": "message", "subtype": "tombstone", "text": "This message was deleted.", "user": "USLACKBOT",
            "hidden": True, "ts": "1.000001", "thread_ts": "1.000001", "parent_user_id": "USLACKBOT",
            "reply_count": 1, "reply_users": ["U2"], "latest_reply": "1.5", **extra}


def test_a_tombstone_is_the_deletion_of_the_thread_parent_it_replaces() -> None:
    changed = from_message_event({"type": "message", "subtype": "message_changed", "hidden": True, "channel": "C1",
                                  "ts": "4.0", "message": _tombstone(), "previous_message": _msg()})
    assert changed == Deleted("C1", "1.000001", "U1", "U1", "4.0")
    gone = from_message_event({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "C1",
                               "ts": "5.0", "deleted_ts": "1.000001",
                               "previous_message": _tombstone(reply_count=0, latest_reply="0000000000.000000")})
    assert gone == Deleted("C1", "1.000001", None, None, "5.0")  # Slackbot is nobody's author
    assert from_history(_tombstone(), "C1", "pushpin") == [Deleted("C1", "1.000001", None, None, None)]
    bots_parent = from_message_event({"type": "message", "subtype": "message_changed", "channel": "C1", "ts": "4.0",
                                      "message": _tombstone(), "previous_message": _msg(bot_id="B1")})
    assert bots_parent is None
