"""auth.test, team.info, users.*, usergroups.users.list, pins.*, reactions.*, bookmarks.*."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from .args import ApiError, Args, Handler, paginate
from .methods_chat import permalink_for, resolve_target
from .methods_conversations import public_message
from .state import Channel, Workspace

TS_RE = re.compile(r"\d+\.\d+")


def auth_test(ws: Workspace, a: Args) -> dict[str, Any]:
    """auth.test for the bot token."""
    return {"ok": True, "url": f"https://{ws.domain}.slack.com/", "team": ws.team_name,
            "user": ws.users[ws.bot_user_id].name, "team_id": ws.team_id, "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id, "is_enterprise_install": False}


def team_info(ws: Workspace, a: Args) -> dict[str, Any]:
    """team.info."""
    return {"ok": True, "team": {"id": ws.team_id, "name": ws.team_name, "domain": ws.domain,
                                 "email_domain": "example.com", "icon": {"image_default": True},
                                 "enterprise_id": None, "enterprise_name": None}}


def users_info(ws: Workspace, a: Args) -> dict[str, Any]:
    """users.info."""
    return {"ok": True, "user": ws.user_dict(ws.get_user(a.str("user")))}


def users_list(ws: Workspace, a: Args) -> dict[str, Any]:
    """users.list with cursor pagination (the bot user included, as Slack does)."""
    page, cursor = paginate(list(ws.users.values()), lambda u: u.id, a, "user", default_limit=1000)
    return {"ok": True, "members": [ws.user_dict(u) for u in page], "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor}}


def lookup_by_email(ws: Workspace, a: Args) -> dict[str, Any]:
    """users.lookupByEmail (users_not_found for unknown addresses)."""
    email = a.str("email").strip().lower()
    for user in ws.users.values():
        if user.email and user.email.lower() == email and not user.deleted:
            return {"ok": True, "user": ws.user_dict(user)}
    raise ApiError("users_not_found")


def _item(ws: Workspace, a: Args) -> tuple[Channel, dict[str, Any]]:
    ch = resolve_target(ws, a.str("channel"))
    ts = a.str("timestamp")
    if not ts:
        raise ApiError("no_item_specified")
    if not TS_RE.fullmatch(ts):
        raise ApiError("bad_timestamp")
    return ch, ws.get_message(ch, ts)


def pins_add(ws: Workspace, a: Args) -> dict[str, Any]:
    """pins.add (already_pinned on repeats)."""
    ch, msg = _item(ws, a)
    if ws.bot_user_id not in ch.members:
        raise ApiError("not_in_channel")
    if msg["ts"] in ch.pins:
        raise ApiError("already_pinned")
    ch.pins[msg["ts"]] = {"created": int(time.time()), "created_by": ws.bot_user_id}
    msg.setdefault("pinned_to", []).append(ch.id)
    ws.emit({"type": "pin_added", "user": ws.bot_user_id, "channel_id": ch.id, "item_user": msg.get("user"),
             "pin_count": len(ch.pins), "item": _pin_item(ws, ch, msg)})
    return {"ok": True}


def _pin_item(ws: Workspace, ch: Channel, msg: dict[str, Any]) -> dict[str, Any]:
    pin = ch.pins.get(msg["ts"], {"created": int(time.time()), "created_by": ws.bot_user_id})
    return {"type": "message", "channel": ch.id, "created": pin["created"], "created_by": pin["created_by"],
            "message": {**public_message(copy.deepcopy(msg)), "permalink": permalink_for(ws, ch, msg)}}


def pins_remove(ws: Workspace, a: Args) -> dict[str, Any]:
    """pins.remove (no_pin when the message is not pinned)."""
    ch, msg = _item(ws, a)
    if msg["ts"] not in ch.pins:
        raise ApiError("no_pin")
    item = _pin_item(ws, ch, msg)
    del ch.pins[msg["ts"]]
    msg["pinned_to"] = [c for c in msg.get("pinned_to", []) if c != ch.id]
    if not msg["pinned_to"]:
        del msg["pinned_to"]
    ws.emit({"type": "pin_removed", "user": ws.bot_user_id, "channel_id": ch.id, "item_user": msg.get("user"),
             "pin_count": len(ch.pins), "item": item, "has_pins": bool(ch.pins)})
    return {"ok": True}


def pins_list(ws: Workspace, a: Args) -> dict[str, Any]:
    """pins.list."""
    ch = resolve_target(ws, a.str("channel"))
    items = [_pin_item(ws, ch, ch.messages[ts]) for ts in ch.pins if ts in ch.messages]
    return {"ok": True, "items": items}


def _reaction_name(a: Args) -> str:
    name = a.str("name").strip(":")
    if not name or re.search(r"[\s:]", name):
        raise ApiError("invalid_name")
    return name


def reactions_add(ws: Workspace, a: Args) -> dict[str, Any]:
    """reactions.add (already_reacted on repeats)."""
    name = _reaction_name(a)
    ch, msg = _item(ws, a)
    if ch.is_archived:
        raise ApiError("is_archived")
    if not add_reaction(ws, ch, msg, ws.bot_user_id, name):
        raise ApiError("already_reacted")
    return {"ok": True}


def add_reaction(ws: Workspace, ch: Channel, msg: dict[str, Any], user: str, name: str) -> bool:
    """Record a reaction and queue reaction_added; False if the user already reacted so."""
    reactions = msg.setdefault("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None:
        entry = {"name": name, "users": [], "count": 0}
        reactions.append(entry)
    if user in entry["users"]:
        return False
    entry["users"].append(user)
    entry["count"] = len(entry["users"])
    ws.emit({"type": "reaction_added", "user": user, "reaction": name, "item_user": msg.get("user"),
             "item": {"type": "message", "channel": ch.id, "ts": msg["ts"]}})
    return True


def remove_reaction(ws: Workspace, ch: Channel, msg: dict[str, Any], user: str, name: str) -> bool:
    """Drop a reaction and queue reaction_removed; False if there was none."""
    reactions = msg.get("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None or user not in entry["users"]:
        return False
    entry["users"].remove(user)
    entry["count"] = len(entry["users"])
    if not entry["users"]:
        reactions.remove(entry)
    if not reactions:
        msg.pop("reactions", None)
    ws.emit({"type": "reaction_removed", "user": user, "reaction": name, "item_user": msg.get("user"),
             "item": {"type": "message", "channel": ch.id, "ts": msg["ts"]}})
    return True


def reactions_remove(ws: Workspace, a: Args) -> dict[str, Any]:
    """reactions.remove (no_reaction when absent)."""
    name = _reaction_name(a)
    ch, msg = _item(ws, a)
    if not remove_reaction(ws, ch, msg, ws.bot_user_id, name):
        raise ApiError("no_reaction")
    return {"ok": True}


def reactions_get(ws: Workspace, a: Args) -> dict[str, Any]:
    """reactions.get for a message."""
    ch, msg = _item(ws, a)
    message = {**public_message(copy.deepcopy(msg)), "permalink": permalink_for(ws, ch, msg)}
    return {"ok": True, "type": "message", "channel": ch.id, "message": message}


def _bookmark_channel(ws: Workspace, a: Args) -> Channel:
    return ws.find_channel(a.str("channel_id"))


def bookmarks_add(ws: Workspace, a: Args) -> dict[str, Any]:
    """bookmarks.add (type "link" only)."""
    ch = _bookmark_channel(ws, a)
    if a.str("type") != "link":
        raise ApiError("invalid_bookmark_type")
    link = a.str("link")
    if not re.match(r"https?://", link):
        raise ApiError("invalid_link")
    if len(ch.bookmarks) >= 100:
        raise ApiError("too_many_bookmarks")
    now = int(time.time())
    bookmark = {"id": ws.new_id("Bk"), "channel_id": ch.id, "title": a.str("title"), "link": link,
                "emoji": a.str("emoji") or None, "icon_url": None, "type": "link", "entity_id": None,
                "date_created": now, "date_updated": 0, "rank": chr(ord("a") + len(ch.bookmarks) % 26),
                "last_updated_by_user_id": ws.bot_user_id, "last_updated_by_team_id": ws.team_id,
                "shortcut_id": None, "app_id": None}
    ch.bookmarks.append(bookmark)
    return {"ok": True, "bookmark": copy.deepcopy(bookmark)}


def bookmarks_list(ws: Workspace, a: Args) -> dict[str, Any]:
    """bookmarks.list."""
    return {"ok": True, "bookmarks": copy.deepcopy(_bookmark_channel(ws, a).bookmarks)}


def bookmarks_remove(ws: Workspace, a: Args) -> dict[str, Any]:
    """bookmarks.remove (not_found for unknown ids)."""
    ch = _bookmark_channel(ws, a)
    found = next((b for b in ch.bookmarks if b["id"] == a.str("bookmark_id")), None)
    if found is None:
        raise ApiError("not_found")
    ch.bookmarks.remove(found)
    return {"ok": True}


def bookmarks_edit(ws: Workspace, a: Args) -> dict[str, Any]:
    """bookmarks.edit (title, link, emoji)."""
    ch = _bookmark_channel(ws, a)
    found = next((b for b in ch.bookmarks if b["id"] == a.str("bookmark_id")), None)
    if found is None:
        raise ApiError("not_found")
    if a.has("link") and not re.match(r"https?://", a.str("link")):
        raise ApiError("invalid_link")
    for key in ("title", "link", "emoji"):
        if a.has(key):
            found[key] = a.str(key)
    found["date_updated"] = int(time.time())
    return {"ok": True, "bookmark": copy.deepcopy(found)}


def usergroups_users_list(ws: Workspace, a: Args) -> dict[str, Any]:
    """usergroups.users.list (no_such_subteam for unknown groups)."""
    group = ws.usergroups.get(a.str("usergroup"))
    if group is None:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(group[1])}


METHODS: dict[str, Handler] = {
    "usergroups.users.list": usergroups_users_list,
    "auth.test": auth_test,
    "team.info": team_info,
    "users.info": users_info,
    "users.list": users_list,
    "users.lookupByEmail": lookup_by_email,
    "pins.add": pins_add,
    "pins.remove": pins_remove,
    "pins.list": pins_list,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "reactions.get": reactions_get,
    "bookmarks.add": bookmarks_add,
    "bookmarks.list": bookmarks_list,
    "bookmarks.remove": bookmarks_remove,
    "bookmarks.edit": bookmarks_edit,
}
