"""SlackEmulator: the public facade (lifecycle, seeding, inspection, faults) plus the driver."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from .delivery import Response
from .driver import DriverMixin
from .events import EventDispatcher, subscribed, visible
from .methods_files import file_object
from .methods_views import view_object
from .ratelimits import RateLimiter
from .server import ApiServer, Call, Fault
from .socket_mode import SocketModeServer
from .state import Workspace

T = TypeVar("T")

SEED_USERS = (("alice", "Alice Archer"), ("bob", "Bob Baker"), ("carol", "Carol Chen"), ("dave", "Dave Dunn"))


class SlackEmulator(DriverMixin):
    """A stateful fake Slack workspace: Web API over HTTP, Socket Mode, and a client-side driver."""

    def __init__(self, signing_secret: str = "test-secret", team_domain: str = "acme",
                 trigger_ttl: float = 3.0, team_id: str = "T0001") -> None:
        self.signing_secret = signing_secret
        self.ws = Workspace(team_id, team_domain, trigger_ttl)
        self.app_url: str | None = None
        self.latency = 0.0
        self.rate_limits = False
        self.emit_events = True
        self.subscribed_events: set[str] | None = None
        self.http_timeout = 10.0
        self.event_timeout = 3.0
        self._meta = threading.Lock()
        self._faults: list[Fault] = []
        self._in_flight: list[tuple[str, dict[str, Any]]] = []
        self._calls: list[Call] = []
        self._limiter = RateLimiter()
        self._server = ApiServer(self)
        self._socket = SocketModeServer(self.ws.app_id)
        self._dispatcher = EventDispatcher(self.ws, self._deliver_background)
        self._started = False
        self._timers: list[threading.Timer] = []
        self._held: list[Callable[[], None]] = []
        self._seed()

    # lifecycle ---------------------------------------------------------------
    def start(self) -> SlackEmulator:
        """Start the HTTP server, the Socket Mode server and the event thread."""
        if not self._started:
            self._server.start()
            self._socket.start()
            self._dispatcher.start()
            self.ws.base_url = self._server.base_url
            self._started = True
        return self

    def stop(self) -> None:
        """Stop everything (idempotent)."""
        if self._started:
            with self._meta:
                timers, self._timers = self._timers, []
            for timer in timers:
                timer.cancel()
            self._dispatcher.stop()
            self._socket.stop()
            self._server.stop()
            self._started = False

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # identity ----------------------------------------------------------------
    @property
    def api_url(self) -> str:
        """Base URL for slack_sdk: http://127.0.0.1:PORT/api/"""
        return self._server.base_url + "/api/"

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (response_urls, uploads and downloads live here too)."""
        return self._server.base_url

    @property
    def bot_token(self) -> str:
        """The bot token (xoxb-...)."""
        return self.ws.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (xapp-...), valid only for apps.connections.open."""
        return self.ws.app_token

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self.ws.team_id

    @property
    def app_id(self) -> str:
        """The app id (api_app_id in payloads)."""
        return self.ws.app_id

    @property
    def bot_user_id(self) -> str:
        """auth.test user_id of the bot."""
        return self.ws.bot_user_id

    @property
    def bot_id(self) -> str:
        """auth.test bot_id."""
        return self.ws.bot_id

    # seeding -----------------------------------------------------------------
    def _seed(self) -> None:
        ids = [self.ws.add_user(name, real) for name, real in SEED_USERS]
        for name in ("general", "incidents"):
            ch = self.ws.add_channel(name, ids[0], members=[*ids, self.ws.bot_user_id])
            ch.is_general = name == "general"

    def user_id(self, name: str) -> str:
        """The id of the user with that name (KeyError if none)."""
        with self.ws.lock:
            for user in self.ws.users.values():
                if user.name == name:
                    return user.id
        raise KeyError(f"no user named {name}")

    def channel_id(self, name: str) -> str:
        """The id of the channel with that name, archived included (KeyError if none)."""
        with self.ws.lock:
            ch = self.ws.channel_by_name(name)
        if ch is None:
            raise KeyError(f"no channel named {name}")
        return ch.id

    def add_user(self, name: str, real_name: str | None = None, email: str | None = None) -> str:
        """Add a human user; returns its id."""
        with self.ws.lock:
            return self.ws.add_user(name, real_name, email)

    def add_channel(self, name: str, private: bool = False, members: tuple[str, ...] | list[str] = (),
                    bot_member: bool = True, archived: bool = False) -> str:
        """Add a channel directly (no events); returns its id."""
        with self.ws.lock:
            all_members = [*members, self.ws.bot_user_id] if bot_member else list(members)
            creator = members[0] if members else self.ws.bot_user_id
            return self.ws.add_channel(name, creator, private, all_members, archived).id

    def add_usergroup(self, handle: str, members: tuple[str, ...] | list[str] = ()) -> str:
        """Add a user group (as `usergroups.users.list` reads it); returns its id (S…)."""
        with self.ws.lock:
            group_id = self.ws.new_id("S")
            self.ws.usergroups[group_id] = (handle, list(members))
            return group_id

    # inspection ----------------------------------------------------------------
    def channel(self, channel_id: str) -> dict[str, Any]:
        """The conversation object (as conversations.info) plus "members"."""
        with self.ws.lock:
            ch = self.ws.channels[channel_id]
            return {**self.ws.conversation(ch, True), "members": list(ch.members)}

    def users(self) -> list[dict[str, Any]]:
        """Every user as users.info returns them (the bot user included)."""
        with self.ws.lock:
            return [self.ws.user_dict(u) for u in self.ws.users.values()]

    def channels(self) -> list[dict[str, Any]]:
        """Every conversation (IMs included), as channel() returns them."""
        with self.ws.lock:
            ids = list(self.ws.channels)
        return [self.channel(cid) for cid in ids]

    def messages(self, channel_id: str, include_replies: bool = True,
                 include_system: bool = True) -> list[dict[str, Any]]:
        """Stored messages oldest first; optionally without thread replies or channel_join/topic/... ones."""
        with self.ws.lock:
            out = []
            for msg in self.ws.channels[channel_id].messages.values():
                reply = msg.get("thread_ts") and msg["thread_ts"] != msg["ts"] and msg.get(
                    "subtype") != "thread_broadcast"
                if reply and not include_replies:
                    continue
                if not include_system and msg.get("subtype", "").startswith("channel_"):
                    continue
                out.append(copy.deepcopy(msg))
            return out

    def ephemerals(self, channel_id: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Messages sent with chat.postEphemeral."""
        with self.ws.lock:
            return [copy.deepcopy(e) for e in self.ws.ephemerals
                    if (channel_id is None or e["channel"] == channel_id) and (user is None or e["user"] == user)]

    def responses(self, kind: str | None = None, user: str | None = None,
                  channel: str | None = None) -> list[dict[str, Any]]:
        """Posts the app made to response_urls: {"url","body","kind","user","channel",...}."""
        with self.ws.lock:
            return [copy.deepcopy(r) for r in self.ws.response_posts
                    if (kind is None or r["kind"] == kind) and (user is None or r["user"] == user)
                    and (channel is None or r["channel"] == channel)]

    def views(self, user: str | None = None) -> list[dict[str, Any]]:
        """Open modal views (all stacks, root first), each with its "user"."""
        with self.ws.lock:
            out: list[dict[str, Any]] = []
            for owner, stack in self.ws.stacks.items():
                if user is None or owner == user:
                    out.extend({**view_object(self.ws, self.ws.views[vid]), "user": owner} for vid in stack)
            return out

    def home_view(self, user: str) -> dict[str, Any] | None:
        """The Home tab view published for a user, if any."""
        with self.ws.lock:
            vid = self.ws.home.get(user)
            return view_object(self.ws, self.ws.views[vid]) if vid else None

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """Messages in the bot<->user IM (empty if never opened)."""
        with self.ws.lock:
            cid = self.ws.ims.get(user_id)
        return self.messages(cid) if cid else []

    def files(self) -> list[dict[str, Any]]:
        """Completed uploads: {"id","name","title","content","channels","initial_comment","thread_ts",...}."""
        with self.ws.lock:
            return [{"id": f.id, "name": f.name, "title": f.title, "content": f.content, "channels": list(f.channels),
                     "initial_comment": f.initial_comment, "thread_ts": f.thread_ts, "user": f.user,
                     "file": file_object(self.ws, f)}
                    for f in self.ws.files.values() if f.completed]

    def calls(self, method: str | None = None) -> list[Call]:
        """The Web API call log (oldest first), optionally for one method."""
        with self._meta:
            return [copy.deepcopy(c) for c in self._calls if method is None or c.method == method]

    def clear_calls(self) -> None:
        """Empty the call log."""
        with self._meta:
            self._calls.clear()

    def deliveries(self) -> list[dict[str, Any]]:
        """Event deliveries: {"event","event_id","status","duration","retry_num","error"}."""
        with self._dispatcher._lock:
            return copy.deepcopy(self._dispatcher.deliveries)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
        """Poll predicate() until truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                name = getattr(predicate, "__name__", repr(predicate))
                raise AssertionError(f"wait_for timed out after {timeout}s: {name} stayed {value!r}")
            time.sleep(interval)

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until deferred work (file shares) is done and all emitted events have been delivered."""
        self.wait_for(lambda: not self.pending(), timeout)
        self.wait_for(self._dispatcher.idle, timeout)

    def pending(self) -> int:
        """How many timed pieces of deferred work (asynchronous file shares) have not run yet (held ones
        do not count)."""
        with self._meta:
            return sum(1 for t in self._timers if t.is_alive())

    @property
    def file_share_delay(self) -> float | None:
        """Seconds between files.completeUploadExternal's answer and the file's share in its channels;
        None holds shares until `release_shares()`."""
        return self.ws.file_share_delay

    @file_share_delay.setter
    def file_share_delay(self, value: float | None) -> None:
        self.ws.file_share_delay = value

    def release_shares(self) -> None:
        """Run the file shares held while `file_share_delay` was None (in order, now)."""
        with self._meta:
            held, self._held = self._held, []
        for run in held:
            run()

    def socket_connected(self) -> bool:
        """True while a Socket Mode client is connected."""
        return self._socket.connected()

    def socket_closes(self) -> list[int | None]:
        """How each Socket Mode connection ended, oldest first: the close code the app sent (1000 for a
        clean close), None where it dropped the connection without a close frame."""
        return self._socket.closes()

    # faults ----------------------------------------------------------------------
    def inject(self, method: str, *, error: str | None = None, status: int | None = None,
               retry_after: int | None = None, times: int = 1, latency: float | None = None,
               body: dict[str, Any] | None = None, when: Callable[[dict[str, Any]], bool] | None = None,
               processed: bool = False, drop: bool = False) -> None:
        """Answer the next `times` calls of `method` ("*" = any) with a fault instead of running them;
        `when(args)` narrows it to the calls whose arguments match. `drop` closes the connection without an
        answer; `processed` runs the method first (Slack did the work, the answer was lost)."""
        with self._meta:
            self._faults.append(Fault(method, error, status, retry_after, times, latency, body, when,
                                      processed, drop))

    def clear_faults(self) -> None:
        """Drop pending injected faults."""
        with self._meta:
            self._faults.clear()

    def revoke(self, token: str) -> None:
        """Revoke a token: further calls answer token_revoked; tokens_revoked is emitted for the bot token."""
        with self.ws.lock:
            self.ws.revoked.add(token)
            if token == self.ws.bot_token:
                self.ws.emit({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [self.ws.bot_user_id]}})
            events = self.ws.take_outbox()
        self._emit(events)

    # internals used by the server / driver -----------------------------------------
    def in_flight(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Web API calls received and not yet answered (method, args), optionally for one method."""
        with self._meta:
            return [(m, copy.deepcopy(a)) for m, a in self._in_flight if method is None or m == method]

    def _begin_call(self, method: str, args: dict[str, Any]) -> None:
        with self._meta:
            self._in_flight.append((method, args))

    def _end_call(self, method: str, args: dict[str, Any]) -> None:
        with self._meta:
            self._in_flight = [c for c in self._in_flight if c[1] is not args]

    def _take_fault(self, method: str, args: dict[str, Any] | None = None) -> Fault | None:
        with self._meta:
            for fault in self._faults:
                if fault.method in (method, "*") and (fault.when is None or fault.when(args or {})):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _log_call(self, call: Call) -> None:
        with self._meta:
            self._calls.append(call)

    def _later(self, delay: float | None, work: Callable[[], None]) -> None:
        def run() -> None:
            with self.ws.lock:
                work()
                events = self.ws.take_outbox()
            self._emit(events)

        with self._meta:
            if delay is None:
                self._held.append(run)
                return
            timer = threading.Timer(delay, run)
            timer.daemon = True
            self._timers = [t for t in self._timers if t.is_alive()] + [timer]
            timer.start()

    def _emit(self, events: list[dict[str, Any]]) -> None:
        if not events or not self.emit_events or not (self.app_url or self._socket.connected()):
            return
        with self.ws.lock:
            wanted = [e for e in events if subscribed(e, self.subscribed_events) and visible(self.ws, e)]
        self._dispatcher.submit(wanted)

    def _deliver_background(self, env: dict[str, Any], retry_num: int | None, retry_reason: str | None) -> Response:
        if not (self.app_url or self._socket.connected()):
            return Response(0, error="no app_url and no Socket Mode connection")
        return self._deliver_event(env, retry_num, retry_reason, timeout=self.event_timeout)

    @property
    def event_retries(self) -> bool:
        """When True, failed background deliveries are retried up to 3 times (immediately)."""
        return self._dispatcher.retries

    @event_retries.setter
    def event_retries(self, value: bool) -> None:
        self._dispatcher.retries = value
