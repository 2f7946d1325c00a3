"""Fixtures for the emulator's own tests: the emulator, a WebClient on it, and a recording fake app."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.emulator import SlackEmulator

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"
SECRET = "test-secret"

# (status, content_type, body) for a received request
Responder = Callable[["Received"], tuple[int, str, bytes]]


@dataclass
class Received:
    """One request the fake app received."""

    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def form(self) -> dict[str, str]:
        """The form fields (slash commands)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def payload(self) -> dict[str, Any]:
        """The parsed JSON: events body, or interactive payload= field."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(self.body)
        return json.loads(self.form["payload"])


@dataclass
class FakeApp:
    """A tiny HTTP app that verifies Slack signatures and records every request."""

    url: str
    received: list[Received] = field(default_factory=list)
    responder: Responder = lambda r: (200, "text/plain", b"")

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """Payloads of received events (by inner event type) or interactive payloads (by type)."""
        out = []
        for r in self.received:
            if r.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") and \
                    "payload" not in r.form:
                continue
            p = r.payload
            if p.get("type") == "event_callback" and p["event"]["type"] == kind:
                out.append(p["event"])
            elif p.get("type") == kind:
                out.append(p)
        return out


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    """A started emulator (signing secret "test-secret")."""
    with SlackEmulator(signing_secret=SECRET) as emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    """slack_sdk's WebClient pointed at the emulator with the bot token."""
    return WebClient(token=emu.bot_token, base_url=emu.api_url)


@pytest.fixture
def app(emu: SlackEmulator) -> Iterator[FakeApp]:
    """A signature-verifying recording app, set as emu.app_url."""
    verifier = SignatureVerifier(SECRET)
    holder: dict[str, FakeApp] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            received = Received(headers, body, verifier.is_valid_request(body, headers))
            fake = holder["app"]
            fake.received.append(received)
            status, ctype, out = fake.responder(received) if received.verified else (
                401, "application/json", b'{"error": "invalid request"}')
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    holder["app"] = FakeApp(f"http://127.0.0.1:{server.server_address[1]}/slack/events")
    emu.app_url = holder["app"].url
    yield holder["app"]
    server.shutdown()
    server.server_close()
