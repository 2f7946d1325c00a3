"""Slack message and reaction payloads parsed into the timeline's plain values.

Human messages only: the bot's own posts, other bots, Slackbot and channel noise (joins, topic
changes, …) are left out, except Slackbot's tombstone of a deleted thread parent, which is that
message's deletion; the bot records its own system events as TimelineEvents. Text is kept as
the person typed it: Slack's `&amp;`, `&lt;`, `&gt;` are undone; mentions stay `<@U…>` tokens.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from bot.markup import link_urls, unescape
from bot.timeline.values import Capture, Deleted, Edited, FileRef, KeyMark, Posted

# what a person posts; everything else (channel_join, channel_topic, bot_message, …) is not theirs
HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}
SLACKBOT = "USLACKBOT"


def is_human(message: dict[str, Any]) -> bool:
    """Whether a message (event or history item) was written by a person."""
    return (message.get("subtype") in HUMAN_SUBTYPES and not message.get("bot_id")
            and bool(message.get("user")) and message.get("user") != SLACKBOT)


def _files(message: dict[str, Any]) -> tuple[FileRef, ...]:
    return tuple(FileRef(name=str(f.get("name") or f.get("title") or f.get("id") or "file"),
                         type=str(f.get("mimetype") or f.get("filetype") or ""),
                         permalink=f.get("permalink"))
                 for f in message.get("files") or [] if isinstance(f, dict))


def _block_links(node: Any) -> list[str]:
    """`link` elements anywhere in rich_text blocks."""
    if isinstance(node, list):
        return [url for child in node for url in _block_links(child)]
    if not isinstance(node, dict):
        return []
    found = [node["url"]] if node.get("type") == "link" and isinstance(node.get("url"), str) else []
    return found + _block_links(node.get("elements"))


def _links(message: dict[str, Any]) -> tuple[str, ...]:
    found = link_urls(message.get("text") or "") + _block_links(message.get("blocks") or [])
    return tuple(dict.fromkeys(found))


def posted(message: dict[str, Any], channel_id: str) -> Posted | None:
    """A person's message as a value; None for bots and channel noise."""
    if not is_human(message) or not message.get("ts"):
        return None
    edited = message.get("edited") or {}
    thread_ts = message.get("thread_ts")
    return Posted(channel_id=channel_id, ts=str(message["ts"]), user_id=str(message["user"]),
                  text=unescape(message.get("text") or ""),
                  thread_ts=str(thread_ts) if thread_ts and thread_ts != message["ts"] else None,
                  files=_files(message), links=_links(message),
                  edit_ts=str(edited["ts"]) if edited.get("ts") else None)


def parse(event: dict[str, Any], key_reaction: str) -> Capture | None:
    """The timeline value an event (message, reaction) carries, if any."""
    kind = event.get("type")
    if kind == "message":
        return from_message_event(event)
    if kind in ("reaction_added", "reaction_removed"):
        return from_reaction(event, key_reaction, added=kind == "reaction_added")
    return None


def from_message_event(event: dict[str, Any]) -> Capture | None:
    """A `message` event (any subtype) as a timeline value, or None when it is not a person's."""
    channel_id = event.get("channel")
    if not isinstance(channel_id, str):
        return None
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _changed(event, channel_id)
    if subtype == "message_deleted":
        return _deleted(event, channel_id)
    return posted(event, channel_id)


def is_tombstone(message: Any) -> TypeGuard[dict[str, Any]]:
    """Whether a message is what Slack leaves of a deleted thread parent ("This message was deleted.")."""
    return isinstance(message, dict) and message.get("subtype") == "tombstone" and bool(message.get("ts"))


def _tombstone(tombstone: dict[str, Any], channel_id: str, previous: Any = None,
               deleted_ts: str | None = None) -> Deleted:
    """A deleted thread parent: Slack leaves a tombstone by Slackbot in its place, replies kept. Its
    author is the previous message's when the event has it (otherwise the stored row keeps its own)."""
    author = previous.get("user") if isinstance(previous, dict) and is_human(previous) else None
    return Deleted(channel_id=channel_id, ts=str(tombstone["ts"]), user_id=author, deleted_by=author,
                   deleted_ts=deleted_ts)


def _changed(event: dict[str, Any], channel_id: str) -> Capture | None:
    if is_tombstone(event.get("message")):
        previous = event.get("previous_message")
        if isinstance(previous, dict) and previous.get("ts") and not is_human(previous) \
                and not is_tombstone(previous):
            return None  # a bot's thread parent: never captured, nothing to tombstone
        return _tombstone(event["message"], channel_id, previous, event.get("ts") or event.get("event_ts"))
    new = posted(event.get("message") or {}, channel_id)
    if new is None:
        return None
    if new.edit_ts is None:  # not an edit: a reply count, an unfurl… Store it if it is new, nothing more
        return new
    previous = event.get("previous_message")
    previous_text = unescape(previous.get("text") or "") if isinstance(previous, dict) else None
    return Edited(new, previous_text)


def _deleted(event: dict[str, Any], channel_id: str) -> Capture | None:
    previous = event.get("previous_message")
    if is_tombstone(previous):  # the tombstone of a deleted thread parent goes too
        return _tombstone(previous, channel_id, deleted_ts=event.get("ts") or event.get("event_ts"))
    if isinstance(previous, dict) and previous and not is_human(previous):
        return None  # a bot's message: never captured, nothing to tombstone
    ts = event.get("deleted_ts") or (previous or {}).get("ts")
    if not ts:
        return None
    author = (previous or {}).get("user")
    # Slack does not say who deleted a message; people delete their own, so the author stands in
    return Deleted(channel_id=channel_id, ts=str(ts), user_id=author, deleted_by=event.get("user") or author,
                   deleted_ts=event.get("ts") or event.get("event_ts"))


def from_reaction(event: dict[str, Any], key_reaction: str, *, added: bool) -> KeyMark | None:
    """A key mark from `reaction_added`/`reaction_removed` with the key reaction on a message."""
    item = event.get("item") or {}
    if (event.get("reaction") or "").split("::")[0] != key_reaction or item.get("type") != "message":
        return None
    if not (item.get("channel") and item.get("ts") and event.get("user")):
        return None
    return KeyMark(channel_id=str(item["channel"]), ts=str(item["ts"]), user_id=str(event["user"]), marked=added,
                   at_ts=event.get("event_ts"))


def from_history(message: dict[str, Any], channel_id: str, key_reaction: str) -> list[Capture]:
    """A message read back from history: itself (edited ones as an edit), and a key mark when someone
    reacted with the key reaction. A tombstone is the deletion of the thread parent it stands for."""
    if is_tombstone(message):
        return [_tombstone(message, channel_id)]
    value = posted(message, channel_id)
    if value is None:
        return []
    out: list[Capture] = [Edited(value) if value.edit_ts else value]
    for reaction in message.get("reactions") or []:
        if (reaction.get("name") or "").split("::")[0] == key_reaction and reaction.get("users"):
            out.append(KeyMark(channel_id, value.ts, str(reaction["users"][0]), True))
    return out
