"""chat.* methods and the bot-message builder shared with response_url and files."""

from __future__ import annotations

import copy
import time
from typing import Any

from .args import ApiError, Args, Handler
from .blocks import check_message_blocks, fill_ids
from .state import Channel, Workspace

TEXT_LIMIT = 40_000
TRUNCATED_WARNING = ("[WARN] Your message was truncated because it exceeded the maximum length "
                     f"of {TEXT_LIMIT} characters")


def bot_profile(ws: Workspace) -> dict[str, Any]:
    """The bot_profile object carried by the bot's messages."""
    return {"id": ws.bot_id, "app_id": ws.app_id, "name": "incident-bot", "deleted": False,
            "updated": 1700000000, "team_id": ws.team_id,
            "icons": {"image_36": "https://avatars.example.com/bot_36.png"}}


def resolve_target(ws: Workspace, ref: str) -> Channel:
    """chat.* channel argument: channel id, #name, user id (-> the bot's IM) or IM id."""
    if ref.startswith(("U", "W")) and ref in ws.users:
        return ws.open_im(ref)[0]
    return ws.find_channel(ref)


def message_content(a: Args, require: bool = True) -> dict[str, Any]:
    """text/blocks/attachments/metadata of a message from args; no_text when all are empty."""
    content: dict[str, Any] = {}
    text = a.str("text") or a.str("markdown_text")
    blocks = a.json("blocks", error="invalid_blocks_format") if a.has("blocks") else None
    attachments = a.json("attachments", error="invalid_attachments") if a.has("attachments") else None
    if require and not text and not blocks and not attachments:
        raise ApiError("no_text")
    if blocks is not None:
        check_message_blocks(blocks)
        content["blocks"] = fill_ids(copy.deepcopy(blocks))
    if attachments is not None:
        if not isinstance(attachments, list):
            raise ApiError("invalid_attachments")
        if len(attachments) > 100:
            raise ApiError("too_many_attachments")
        content["attachments"] = [{"id": i + 1, **att} for i, att in enumerate(attachments)]
    content["text"] = text[:TEXT_LIMIT]
    if a.has("metadata"):
        content["metadata"] = a.json("metadata", error="invalid_metadata_format")
    return content


def post_as_bot(ws: Workspace, ch: Channel, content: dict[str, Any], thread_ts: str | None = None,
                reply_broadcast: bool = False, **extra: Any) -> dict[str, Any]:
    """Store a message authored by the bot and queue its echo event; returns the stored message."""
    msg: dict[str, Any] = {"user": ws.bot_user_id, "type": "message", "ts": ws.next_ts(),
                           "bot_id": ws.bot_id, "app_id": ws.app_id, **content, "team": ws.team_id,
                           "bot_profile": bot_profile(ws), **extra}
    if thread_ts:
        parent = ws.thread_parent(ch, thread_ts)
        if parent is None:
            raise ApiError("thread_not_found")
        if parent.get("subtype") in ("channel_join", "channel_leave", "channel_topic", "channel_purpose"):
            raise ApiError("cannot_reply_to_message")
        msg["thread_ts"] = parent["ts"]
        if reply_broadcast:
            msg["subtype"] = "thread_broadcast"
            msg["root"] = copy.deepcopy(parent)
    ws.store_message(ch, msg)
    ws.emit({**copy.deepcopy(msg), "channel": ch.id, "channel_type": ch.channel_type, "event_ts": msg["ts"]})
    return msg


def _postable(ws: Workspace, a: Args) -> Channel:
    ch = resolve_target(ws, a.str("channel"))
    if ch.is_archived:
        raise ApiError("is_archived")
    if (ch.is_private or ch.is_mpim) and ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    return ch


def post_message(ws: Workspace, a: Args) -> dict[str, Any]:
    """chat.postMessage: returns {"ok","channel","ts","message"}."""
    ch = _postable(ws, a)
    content = message_content(a)
    msg = post_as_bot(ws, ch, content, a.str("thread_ts") or None, a.bool("reply_broadcast"))
    out: dict[str, Any] = {"ok": True, "channel": ch.id, "ts": msg["ts"], "message": copy.deepcopy(msg)}
    if len(a.str("text")) > TEXT_LIMIT:
        out["warning"] = "message_truncated"
        out["response_metadata"] = {"warnings": ["message_truncated"], "messages": [TRUNCATED_WARNING]}
    return out


def _own_message(ws: Workspace, a: Args, error: str) -> tuple[Channel, dict[str, Any]]:
    ch = resolve_target(ws, a.str("channel"))
    msg = ws.get_message(ch, a.str("ts"))
    if msg.get("bot_id") != ws.bot_id or msg.get("subtype") in ("channel_join", "channel_topic"):
        raise ApiError(error)
    return ch, msg


