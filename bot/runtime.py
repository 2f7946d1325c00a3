"""A running bot: engine, sessions, Slack client and Bolt app built from Settings, and its HTTP server."""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy import Engine

from bot.app import Jobs, create_app, make_resumer, make_scheduler, make_slack_client, make_timeline, make_triage
from bot.config import ConfigError, Settings
from bot.db import current_revision, head_revision, make_engine, make_sessions, migrate, utcnow
from bot.slack.fastpath import EventFastPath
from bot.web.alerts import AlertHooks
from bot.web.metrics import Metrics
from bot.web.server import HttpServer
from bot.web.status import StatusPages
from bot.web.wsgi import make_wsgi, read_body


class SchemaBehind(ConfigError):
    """The database is not at the newest migration."""


class SocketModeReceiver:
    """Slack requests over Socket Mode (Bolt's built-in client), with the stop that SIGTERM needs.

    The client's own close drops the TCP connection first and only then waits for the envelopes being
    handled, whose acks then have no socket to go out on; and it never sends a WebSocket close frame, so
    Slack sees a dropped connection rather than a goodbye."""

    def __init__(self, app: App, app_token: str) -> None:
        self.handler = SocketModeHandler(app, app_token)

    def connect(self) -> None:
        """Open the connection (apps.connections.open, then the WebSocket)."""
        self.handler.connect()

    def close(self, timeout: float = 2.0) -> None:
        """Take no more envelopes (one not yet taken stays unacknowledged, and Slack sends it again), let
        those being handled finish and send their acks over the still open socket, then close the
        WebSocket with a close frame (1000) and wait up to `timeout` s for Slack's reply to it."""
        client = self.handler.client
        client.auto_reconnect_enabled = client.default_auto_reconnect_enabled = False
        client.closed = True  # ends the loop that hands received envelopes to the workers
        client.message_processor.shutdown()
        client.message_workers.shutdown(wait=True)
        session = client.current_session
        if session is not None and session.is_active():
            with session.sock_send_lock:
                if session.sock is not None:
                    session.sock.send(close_frame(1000))
            deadline = time.monotonic() + timeout
            while session.is_active() and time.monotonic() < deadline:  # the reader drops it on the reply
                time.sleep(0.01)
        client.close()


def close_frame(code: int) -> bytes:
    """A client's WebSocket close frame (RFC 6455 5.5.1): FIN + opcode 8, masked 2-byte status code."""
    payload, mask = struct.pack("!H", code), os.urandom(4)
    return bytes([0x88, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class BotRuntime:
    """Everything `serve`, the demo and the tests run: built once from Settings."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.engine: Engine = make_engine(settings.database_url)
        self.sessions = make_sessions(self.engine)
        self.slack_client = make_slack_client(settings)
        self.metrics = Metrics(self.sessions)  # this process's own registry, served on GET /metrics
        self.slack_client.meter = self.metrics
        self.timeline = make_timeline(settings, self.sessions, self.slack_client, clock)
        self.jobs = Jobs()
        self.clock = clock
        self.triage = make_triage(settings, self.sessions, self.slack_client, clock)
        self.app: App = create_app(settings, sessions=self.sessions, slack_client=self.slack_client, clock=clock,
                                   timeline=self.timeline, jobs=self.jobs, triage=self.triage)
        self.resumer = make_resumer(settings, self.sessions, self.slack_client, clock)
        self.scheduler = make_scheduler(settings, self.sessions, self.slack_client, clock)
        self.server: HttpServer | None = None
        self.socket_mode: SocketModeReceiver | None = None

    def migrate(self) -> None:
        """Bring the database to the newest revision."""
        migrate(self.engine)

    def require_current_schema(self) -> None:
        """Refuse to run on a database behind the newest migration."""
        current, head = current_revision(self.engine), head_revision(self.engine)
        if current != head:
            state = "has never been migrated" if current is None else f"is at revision {current}"
            raise SchemaBehind(f"the database {state}, the newest is {head}: run `incident-bot migrate` first")

    def http(self, host: str, port: int, *, slack_over_http: bool = True) -> HttpServer:
        """The HTTP server: Slack requests (unless Socket Mode carries them) and /healthz."""
        fast = None
        if slack_over_http and self.settings.slack_signing_secret:
            fast = EventFastPath(self.settings.slack_signing_secret, self.timeline,
                                 self.settings.incident.key_reaction).handle
        credentials = self.slack_client.credentials
        pages = StatusPages(self.sessions, self.settings.incident, self.clock, enabled=self.settings.status_page,
                            public_url=self.settings.public_url)
        alerts = AlertHooks(self.settings, self.sessions, self.triage, self.clock, read_body)
        self.server = HttpServer(make_wsgi(self.app if slack_over_http else None, self.engine, fast_events=fast,
                                           slack_problem=lambda: credentials.problem, status_pages=pages,
                                           alerts=alerts, metrics=self.metrics), host, port)
        return self.server

    def connect_socket_mode(self) -> SocketModeReceiver:
        """Receive Slack requests over Socket Mode (SLACK_APP_TOKEN) instead of HTTP."""
        self.socket_mode = SocketModeReceiver(self.app, self.settings.slack_app_token)
        self.socket_mode.connect()
        return self.socket_mode

    def start(self) -> Future[int]:
        """Background work that starts with the bot: declarations cut short by a crash or restart are
        resumed (then watched for every 30 s), due reminders, escalations and SLA checks are done (the
        scheduler looks at least every 2 s), and the timeline of every open incident is caught up (messages
        sent while it was down), each in a thread of its own; the future tells when the catch-up is done. The
        alert triage desk starts too, telling what an earlier run left owed."""
        caught_up = self.timeline.start()  # first: its start time is what replicas compare to share the reads
        self.resumer.start()
        self.scheduler.start()
        self.triage.start()
        return caught_up

    def close(self, timeout: float = 10.0) -> bool:
        """Stop serving (HTTP, and Socket Mode after the acks in flight went out), let work in flight finish
        (up to `timeout` s), store the timeline values already queued, release connections. False when
        some work was still running: it stays resumable."""
        if self.server is not None:
            self.server.stop()
        if self.socket_mode is not None:
            self.socket_mode.close()
        finished = self.resumer.stop(timeout)
        finished = self.scheduler.stop(timeout) and finished
        finished = self.triage.stop(timeout) and finished
        finished = self.jobs.drain(timeout) and finished
        self.timeline.close()
        self.engine.dispose()
        return finished
