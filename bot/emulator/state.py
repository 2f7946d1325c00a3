"""Workspace state: users, conversations, messages, views, files, ids and the ts clock."""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .args import ApiError


@dataclass
class User:
    """A workspace member (human or the bot user)."""

    id: str
    name: str
    real_name: str
    email: str | None
    tz: str = "Europe/London"
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    updated: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Channel:
    """A conversation: public/private channel, IM or MPIM, with its messages."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_general: bool = False
    im_user: str | None = None
    members: list[str] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    previous_names: list[str] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> message, ts ascending
    pins: dict[str, dict[str, Any]] = field(default_factory=dict)  # ts -> {created, created_by}
    bookmarks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def channel_type(self) -> str:
        """The Events API channel_type: channel, group, im or mpim."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"


@dataclass
class View:
    """A modal or Home tab view as stored by the emulator."""

    id: str
    user: str
    spec: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # state accumulated by view_action


@dataclass
class Trigger:
    """A trigger_id handed to the app; single use, expires after the workspace ttl."""

    id: str
    user: str
    issued: float
    used: bool = False


@dataclass
class FileRec:
    """A file upload slot and, once completed, a shared file."""

    id: str
    name: str
    length: int
    user: str
    created: int
    title: str = ""
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    alt_txt: str | None = None


@dataclass
class ResponseUrl:
    """A response_url issued with a command, action or shortcut."""

    id: str
    kind: str
    user: str
    channel: str | None
    message_ts: str | None
    created: float
    uses: int = 0


