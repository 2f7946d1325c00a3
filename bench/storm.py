"""Workloads 1 and 2: a storm of message events into one incident channel, against the bot and the floor.

The floor is what this machine can do at all: a bare WSGI app on the same server (waitress) that
verifies the Slack signature and inserts the row into the same table of the same database, nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from bench.common import SECRET, bot_stack, summary_ms
from bot.db import make_engine
from bot.incidents.models import Incident
from bot.timeline.models import TimelineMessage
from bot.web.server import HttpServer

SENDERS = 8


def _event(channel: str, user: str, n: int, sender: int) -> bytes:
    ts = f"{1_800_000_000 + n}.{sender:06d}"
    return json.dumps({
        "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": f"EvStorm{sender:02d}{n:06d}", "event_time": int(time.time()),
        "event": {"type": "message", "channel": channel, "user": user, "text": f"storm message {sender}/{n}",
                  "ts": ts, "event_ts": ts, "channel_type": "channel", "client_msg_id": f"c-{sender}-{n}"},
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
    }).encode()


def _send_all(port: int, channel: str, user: str, total: int) -> tuple[list[float], float, int]:
    """Send `total` signed events from SENDERS threads over keep-alive connections; (latencies, seconds, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_sender = total // SENDERS

    def sender(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        for n in range(per_sender):
            body = _event(channel, user, n, i)
            stamp = str(int(time.time()))
            sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body, headers={
                "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, errors[0]


def _wait_stored(engine: Engine, incident_id: int, total: int, timeout: float = 120) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    while time.perf_counter() - started < timeout:
        with engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(TimelineMessage)
                                .where(TimelineMessage.incident_id == incident_id)) or 0
        if count >= total:
            break
        time.sleep(0.02)
    return count, time.perf_counter() - started


def _figures(latencies: list[float], sent_s: float, stored: int, stored_s: float, total: int,
             errors: int, duplicates: int) -> dict[str, Any]:
    ms = summary_ms(latencies)
    return {"ack_p50_ms": ms["p50"], "ack_p99_ms": ms["p99"], "ack_max_ms": ms["max"],
            "events_per_s": total / (sent_s + stored_s), "stored": stored, "duplicates": duplicates,
            "non_2xx": errors}


def bot_storm(database_url: str, total: int) -> dict[str, Any]:
    """Workload 1: the bot, an incident channel declared through the real flow, `total` events."""
    with bot_stack(database_url) as stack:
        emu = stack.emu
        emu.emit_events = False
        alice = emu.user_id("alice")
        emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Storm target")
        incident = emu.wait_for(lambda: _ready_incident(stack), timeout=30)
        server = stack.runtime.server
        assert server is not None
        latencies, sent_s, errors = _send_all(server.port, incident["channel_id"], alice, total)
        stored, stored_s = _wait_stored(stack.runtime.engine, incident["id"], total)
        time.sleep(0.5)
        duplicates = _duplicates(stack.runtime.engine, incident["id"])
    return _figures(latencies, sent_s, stored, stored_s, total, errors, duplicates)


def _ready_incident(stack: Any) -> dict[str, Any] | None:
    with stack.runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT id, channel_id FROM incidents WHERE setup_state = 'ready'")).first()
    return {"id": row[0], "channel_id": row[1]} if row else None


def _duplicates(engine: Engine, incident_id: int) -> int:
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(TimelineMessage)
                           .where(TimelineMessage.incident_id == incident_id)) or 0
        distinct = conn.scalar(select(func.count(func.distinct(TimelineMessage.ts)))
                               .where(TimelineMessage.incident_id == incident_id)) or 0
    return int(rows - distinct)


def _floor_app(engine: Engine, incident_id: int) -> Callable[..., Any]:
    """Verify the signature, insert the row, answer 200: the least any capturing server must do."""
    key = SECRET.encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0")
        expected = "v0=" + hmac.new(key, f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        if abs(time.time() - int(stamp)) > 300 or not hmac.compare_digest(
                expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
            start_response("401 Unauthorized", [("Content-Length", "0")])
            return [b""]
        event = json.loads(body)["event"]
        with engine.begin() as conn:
            conn.execute(insert(TimelineMessage).values(
                incident_id=incident_id, channel_id=event["channel"], ts=event["ts"], user_id=event["user"],
                text=event["text"], posted_at=datetime.now(UTC), is_key=False))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    return app


def floor_storm(database_url: str, total: int) -> dict[str, Any]:
    """Workload 2: the same storm against the floor server on the same database."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        incident_id = conn.execute(insert(Incident).values(
            number=1, title="Floor", description="", severity="SEV3", status="investigating", is_private=False,
            is_drill=False, reporter_id="U1", declared_at=datetime.now(UTC), setup_state="ready",
            channel_id="CFLOOR").returning(Incident.id)).scalar_one()
    server = HttpServer(_floor_app(engine, incident_id), "127.0.0.1", 0).start()
    try:
        latencies, sent_s, errors = _send_all(server.port, "CFLOOR", "U1", total)
        stored, stored_s = _wait_stored(engine, incident_id, total)
        duplicates = _duplicates(engine, incident_id)
    finally:
        server.stop()
        engine.dispose()
    return _figures(latencies, sent_s, stored, stored_s, total, errors, duplicates)
