"""Events API envelopes and the background dispatcher that delivers emitted events."""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from .delivery import Response
from .state import Workspace

log = logging.getLogger("bot.emulator.events")

# deliver(envelope, retry_num, retry_reason) -> Response
Deliver = Callable[[dict[str, Any], "int | None", "str | None"], Response]

MESSAGE_SUBSCRIPTIONS = {"channel": "message.channels", "group": "message.groups", "im": "message.im",
                         "mpim": "message.mpim"}


def new_event_id() -> str:
    """A unique event id like "Ev0A1B2C3D4E"."""
    return "Ev" + secrets.token_hex(5).upper()


def envelope(ws: Workspace, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """Wrap an inner event in the event_callback envelope Slack POSTs."""
    event = dict(event)
    event.setdefault("event_ts", event.get("ts") or f"{time.time():.6f}")
    channel = event.get("channel") if isinstance(event.get("channel"), str) else event.get("channel_id", "")
    return {
        "token": "verification-token", "team_id": ws.team_id, "context_team_id": ws.team_id,
        "context_enterprise_id": None, "api_app_id": ws.app_id, "event": event, "type": "event_callback",
        "event_id": event_id or new_event_id(), "event_time": int(float(event["event_ts"])),
        "authorizations": [{"enterprise_id": None, "team_id": ws.team_id, "user_id": ws.bot_user_id,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event.get('type', 'event')}-{ws.team_id}-{channel or 'none'}",
        "authed_users": [ws.bot_user_id],
    }


def subscribed(event: dict[str, Any], subscriptions: set[str] | None) -> bool:
    """Whether the app's event subscriptions (None = everything) include this event."""
    if subscriptions is None:
        return True
    if event.get("type") == "message":
        return "message" in subscriptions or MESSAGE_SUBSCRIPTIONS.get(event.get("channel_type", "")) in subscriptions
    return event.get("type") in subscriptions


def visible(ws: Workspace, event: dict[str, Any]) -> bool:
    """Message and reaction events reach the app only for conversations the bot is a member of."""
    if event.get("type") not in ("message", "reaction_added", "reaction_removed"):
        return True
    channel = event.get("channel") or (event.get("item") or {}).get("channel")
    ch = ws.channels.get(channel) if isinstance(channel, str) else None
    return ch is None or ws.bot_user_id in ch.members


class EventDispatcher:
    """Delivers queued events in order on one daemon thread and records each delivery."""

    def __init__(self, ws: Workspace, deliver: Deliver) -> None:
        self.ws = ws
        self.deliver = deliver
        self.retries = False
        self.deliveries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._busy = 0

    def start(self) -> None:
        """Start the delivery thread."""
        self._thread = threading.Thread(target=self._run, name="emu-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread (pending events are dropped)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def submit(self, events: list[dict[str, Any]]) -> None:
        """Queue inner events for delivery."""
        for event in events:
            with self._lock:
                self._busy += 1
            self._queue.put(event)

    def idle(self) -> bool:
        """True when nothing is queued or being delivered."""
        with self._lock:
            return self._busy == 0

    def record(self, env: dict[str, Any], resp: Response, retry_num: int | None) -> None:
        """Append a delivery record."""
        with self._lock:
            self.deliveries.append({"event": env["event"], "event_id": env["event_id"], "status": resp.status,
                                    "duration": resp.duration, "retry_num": retry_num, "error": resp.error})

    def deliver_with_retries(self, env: dict[str, Any]) -> Response:
        """One delivery, then up to 3 immediate retries when enabled and the delivery failed."""
        resp = self.deliver(env, None, None)
        self.record(env, resp, None)
        attempt = 0
        while self.retries and attempt < 3 and not (200 <= resp.status < 300):
            if resp.headers.get("x-slack-no-retry") == "1":
                break
            attempt += 1
            reason = ("http_timeout" if resp.error and "timed out" in resp.error else
                      "connection_failed" if resp.status == 0 else "http_error")
            resp = self.deliver(env, attempt, reason)
            self.record(env, resp, attempt)
        return resp

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                self.deliver_with_retries(envelope(self.ws, event))
            except Exception:
                log.exception("event delivery failed")
            finally:
                with self._lock:
                    self._busy -= 1
