"""Socket Mode: a WebSocket server the app connects to after apps.connections.open."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.http11 import Response as WsResponse
from websockets.sync.server import Server, ServerConnection, serve

from .delivery import Response

log = logging.getLogger("bot.emulator.socket_mode")


class SocketModeServer:
    """Accepts ws://127.0.0.1:PORT/link/?ticket=... connections and exchanges envelopes."""

    def __init__(self, app_id: str, ack_timeout: float = 3.0) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self._lock = threading.Lock()
        self._tickets: set[str] = set()
        self._conns: list[ServerConnection] = []
        # how each app connection ended: the close code the app sent, None if it dropped the TCP connection
        self._closes: list[int | None] = []
        # envelope_id -> (ack arrived or connection gone, (arrival time, ack)s, the connection it went out on)
        self._pending: dict[str, tuple[threading.Event, list[tuple[float, dict[str, Any]]], ServerConnection]] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def start(self) -> None:
        """Bind 127.0.0.1:0 and serve in a daemon thread."""
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None, ping_interval=0.5, ping_timeout=20,
                             process_request=self._check_ticket, logger=log)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="emu-socket-mode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close all connections and the listening socket."""
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            conn.close()
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def new_url(self) -> str:
        """A fresh single-use ticket URL, as apps.connections.open returns."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def connected(self) -> bool:
        """True while at least one app connection is open."""
        with self._lock:
            return bool(self._conns)

    def closes(self) -> list[int | None]:
        """How each app connection ended, oldest first (see SlackEmulator.socket_closes)."""
        with self._lock:
            return list(self._closes)

    def disconnect_all(self, reason: str = "refresh_requested") -> None:
        """Send {"type":"disconnect"} and close every connection."""
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.send(json.dumps({"type": "disconnect", "reason": reason,
                                      "debug_info": {"host": "emulator"}}))
                conn.close()
            except ConnectionClosed:
                pass

    def _check_ticket(self, conn: ServerConnection, request: Request) -> WsResponse | None:
        parsed = urlparse(request.path)
        ticket = (parse_qs(parsed.query).get("ticket") or [""])[0]
        with self._lock:
            valid = parsed.path.rstrip("/") == "/link" and ticket in self._tickets
            self._tickets.discard(ticket)
        if valid:
            return None
        return WsResponse(401, "Unauthorized", Headers([("Content-Length", "14")]), b"invalid_ticket")

    def _handle(self, conn: ServerConnection) -> None:
        with self._lock:
            self._conns.append(conn)
            count = len(self._conns)
        try:
            conn.send(json.dumps({
                "type": "hello", "num_connections": count,
                "debug_info": {"host": "applink-emulator", "build_number": 1,
                               "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id}}))
            for raw in conn:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)
                close = conn.protocol.close_rcvd
                self._closes.append(close.code if close is not None else None)
                for waiter in self._pending.values():
                    if waiter[2] is conn:
                        waiter[0].set()  # no ack will come over a closed connection

    def _on_message(self, raw: str | bytes) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        with self._lock:
            waiter = self._pending.get(str(msg.get("envelope_id", "")))
        if waiter is not None:
            waiter[1].append((time.monotonic(), msg))  # timed on arrival, not when the sender wakes up
            waiter[0].set()

    def send(self, envelope_type: str, payload: dict[str, Any], accepts_response_payload: bool,
             retry_attempt: int = 0, retry_reason: str = "") -> Response:
        """Send an envelope to the newest connection and wait for its ack (up to ack_timeout)."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": accepts_response_payload,
                    "retry_attempt": retry_attempt, "retry_reason": retry_reason}
        event = threading.Event()
        acks: list[tuple[float, dict[str, Any]]] = []
        with self._lock:
            conn = self._conns[-1] if self._conns else None
            if conn is None:
                return Response(0, {}, b"", 0.0, error="no socket mode connection")
            self._pending[envelope_id] = (event, acks, conn)
        start = time.monotonic()
        try:
            try:
                conn.send(json.dumps(envelope))
            except ConnectionClosed as e:
                return Response(0, {}, b"", time.monotonic() - start, error=str(e))
            if not event.wait(self.ack_timeout):
                return Response(504, {}, b"", time.monotonic() - start, error="no ack within 3 seconds")
        finally:
            with self._lock:
                self._pending.pop(envelope_id, None)
        if not acks:
            return Response(0, {}, b"", time.monotonic() - start, error="connection closed before the ack")
        arrived, ack = acks[0]
        body = json.dumps(ack["payload"]).encode() if ack.get("payload") is not None else b""
        headers = {"content-type": "application/json"} if body else {}
        return Response(200, headers, body, arrived - start)  # from sending the envelope to its ack