def update(ws: Workspace, a: Args) -> dict[str, Any]:
    """chat.update: only the bot's own messages (cant_update_message otherwise)."""
    ch, msg = _own_message(ws, a, "cant_update_message")
    if ch.is_archived:
        raise ApiError("is_archived")
    content = message_content(a, require=False)
    if not content.get("text") and "blocks" not in content and "attachments" not in content and not msg.get(
            "files"):
        raise ApiError("no_text")
    previous = copy.deepcopy(msg)
    if a.has("text") or a.has("markdown_text") or "blocks" in content:
        msg["text"] = content["text"]
    for key in ("blocks", "attachments", "metadata"):
        if key in content:
            msg[key] = content[key]
    msg["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    ws.emit({"type": "message", "subtype": "message_changed", "hidden": True, "channel": ch.id,
             "channel_type": ch.channel_type, "ts": msg["edited"]["ts"], "message": copy.deepcopy(msg),
             "previous_message": previous})
    public = {k: v for k, v in msg.items() if k not in ("reactions", "pinned_to")}
    return {"ok": True, "channel": ch.id, "ts": msg["ts"], "text": msg.get("text", ""), "message": public}


TOMBSTONE_TEXT = "This message was deleted."
THREAD_FIELDS = ("thread_ts", "reply_count", "reply_users", "reply_users_count", "latest_reply", "is_locked",
                 "subscribed")
NO_REPLY = "0000000000.000000"


def _deleted_event(ws: Workspace, ch: Channel, previous: dict[str, Any]) -> None:
    ws.emit({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": ch.id,
             "channel_type": ch.channel_type, "ts": ws.next_ts(), "deleted_ts": previous["ts"],
             "previous_message": previous})


def delete_message(ws: Workspace, ch: Channel, ts: str) -> None:
    """Delete a message as Slack does. A thread parent with replies becomes a tombstone (Slackbot's
    "This message was deleted.", the thread fields kept; `message_changed` carries it and history returns
    it); anything else goes with `message_deleted`. The last reply of a tombstone's thread takes the
    tombstone with it (a second `message_deleted`, the tombstone as `previous_message`)."""
    msg = ws.get_message(ch, ts)
    if msg.get("reply_count") and msg.get("subtype") != "tombstone":
        tombstone = {"type": "message", "subtype": "tombstone", "text": TOMBSTONE_TEXT, "user": "USLACKBOT",
                     "hidden": True, "ts": ts, "parent_user_id": "USLACKBOT",
                     **{k: copy.deepcopy(msg[k]) for k in THREAD_FIELDS if k in msg}}
        ch.messages[ts] = tombstone
        ch.pins.pop(ts, None)
        ws.emit({"type": "message", "subtype": "message_changed", "hidden": True, "channel": ch.id,
                 "channel_type": ch.channel_type, "ts": ws.next_ts(), "message": copy.deepcopy(tombstone),
                 "previous_message": msg})
        return
    previous = ws.remove_message(ch, ts)
    _deleted_event(ws, ch, previous)
    parent = ch.messages.get(previous.get("thread_ts") or ts)
    if parent is not None and parent["ts"] != ts and parent.get("subtype") == "tombstone" \
            and not parent.get("reply_count"):
        ws.remove_message(ch, parent["ts"])
        parent.update(reply_count=0, reply_users=[], reply_users_count=0, latest_reply=NO_REPLY)
        _deleted_event(ws, ch, parent)


def delete(ws: Workspace, a: Args) -> dict[str, Any]:
    """chat.delete: only the bot's own messages (cant_delete_message otherwise)."""
    ch, msg = _own_message(ws, a, "cant_delete_message")
    delete_message(ws, ch, msg["ts"])
    return {"ok": True, "channel": ch.id, "ts": msg["ts"]}


def post_ephemeral(ws: Workspace, a: Args) -> dict[str, Any]:
    """chat.postEphemeral: recorded, never stored in history, no event. Unlike chat.postMessage it needs the
    bot in the channel, public ones included (`not_in_channel`; a private one it is not in is unknown)."""
    ch = _postable(ws, a)
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    user = a.str("user")
    if user not in ws.users:
        raise ApiError("user_not_found")
    if user not in ch.members:
        raise ApiError("user_not_in_channel")
    content = message_content(a)
    ts = ws.next_ts()
    ws.ephemerals.append({"channel": ch.id, "user": user, "text": content.get("text", ""),
                          "blocks": content.get("blocks"), "ts": ts, "thread_ts": a.str("thread_ts") or None,
                          "at": time.time()})
    return {"ok": True, "message_ts": ts}


def permalink_for(ws: Workspace, ch: Channel, msg: dict[str, Any]) -> str:
    """https://<domain>.slack.com/archives/<C>/p<ts digits>[?thread_ts=..&cid=..]."""
    link = f"https://{ws.domain}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    thread_ts = msg.get("thread_ts")
    if thread_ts and thread_ts != msg["ts"]:
        link += f"?thread_ts={thread_ts}&cid={ch.id}"
    return link


def get_permalink(ws: Workspace, a: Args) -> dict[str, Any]:
    """chat.getPermalink."""
    ch = resolve_target(ws, a.str("channel"))
    msg = ws.get_message(ch, a.str("message_ts"))
    return {"ok": True, "channel": ch.id, "permalink": permalink_for(ws, ch, msg)}


METHODS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
