"""conversations.* methods."""

from __future__ import annotations

import re
import time
from typing import Any

from .args import ApiError, Args, Handler, paginate
from .state import Channel, Workspace

NAME_OK = re.compile(r"[a-z0-9_-]+")
NAME_HAS_WORD = re.compile(r"[a-z0-9]", re.IGNORECASE)
TOPIC_LIMIT = 250
LIST_LIMIT = 999  # conversations.list: "Must be an integer under 1000", else invalid_limit


def check_name(ws: Workspace, name: str) -> str:
    """Apply Slack's channel naming rules and uniqueness (archived channels included)."""
    if not name.strip():
        raise ApiError("invalid_name_required")
    if len(name) > 80:
        raise ApiError("invalid_name_maxlength")
    if not NAME_HAS_WORD.search(name):
        raise ApiError("invalid_name_punctuation")
    if not NAME_OK.fullmatch(name):
        raise ApiError("invalid_name_specials")
    if ws.channel_by_name(name) is not None:
        raise ApiError("name_taken")
    return name


def _member_channel(ws: Workspace, a: Args, arg: str = "channel") -> Channel:
    ch = ws.find_channel(a.str(arg))
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    return ch


def _writable(ws: Workspace, a: Args) -> Channel:
    ch = ws.find_channel(a.str("channel"))
    if ch.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    return ch


