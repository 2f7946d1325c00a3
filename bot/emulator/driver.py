"""The driver: plays the Slack client side, sending the app real signed requests."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from .args import ApiError
from .blocks import check_view, find_element
from .delivery import Response, post_signed
from .events import EventDispatcher, envelope, subscribed, visible
from .methods_chat import delete_message, post_as_bot
from .methods_files import file_object
from .methods_misc import add_reaction, remove_reaction
from .methods_views import close_view, push_view, replace_view, view_object
from .payloads import (
    action_state,
    action_ts,
    build_action,
    channel_name,
    escape_text,
    interactive_base,
    new_response_url,
    submission_values,
)
from .socket_mode import SocketModeServer
from .state import Channel, FileRec, Workspace


class DriverMixin:
    """Slack-client actions for SlackEmulator; each delivers synchronously and returns the answer."""

    ws: Workspace
    signing_secret: str
    app_url: str | None
    http_timeout: float
    subscribed_events: set[str] | None
    _socket: SocketModeServer
    _dispatcher: EventDispatcher

    def _emit(self, events: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    # helpers ---------------------------------------------------------------
    def mention(self, user_id: str) -> str:
        """A user mention as Slack escapes it in command text: <@U123|alice>."""
        user = self.ws.users.get(user_id)
        return f"<@{user_id}|{user.name if user else user_id}>"

    def channel_mention(self, channel_id: str) -> str:
        """A channel mention as Slack escapes it: <#C123|incidents>."""
        ch = self.ws.channels.get(channel_id)
        return f"<#{channel_id}|{ch.name if ch else ''}>"

    def _channel(self, channel_id: str) -> Channel:
        ch = self.ws.channels.get(channel_id)
        if ch is None:
            raise KeyError(f"unknown channel {channel_id}")
        return ch

    def _deliver(self, socket_type: str, http_body: bytes, content_type: str, socket_payload: dict[str, Any],
                 accepts_response_payload: bool, headers: dict[str, str] | None = None,
                 retry_num: int | None = None, retry_reason: str | None = None,
                 timeout: float | None = None) -> Response:
        if self._socket.connected():
            return self._socket.send(socket_type, socket_payload, accepts_response_payload,
                                     retry_num or 0, retry_reason or "")
        if not self.app_url:
            raise RuntimeError("no app_url set and no Socket Mode connection")
        return post_signed(self.app_url, http_body, content_type, self.signing_secret, headers=headers,
                           timeout=timeout or self.http_timeout)

    def _deliver_interactive(self, payload: dict[str, Any], accepts: bool = False) -> Response:
        body = ("payload=" + quote(json.dumps(payload), safe="")).encode()
        return self._deliver("interactive", body, "application/x-www-form-urlencoded", payload, accepts)

    def _deliver_event(self, env: dict[str, Any], retry_num: int | None = None,
                       retry_reason: str | None = None, timeout: float | None = None) -> Response:
        headers: dict[str, str] = {}
        if retry_num:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_error"}
        return self._deliver("events_api", json.dumps(env).encode(), "application/json", env, False,
                             headers, retry_num, retry_reason, timeout)

    def _flush_sync(self) -> Response | None:
        """Deliver the events queued by a driver action now, in order; the first answer is returned."""
        with self.ws.lock:
            events = [e for e in self.ws.take_outbox()
                      if subscribed(e, self.subscribed_events) and visible(self.ws, e)]
        first: Response | None = None
        for event in events:
            if not (self.app_url or self._socket.connected()):
                continue
            env = envelope(self.ws, event)
            resp = self._deliver_event(env)
            self._dispatcher.record(env, resp, None)
            first = first or resp
        return first

    # commands and interactivity -------------------------------------------
    def slash_command(self, user_id: str, channel_id: str, command: str, text: str = "") -> Response:
        """Send a slash command (form-encoded, fresh response_url and trigger_id)."""
        ws = self.ws
        with ws.lock:
            ch = ws.channels.get(channel_id)
            fields = {
                "token": "verification-token", "team_id": ws.team_id, "team_domain": ws.domain,
                "channel_id": channel_id, "channel_name": channel_name(ch), "user_id": user_id,
                "user_name": ws.users[user_id].name if user_id in ws.users else user_id,
                "command": command, "text": escape_text(text), "api_app_id": ws.app_id,
                "is_enterprise_install": "false",
                "response_url": new_response_url(ws, "command", user_id, channel_id),
                "trigger_id": ws.new_trigger(user_id),
            }
        resp = self._deliver("slash_commands", urlencode(fields).encode(), "application/x-www-form-urlencoded",
                             fields, True)
        self._apply_command_ack(channel_id, resp)
        return resp

    def _apply_command_ack(self, channel_id: str, resp: Response) -> None:
        if resp.status != 200 or not resp.headers.get("content-type", "").startswith("application/json"):
            return
        try:
            body = resp.json()
        except ValueError:
            return
        if isinstance(body, dict) and body.get("response_type") == "in_channel":
            with self.ws.lock:
                ch = self.ws.channels.get(channel_id)
                if ch is not None:
                    content = {"text": str(body.get("text") or "")}
                    if body.get("blocks"):
                        content["blocks"] = body["blocks"]
                    post_as_bot(self.ws, ch, content)
                events = self.ws.take_outbox()
            self._emit(events)

    def global_shortcut(self, user_id: str, callback_id: str) -> Response:
        """Send a global shortcut (no channel, no response_url)."""
        with self.ws.lock:
            payload = {**interactive_base(self.ws, "shortcut", user_id), "action_ts": action_ts(),
                       "callback_id": callback_id, "trigger_id": self.ws.new_trigger(user_id)}
        return self._deliver_interactive(payload)

    def message_shortcut(self, user_id: str, channel_id: str, message_ts: str, callback_id: str) -> Response:
        """Send a message shortcut (message_action) on a stored message."""
        ws = self.ws
        with ws.lock:
            ch = self._channel(channel_id)
            message = copy.deepcopy(ws.get_message(ch, message_ts))
            payload = {**interactive_base(ws, "message_action", user_id), "action_ts": action_ts(),
                       "callback_id": callback_id, "trigger_id": ws.new_trigger(user_id),
                       "message_ts": message_ts, "message": message,
                       "channel": {"id": ch.id, "name": channel_name(ch)},
                       "response_url": new_response_url(ws, "shortcut", user_id, ch.id, message_ts)}
        return self._deliver_interactive(payload)

    def click(self, user_id: str, channel_id: str, message_ts: str, action_id: str, value: str | None = None,
              block_id: str | None = None, **selected: Any) -> Response:
        """Send block_actions for an element of a message (stored or ephemeral)."""
        ws = self.ws
        with ws.lock:
            ch = self._channel(channel_id)
            stored = ch.messages.get(message_ts)
            ephemeral = next((e for e in ws.ephemerals if e["ts"] == message_ts and e["channel"] == channel_id),
                             None)
            if stored is None and ephemeral is None:
                raise KeyError(f"no message {message_ts} in {channel_id}")
            source = stored if stored is not None else ephemeral
            assert source is not None
            found_block, element = find_element(source.get("blocks") or [], action_id, block_id)
            container: dict[str, Any] = {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                                         "is_ephemeral": stored is None}
            if stored is not None and stored.get("thread_ts"):
                container["thread_ts"] = stored["thread_ts"]
            payload: dict[str, Any] = {
                **interactive_base(ws, "block_actions", user_id), "container": container,
                "trigger_id": ws.new_trigger(user_id), "channel": {"id": ch.id, "name": channel_name(ch)},
                "state": {"values": {}},
                "response_url": new_response_url(ws, "action", user_id, ch.id, message_ts),
                "actions": [build_action(element, action_id, found_block, value, selected)],
            }
            if stored is not None:
                payload["message"] = copy.deepcopy(stored)
                chosen = payload["actions"][0].get("selected_option")
                if chosen:  # the client keeps showing it until the message is edited
                    ws.shown[(user_id, ch.id, message_ts, action_id)] = (
                        chosen.get("value"), (stored.get("edited") or {}).get("ts"))
        return self._deliver_interactive(payload)

    def shown_option(self, user_id: str, channel_id: str, message_ts: str, action_id: str) -> str | None:
        """The value a person's Slack client shows in a message's select: what they chose, until the message
        is edited (chat.update re-renders it); then its initial_option (None: the placeholder)."""
        ws = self.ws
        with ws.lock:
            stored = self._channel(channel_id).messages[message_ts]
            choice = ws.shown.get((user_id, channel_id, message_ts, action_id))
            if choice is not None and choice[1] == (stored.get("edited") or {}).get("ts"):
                return choice[0]
            _, element = find_element(stored.get("blocks") or [], action_id, None)
            return ((element or {}).get("initial_option") or {}).get("value")

    def view_action(self, user_id: str, view_id: str, action_id: str, block_id: str,
                    value: str | None = None, **selected: Any) -> Response:
        """Send block_actions from inside a modal; the view's state keeps the new value."""
        ws = self.ws
        with ws.lock:
            view = ws.views[view_id]
            _, element = find_element(view.spec.get("blocks", []), action_id, block_id)
            action = build_action(element, action_id, block_id, value, selected)
            state = action_state(action)
            if state is not None:
                view.values.setdefault(block_id, {})[action_id] = state
            payload = {**interactive_base(ws, "block_actions", user_id),
                       "container": {"type": "view", "view_id": view_id},
                       "trigger_id": ws.new_trigger(user_id), "view": view_object(ws, view), "actions": [action]}
        return self._deliver_interactive(payload)

    def submit_view(self, view_id: str, values: dict[str, dict[str, dict[str, Any]]] | None = None,
                    user_id: str | None = None) -> Response:
        """Send view_submission; then apply the ack (errors keep it open, update/push/clear, else close)."""
        ws = self.ws
        with ws.lock:
            view = ws.views[view_id]
            user = user_id or view.user
            obj = view_object(ws, view)
            obj["state"] = {"values": submission_values(view, values)}
            payload = {**interactive_base(ws, "view_submission", user), "trigger_id": ws.new_trigger(user),
                       "view": obj, "response_urls": self._response_urls(view.spec, obj["state"]["values"], user)}
        resp = self._deliver_interactive(payload, accepts=True)
        self._apply_view_ack(view_id, resp)
        return resp

    def _response_urls(self, spec: dict[str, Any], values: dict[str, Any], user: str) -> list[dict[str, Any]]:
        urls: list[dict[str, Any]] = []
        for block in spec.get("blocks", []):
            element = block.get("element") or {} if isinstance(block, dict) else {}
            if block.get("type") != "input" or not element.get("response_url_enabled"):
                continue
            state = values.get(block.get("block_id", ""), {}).get(element.get("action_id", ""), {})
            channel = state.get("selected_conversation") or state.get("selected_channel")
            if channel:
                urls.append({"block_id": block["block_id"], "action_id": element.get("action_id", ""),
                             "channel_id": channel,
                             "response_url": new_response_url(self.ws, "view", user, channel)})
        return urls

    def _apply_view_ack(self, view_id: str, resp: Response) -> None:
        if resp.status != 200:
            return
        try:
            ack = resp.json() if resp.body.strip() else {}
        except ValueError:
            ack = {}
        action = ack.get("response_action") if isinstance(ack, dict) else None
        with self.ws.lock:
            view = self.ws.views.get(view_id)
            if view is None or action == "errors":
                return
            try:
                if action == "update":
                    replace_view(self.ws, view, check_view(ack.get("view"), "modal"))
                elif action == "push":
                    push_view(self.ws, view.user, check_view(ack.get("view"), "modal"))
                else:
                    close_view(self.ws, view_id, clear=action == "clear")
            except ApiError:
                return

    def close_view(self, view_id: str, user_id: str | None = None) -> Response | None:
        """The user closes a modal: view_closed is sent only if it has notify_on_close."""
        ws = self.ws
        with ws.lock:
            view = ws.views[view_id]
            user = user_id or view.user
            payload = {**interactive_base(ws, "view_closed", user), "view": view_object(ws, view),
                       "is_cleared": False}
            notify = bool(view.spec.get("notify_on_close"))
            close_view(ws, view_id)
        return self._deliver_interactive(payload) if notify else None

    # human activity ----------------------------------------------------------
    def post_message(self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None,
                     files: list[dict[str, Any]] | None = None, reply_broadcast: bool = False) -> str:
        """A human posts a message (optionally threaded / with files); the message event is delivered."""
        ws = self.ws
        with ws.lock:
            ch = self._channel(channel_id)
            ts = ws.next_ts()
            # Slack keeps a person's text with & < > as entities (mentions and links stay tokens); the rich
            # text blocks carry it as typed
            msg: dict[str, Any] = {"client_msg_id": str(uuid.uuid4()), "type": "message", "text": escape_text(text),
                                   "user": user_id, "ts": ts, "team": ws.team_id,
                                   "blocks": [_rich_text(text)]}
            if files:
                msg.update(subtype="file_share", upload=False, display_as_bot=False,
                           files=[self._human_file(user_id, ch, f) for f in files])
            if thread_ts:
                parent = ws.thread_parent(ch, thread_ts)
                if parent is None:
                    raise KeyError(f"no thread {thread_ts} in {channel_id}")
                msg["thread_ts"] = parent["ts"]
                if reply_broadcast:
                    msg.update(subtype="thread_broadcast", root=copy.deepcopy(parent))
            ws.store_message(ch, msg)
            ws.emit({**copy.deepcopy(msg), "channel": ch.id, "channel_type": ch.channel_type, "event_ts": ts})
        self._flush_sync()
        return ts

    def join_channel(self, user_id: str, channel_id: str) -> None:
        """A person joins a channel on their own (the channel browser): a channel_join message and the
        member_joined_channel event (no inviter), delivered; a member already in it changes nothing."""
        ws = self.ws
        with ws.lock:
            ws.member_joined(self._channel(channel_id), user_id)
        self._flush_sync()

    def _human_file(self, user_id: str, ch: Channel, spec: dict[str, Any]) -> dict[str, Any]:
        content = spec.get("content", b"")
        data = content.encode() if isinstance(content, str) else bytes(content)
        fid = self.ws.new_id("F")
        rec = FileRec(fid, spec.get("name", "file.txt"), len(data), user_id, int(float(self.ws.next_ts())),
                      title=spec.get("title", ""), content=data, completed=True, channels=[ch.id])
        self.ws.files[fid] = rec
        return file_object(self.ws, rec, shares=False)

    def edit_message(self, user_id: str, channel_id: str, ts: str, new_text: str) -> Response | None:
        """A human edits a message: stored, then message_changed is delivered."""
        ws = self.ws
        with ws.lock:
            ch = self._channel(channel_id)
            msg = ws.get_message(ch, ts)
            previous = copy.deepcopy(msg)
            msg.update(text=escape_text(new_text), blocks=[_rich_text(new_text)],
                       edited={"user": user_id, "ts": ws.next_ts()})
            ws.emit({"type": "message", "subtype": "message_changed", "hidden": True, "channel": ch.id,
                     "channel_type": ch.channel_type, "ts": msg["edited"]["ts"], "message": copy.deepcopy(msg),
                     "previous_message": previous})
        return self._flush_sync()

    def delete_message(self, channel_id: str, ts: str) -> Response | None:
        """A message is deleted: removed (a thread parent with replies left as a tombstone), then
        message_deleted (or the tombstone's message_changed) is delivered."""
        with self.ws.lock:
            delete_message(self.ws, self._channel(channel_id), ts)
        return self._flush_sync()

    def add_reaction(self, user_id: str, channel_id: str, ts: str, name: str) -> Response | None:
        """A human reacts: reaction_added is delivered (None if they had already reacted)."""
        with self.ws.lock:
            ch = self._channel(channel_id)
            if not add_reaction(self.ws, ch, self.ws.get_message(ch, ts), user_id, name.strip(":")):
                return None
        return self._flush_sync()

    def remove_reaction(self, user_id: str, channel_id: str, ts: str, name: str) -> Response | None:
        """A human removes a reaction: reaction_removed is delivered (None if there was none)."""
        with self.ws.lock:
            ch = self._channel(channel_id)
            if not remove_reaction(self.ws, ch, self.ws.get_message(ch, ts), user_id, name.strip(":")):
                return None
        return self._flush_sync()

    # raw ---------------------------------------------------------------------
    def send_event(self, event: dict[str, Any], *, retry_num: int | None = None, retry_reason: str | None = None,
                   event_id: str | None = None) -> Response:
        """Wrap an inner event in an event_callback envelope and deliver it now."""
        env = envelope(self.ws, event, event_id)
        resp = self._deliver_event(env, retry_num, retry_reason)
        self._dispatcher.record(env, resp, retry_num)
        return resp

    def send_raw(self, body: bytes, content_type: str, *, timestamp: str | int | None = None,
                 signature: str | None = None, headers: dict[str, str] | None = None) -> Response:
        """POST arbitrary bytes to app_url over HTTP (signed correctly unless signature is given)."""
        if not self.app_url:
            raise RuntimeError("no app_url set")
        ts = None if timestamp is None else str(timestamp)
        return post_signed(self.app_url, body, content_type, self.signing_secret, timestamp=ts,
                           sig=signature, headers=headers, timeout=self.http_timeout)


def _rich_text(text: str) -> dict[str, Any]:
    return {"type": "rich_text", "block_id": uuid.uuid4().hex[:5],
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}