class Workspace:
    """All mutable emulator state; every access happens under `lock`."""

    def __init__(self, team_id: str, domain: str, trigger_ttl: float) -> None:
        self.lock = threading.RLock()
        self.team_id = team_id
        self.team_name = domain.capitalize()
        self.domain = domain
        self.trigger_ttl = trigger_ttl
        self.app_id = "A0001EMU"
        self.base_url = ""  # http://127.0.0.1:PORT, set on start
        self._counters: dict[str, itertools.count[int]] = {}
        self._last_ts_us = 0
        self.bot_token = "xoxb-" + "-".join(secrets.token_hex(6) for _ in range(3))
        self.app_token = f"xapp-1-{self.app_id}-" + secrets.token_hex(12)
        self.revoked: set[str] = set()
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.ims: dict[str, str] = {}  # user id -> D id
        self.usergroups: dict[str, tuple[str, list[str]]] = {}  # S id -> (handle, member ids)
        self.bot_id = self.new_id("B")
        bot = User(self.new_id("U"), "incident-bot", "Incident Bot", None, is_bot=True, bot_id=self.bot_id)
        self.users[bot.id] = bot
        self.bot_user_id = bot.id
        self.views: dict[str, View] = {}
        self.stacks: dict[str, list[str]] = {}  # user -> modal view ids, root first
        self.home: dict[str, str] = {}  # user -> home view id
        self.triggers: dict[str, Trigger] = {}
        self.files: dict[str, FileRec] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.response_posts: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.deferred: list[tuple[float | None, Callable[[], None]]] = []
        self.file_share_delay: float | None = 0.05  # completeUploadExternal shares this long after answering
        # what a person's client shows in a message's select after choosing: (choice, message edit ts then)
        self.shown: dict[tuple[str, str, str, str], tuple[str, str | None]] = {}

    # ids and clock -------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """A fresh Slack-style id such as C0000000A1 for the prefix."""
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}0{next(counter):08X}"

    def next_ts(self) -> str:
        """A message ts like "1700000000.000100", strictly increasing, never repeated."""
        now_us = int(time.time() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def new_trigger(self, user: str) -> str:
        """Issue a single-use trigger_id for the user."""
        trigger_id = f"{secrets.randbelow(10**10)}.{int(time.time())}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(trigger_id, user, time.monotonic())
        return trigger_id

    def consume_trigger(self, trigger_id: str) -> Trigger:
        """Check and mark a trigger used; raises the Slack trigger errors."""
        trig = self.triggers.get(trigger_id)
        if trig is None:
            raise ApiError("invalid_trigger_id")
        if trig.used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - trig.issued > self.trigger_ttl:
            raise ApiError("expired_trigger_id")
        return trig

    # users ---------------------------------------------------------------
    def add_user(self, name: str, real_name: str | None = None, email: str | None = None) -> str:
        """Create a human user and return its id."""
        uid = self.new_id("U")
        self.users[uid] = User(uid, name, real_name or name.capitalize(), email or f"{name}@example.com")
        return uid

    def get_user(self, user_id: str) -> User:
        """The user or user_not_found."""
        user = self.users.get(user_id)
        if user is None:
            raise ApiError("user_not_found")
        return user

    def user_dict(self, user: User) -> dict[str, Any]:
        """The user object as users.info returns it."""
        profile: dict[str, Any] = {
            "avatar_hash": "g" + user.id.lower()[-10:], "status_text": "", "status_emoji": "",
            "real_name": user.real_name, "display_name": user.name,
            "real_name_normalized": user.real_name, "display_name_normalized": user.name,
            "first_name": user.real_name.split(" ")[0], "last_name": " ".join(user.real_name.split(" ")[1:]),
            "title": "", "phone": "", "skype": "", "team": self.team_id,
            **{f"image_{n}": f"https://avatars.example.com/{user.id}_{n}.png" for n in (24, 32, 48, 72, 192, 512)},
        }
        if user.email:
            profile["email"] = user.email
        if user.is_bot:
            profile["bot_id"] = user.bot_id
            profile["api_app_id"] = self.app_id
        return {
            "id": user.id, "team_id": self.team_id, "name": user.name, "deleted": user.deleted,
            "color": "9f69e7", "real_name": user.real_name, "tz": user.tz,
            "tz_label": "Greenwich Mean Time", "tz_offset": 0, "profile": profile,
            "is_admin": False, "is_owner": False, "is_primary_owner": False, "is_restricted": False,
            "is_ultra_restricted": False, "is_bot": user.is_bot, "is_app_user": False,
            "updated": user.updated, "has_2fa": False,
        }

    # conversations -------------------------------------------------------
    def add_channel(self, name: str, creator: str, private: bool = False,
                    members: tuple[str, ...] | list[str] = (), archived: bool = False) -> Channel:
        """Create a channel directly (no validation, no events)."""
        ch = Channel(self.new_id("C"), name, int(time.time()), creator, is_private=private,
                     is_archived=archived, members=list(dict.fromkeys(members)))
        self.channels[ch.id] = ch
        return ch

    def channel_by_name(self, name: str) -> Channel | None:
        """The non-IM channel with that name (archived included), if any."""
        name = name.lstrip("#")
        for ch in self.channels.values():
            if not ch.is_im and ch.name == name:
                return ch
        return None

    def find_channel(self, ref: str) -> Channel:
        """Resolve a channel id (or #name) as the bot sees it; channel_not_found otherwise."""
        ch = self.channels.get(ref)
        if ch is None and not ref[:1].isupper():  # "#name" or "name"
            ch = self.channel_by_name(ref)
        if ch is None or (ch.is_private and self.bot_user_id not in ch.members):
            raise ApiError("channel_not_found")
        return ch

    def open_im(self, user_id: str) -> tuple[Channel, bool]:
        """The bot<->user IM channel, created on first use; returns (channel, already_open)."""
        if user_id in self.ims:
            return self.channels[self.ims[user_id]], True
        ch = Channel(self.new_id("D"), "", int(time.time()), self.bot_user_id, is_private=True,
                     is_im=True, im_user=user_id, members=[self.bot_user_id, user_id])
        self.channels[ch.id] = ch
        self.ims[user_id] = ch.id
        return ch, False

    def conversation(self, ch: Channel, num_members: bool = False) -> dict[str, Any]:
        """The conversation object as conversations.info returns it."""
        if ch.is_im:
            return {
                "id": ch.id, "created": ch.created, "is_im": True, "is_org_shared": False,
                "user": ch.im_user, "is_user_deleted": False, "last_read": "0000000000.000000",
                "latest": None, "unread_count": 0, "unread_count_display": 0, "is_open": True,
                "priority": 0,
            }
        out: dict[str, Any] = {
            "id": ch.id, "name": ch.name, "is_channel": not ch.is_mpim, "is_group": ch.is_mpim,
            "is_im": False, "is_mpim": ch.is_mpim, "is_private": ch.is_private, "created": ch.created,
            "is_archived": ch.is_archived, "is_general": ch.is_general, "unlinked": 0,
            "name_normalized": ch.name, "is_shared": False, "is_frozen": False, "is_org_shared": False,
            "is_pending_ext_shared": False, "pending_shared": [], "context_team_id": self.team_id,
            "updated": ch.created * 1000, "parent_conversation": None, "creator": ch.creator,
            "is_ext_shared": False, "shared_team_ids": [self.team_id], "pending_connected_team_ids": [],
            "is_member": self.bot_user_id in ch.members, "topic": dict(ch.topic),
            "purpose": dict(ch.purpose), "previous_names": list(ch.previous_names),
        }
        if num_members:
            out["num_members"] = len(ch.members)
        return out

    # messages ------------------------------------------------------------
    def get_message(self, ch: Channel, ts: str) -> dict[str, Any]:
        """The stored message or message_not_found."""
        msg = ch.messages.get(ts)
        if msg is None:
            raise ApiError("message_not_found")
        return msg

    def store_message(self, ch: Channel, msg: dict[str, Any]) -> dict[str, Any]:
        """Store a message (threading bookkeeping included) and return it."""
        ch.messages[msg["ts"]] = msg
        parent_ts = msg.get("thread_ts")
        if parent_ts and parent_ts != msg["ts"] and parent_ts in ch.messages:
            parent = ch.messages[parent_ts]
            msg["parent_user_id"] = parent.get("user")
            parent["thread_ts"] = parent_ts
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            users = parent.setdefault("reply_users", [])
            if msg.get("user") and msg["user"] not in users:
                users.append(msg["user"])
            parent["reply_users_count"] = len(users)
            parent["latest_reply"] = msg["ts"]
            parent.setdefault("is_locked", False)
            parent.setdefault("subscribed", False)
        return msg

    def remove_message(self, ch: Channel, ts: str) -> dict[str, Any]:
        """Delete a stored message and fix its thread parent's counters."""
        msg = ch.messages.pop(ts)
        ch.pins.pop(ts, None)
        parent_ts = msg.get("thread_ts")
        if parent_ts and parent_ts != ts and parent_ts in ch.messages:
            parent = ch.messages[parent_ts]
            parent["reply_count"] = max(0, parent.get("reply_count", 1) - 1)
            replies = [m for m in ch.messages.values() if m.get("thread_ts") == parent_ts and m["ts"] != parent_ts]
            parent["latest_reply"] = replies[-1]["ts"] if replies else parent_ts
        return msg

    def thread_parent(self, ch: Channel, thread_ts: str) -> dict[str, Any] | None:
        """The parent message for thread_ts (a reply's ts resolves to its parent)."""
        msg = ch.messages.get(thread_ts)
        if msg is None:
            return None
        parent_ts = msg.get("thread_ts")
        if parent_ts and parent_ts != msg["ts"]:
            return ch.messages.get(parent_ts)
        return msg

    def system_message(self, ch: Channel, subtype: str, user: str, text: str, **extra: Any) -> dict[str, Any]:
        """Store a channel_join/channel_topic/... message and queue its message event."""
        msg = {"type": "message", "subtype": subtype, "ts": self.next_ts(), "user": user, "text": text, **extra}
        self.store_message(ch, msg)
        self.emit({**copy.deepcopy(msg), "channel": ch.id, "channel_type": ch.channel_type})
        return msg

    # events --------------------------------------------------------------
    def emit(self, event: dict[str, Any]) -> None:
        """Queue an Events API inner event for delivery after the current call."""
        event.setdefault("event_ts", event.get("ts") or self.next_ts())
        self.outbox.append(event)

    def defer(self, delay: float | None, work: Callable[[], None]) -> None:
        """Run `work` (under the lock, its events emitted) `delay` seconds after the current call (None:
        when the emulator releases it)."""
        self.deferred.append((delay, work))

    def take_deferred(self) -> list[tuple[float | None, Callable[[], None]]]:
        """Remove and return the work deferred by the current call."""
        out, self.deferred = self.deferred, []
        return out

    def take_outbox(self) -> list[dict[str, Any]]:
        """Remove and return the queued events."""
        out, self.outbox = self.outbox, []
        return out

    def member_joined(self, ch: Channel, user: str, inviter: str | None = None) -> None:
        """Add a member: channel_join message plus member_joined_channel event."""
        if user in ch.members:
            return
        ch.members.append(user)
        extra: dict[str, Any] = {"inviter": inviter} if inviter else {}
        self.system_message(ch, "channel_join", user, f"<@{user}> has joined the channel", **extra)
        event = {"type": "member_joined_channel", "user": user, "channel": ch.id,
                 "channel_type": "G" if ch.is_private else "C", "team": self.team_id, **extra}
        self.emit(event)