def create(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.create: the bot creates a channel and becomes its first member."""
    name = check_name(ws, a.str("name"))
    ch = ws.add_channel(name, ws.bot_user_id, private=a.bool("is_private"))
    ws.member_joined(ch, ws.bot_user_id)
    return {"ok": True, "channel": ws.conversation(ch)}


def info(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.info."""
    ch = ws.find_channel(a.str("channel"))
    return {"ok": True, "channel": ws.conversation(ch, a.bool("include_num_members"))}


def list_(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.list with types, exclude_archived and cursor pagination."""
    types = set(a.list("types") or ["public_channel"])
    unknown = types - {"public_channel", "private_channel", "im", "mpim"}
    if unknown:
        raise ApiError("invalid_types")
    limit = a.str("limit").strip()
    if limit and not (limit.lstrip("-").isdigit() and int(limit) <= LIST_LIMIT):
        raise ApiError("invalid_limit")
    out: list[Channel] = []
    for ch in ws.channels.values():
        kind = "im" if ch.is_im else "mpim" if ch.is_mpim else "private_channel" if ch.is_private else "public_channel"
        if kind not in types or (ch.is_private and ws.bot_user_id not in ch.members):
            continue
        if a.bool("exclude_archived") and ch.is_archived:
            continue
        out.append(ch)
    page, cursor = paginate(out, lambda c: c.id, a, "team", default_limit=100, max_limit=LIST_LIMIT)
    return {"ok": True, "channels": [ws.conversation(c, True) for c in page],
            "response_metadata": {"next_cursor": cursor}}


def _set_text(ws: Workspace, a: Args, field_name: str) -> dict[str, Any]:
    ch = _writable(ws, a)
    value = a.str(field_name)
    if len(value) > TOPIC_LIMIT:
        raise ApiError("too_long")
    setattr(ch, field_name, {"value": value, "creator": ws.bot_user_id, "last_set": int(time.time())})
    # as Slack posts it: from whoever set it (the bot), the new value in a field of its own
    who = f"<@{ws.bot_user_id}|{ws.users[ws.bot_user_id].name}>"
    ws.system_message(ch, f"channel_{field_name}", ws.bot_user_id, f"{who} set the channel {field_name}: {value}",
                      **{field_name: value})
    return {"ok": True, "channel": ws.conversation(ch)}


def set_topic(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.setTopic (250 characters at most)."""
    return _set_text(ws, a, "topic")


def set_purpose(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.setPurpose (250 characters at most)."""
    return _set_text(ws, a, "purpose")


def invite(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.invite: all-or-nothing unless force=true; per-user "errors"."""
    ch = _writable(ws, a)
    users = a.list("users")
    if not users:
        raise ApiError("no_user")
    if len(users) > 1000:
        raise ApiError("too_many_users")
    errors: list[dict[str, Any]] = []
    valid: list[str] = []
    for uid in users:
        user = ws.users.get(uid)
        code = ("user_not_found" if user is None or user.deleted else
                "cant_invite_self" if uid == ws.bot_user_id else
                "already_in_channel" if uid in ch.members else "")
        if code:
            errors.append({"user": uid, "ok": False, "error": code})
        elif uid not in valid:
            valid.append(uid)
    if errors and not a.bool("force"):
        raise ApiError(errors[0]["error"], errors=errors)
    for uid in valid:
        ws.member_joined(ch, uid, inviter=ws.bot_user_id)
    out: dict[str, Any] = {"ok": True, "channel": ws.conversation(ch)}
    if errors:
        out["errors"] = errors
    return out


def join(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.join: public channels only; already joined answers a warning."""
    ch = ws.find_channel(a.str("channel"))
    if ch.is_im or ch.is_mpim or ch.is_private:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("is_archived")
    if ws.bot_user_id in ch.members:
        return {"ok": True, "channel": ws.conversation(ch), "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]}}
    ws.member_joined(ch, ws.bot_user_id)
    return {"ok": True, "channel": ws.conversation(ch)}


def kick(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.kick."""
    ch = _writable(ws, a)
    uid = a.str("user")
    if uid == ws.bot_user_id:
        raise ApiError("cant_kick_self")
    if ch.is_general:
        raise ApiError("cant_kick_from_general")
    if uid not in ws.users:
        raise ApiError("user_not_found")
    if uid not in ch.members:
        raise ApiError("not_in_channel")
    ch.members.remove(uid)
    ws.system_message(ch, "channel_leave", uid, f"<@{uid}> has left the channel")
    ws.emit({"type": "member_left_channel", "user": uid, "channel": ch.id,
             "channel_type": "G" if ch.is_private else "C", "team": ws.team_id})
    return {"ok": True}


def members(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.members with cursor pagination."""
    ch = ws.find_channel(a.str("channel"))
    page, cursor = paginate(ch.members, lambda u: u, a, "user", default_limit=100)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}


def archive(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.archive."""
    ch = ws.find_channel(a.str("channel"))
    if ch.is_im or ch.is_mpim:
        raise ApiError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise ApiError("already_archived")
    if ch.is_general:
        raise ApiError("cant_archive_general")
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    ws.system_message(ch, "channel_archive", ws.bot_user_id, "archived the channel")
    ch.is_archived = True
    ws.emit({"type": "group_archive" if ch.is_private else "channel_archive", "channel": ch.id,
             "user": ws.bot_user_id})
    return {"ok": True}


def unarchive(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.unarchive."""
    ch = ws.find_channel(a.str("channel"))
    if not ch.is_archived:
        raise ApiError("not_archived")
    ch.is_archived = False
    ws.system_message(ch, "channel_unarchive", ws.bot_user_id, "un-archived the channel")
    ws.emit({"type": "group_unarchive" if ch.is_private else "channel_unarchive", "channel": ch.id,
             "user": ws.bot_user_id})
    return {"ok": True}


def rename(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.rename (same naming rules as create)."""
    ch = _writable(ws, a)
    new = a.str("name")
    if new == ch.name:
        return {"ok": True, "channel": ws.conversation(ch)}
    check_name(ws, new)
    old, ch.name = ch.name, new
    ch.previous_names.insert(0, old)
    ws.system_message(ch, "channel_name", ws.bot_user_id,
                      f"renamed the channel from \u201c{old}\u201d to \u201c{new}\u201d", old_name=old, name=new)
    ws.emit({"type": "group_rename" if ch.is_private else "channel_rename",
             "channel": {"id": ch.id, "name": new, "created": ch.created}})
    return {"ok": True, "channel": ws.conversation(ch)}


def _ts_window(a: Args) -> tuple[float, float, bool]:
    try:
        oldest = float(a.str("oldest") or 0)
    except ValueError:
        raise ApiError("invalid_ts_oldest") from None
    try:
        latest = float(a.str("latest") or "inf")
    except ValueError:
        raise ApiError("invalid_ts_latest") from None
    return oldest, latest, a.bool("inclusive")


def _in_window(ts: str, oldest: float, latest: float, inclusive: bool) -> bool:
    t = float(ts)
    return (oldest <= t <= latest) if inclusive else (oldest < t < latest)


def public_message(msg: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the API returns it (pinned state kept, internals dropped)."""
    return {k: v for k, v in msg.items() if not k.startswith("_")}


def history(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.history: top-level messages newest first, cursor-paginated."""
    ch = _member_channel(ws, a)
    oldest, latest, inclusive = _ts_window(a)
    msgs = [m for m in reversed(ch.messages.values())
            if (not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast")
            and _in_window(m["ts"], oldest, latest, inclusive)]
    page, cursor = paginate(msgs, lambda m: m["ts"], a, "next_ts", default_limit=100, max_limit=999)
    out: dict[str, Any] = {"ok": True, "messages": [public_message(m) for m in page], "has_more": bool(cursor),
                           "pin_count": len(ch.pins), "channel_actions_ts": None, "channel_actions_count": 0}
    if a.has("latest"):
        out["latest"] = a.str("latest")
    out["response_metadata"] = {"next_cursor": cursor}
    return out


def replies(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.replies: the parent first, then replies oldest first."""
    ch = _member_channel(ws, a)
    parent = ws.thread_parent(ch, a.str("ts"))
    if parent is None:
        raise ApiError("thread_not_found")
    oldest, latest, inclusive = _ts_window(a)
    thread = [m for m in ch.messages.values()
              if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
              and _in_window(m["ts"], oldest, latest, inclusive)]
    page, cursor = paginate([parent, *thread], lambda m: m["ts"], a, "next_ts", default_limit=1000)
    return {"ok": True, "messages": [public_message(m) for m in page], "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor}}


def open_(ws: Workspace, a: Args) -> dict[str, Any]:
    """conversations.open: the bot's IM with one user (channel= reopens an existing one)."""
    if a.has("channel"):
        ch = ws.find_channel(a.str("channel"))
        return {"ok": True, "no_op": True, "already_open": True,
                "channel": ws.conversation(ch) if a.bool("return_im") else {"id": ch.id}}
    users = [u for u in a.list("users") if u != ws.bot_user_id]
    if not a.has("users"):
        raise ApiError("users_list_not_supplied")
    if len(users) != 1:
        raise ApiError("not_enough_users" if not users else "too_many_users")
    ws.get_user(users[0])
    ch, already = ws.open_im(users[0])
    out: dict[str, Any] = {"ok": True, "channel": ws.conversation(ch) if a.bool("return_im") else {"id": ch.id}}
    if already:
        out.update(no_op=True, already_open=True)
    return out


METHODS: dict[str, Handler] = {
    "conversations.create": create,
    "conversations.info": info,
    "conversations.list": list_,
    "conversations.setTopic": set_topic,
    "conversations.setPurpose": set_purpose,
    "conversations.invite": invite,
    "conversations.join": join,
    "conversations.kick": kick,
    "conversations.members": members,
    "conversations.archive": archive,
    "conversations.unarchive": unarchive,
    "conversations.rename": rename,
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.open": open_,
}
