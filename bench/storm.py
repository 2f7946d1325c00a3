"""Workloads 1 and 2: a storm of message events into one incident channel, against the bot and the floor.

Eight senders (bench/load.py, in a process of their own) post 2,000 signed message events over
keep-alive connections, each waiting for its answer before sending the next.

The floor is what this machine can do at all: a bare WSGI app on the same server (waitress) that
verifies the Slack signature and inserts the row into the same table of the same database, nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, text

from bench.common import SECRET, Stack, bot_stack, summary_ms
from bench.load import LoadGenerator, Sent, expected_ts, load_generator
from bot.db import make_engine
from bot.incidents.models import Incident
from bot.timeline.models import TimelineMessage
from bot.web.server import HttpServer


def _wait_stored(engine: Engine, incident_id: int, total: int, timeout: float = 120) -> tuple[int, float]:
    """Poll until `total` rows are in the timeline (or `timeout`): (rows, wall-clock time when seen)."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(TimelineMessage)
                                .where(TimelineMessage.incident_id == incident_id)) or 0
        if count >= total:
            break
        time.sleep(0.01)
    return count, time.time()


def _figures(sent: Sent, stored: int, stored_at: float, missing: int, duplicates: int) -> dict[str, Any]:
    """acked/s: answers per second, from the first request out to the last answer in;
    stored/s: rows per second, from the first request out until the last row is visible in the database
    (what capture sustains: the bot answers before it stores, the floor after, so only this one compares
    like with like)."""
    ms = summary_ms(sent.latencies)
    return {"ack_p50_ms": ms["p50"], "ack_p99_ms": ms["p99"], "ack_max_ms": ms["max"],
            "acked_per_s": len(sent.latencies) / sent.seconds,
            "stored_per_s": stored / max(stored_at - sent.started_at, sent.seconds),
            "stored": stored, "missing": missing, "duplicates": duplicates, "non_2xx": sent.errors,
            "all_once": "yes" if missing == 0 and duplicates == 0 and sent.errors == 0 else "NO"}


def _storm(pool: LoadGenerator, engine: Engine, port: int, incident_id: int, channel: str, user: str,
           total: int) -> dict[str, Any]:
    sent = pool.send_all(port, channel, user, total, SECRET)
    stored, stored_at = _wait_stored(engine, incident_id, total)
    time.sleep(0.5)  # a late duplicate would show up by now
    missing, duplicates = _check_once(engine, incident_id, total)
    return _figures(sent, stored, stored_at, missing, duplicates)


def bot_storm(database_url: str, total: int) -> dict[str, Any]:
    """Workload 1: the bot, an incident channel declared through the real flow, `total` events."""
    with load_generator() as pool, bot_stack(database_url) as stack:
        emu = stack.emu
        emu.emit_events = False
        alice = emu.user_id("alice")
        emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Storm target")
        incident = emu.wait_for(lambda: _ready_incident(stack), timeout=30)
        assert incident is not None
        server = stack.runtime.server
        assert server is not None
        return _storm(pool, stack.runtime.engine, server.port, incident["id"], incident["channel_id"], alice, total)


def _ready_incident(stack: Stack) -> dict[str, Any] | None:
    with stack.runtime.engine.connect() as conn:
        row = conn.execute(text("SELECT id, channel_id FROM incidents WHERE setup_state = 'ready'")).first()
    return {"id": row[0], "channel_id": row[1]} if row else None


def _check_once(engine: Engine, incident_id: int, total: int) -> tuple[int, int]:
    """(missing, duplicates or strays): every sent message must be in the timeline exactly once."""
    with engine.connect() as conn:
        stored = list(conn.scalars(select(TimelineMessage.ts).where(TimelineMessage.incident_id == incident_id)))
    expected, unique = expected_ts(total), set(stored)
    return len(expected - unique), len(stored) - len(unique) + len(unique - expected)


def _floor_app(engine: Engine, incident_id: int, serialize: bool) -> Callable[..., Any]:
    """Verify the signature, insert the row, answer 200: the least any capturing server must do.

    With `serialize` (SQLite) the inserts take turns on a lock in the process: SQLite has one writer at
    a time anyway, and waiting on a lock beats its busy handler, which sleeps and polls (1, 2, 5, … 100 ms)
    and so turns contention into a long tail that would flatter the bot."""
    key = SECRET.encode()
    turn = threading.Lock() if serialize else contextlib.nullcontext()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0")
        expected = "v0=" + hmac.new(key, f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        if abs(time.time() - int(stamp)) > 300 or not hmac.compare_digest(
                expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
            start_response("401 Unauthorized", [("Content-Length", "0")])
            return [b""]
        event = json.loads(body)["event"]
        with turn, engine.begin() as conn:
            conn.execute(insert(TimelineMessage).values(
                incident_id=incident_id, channel_id=event["channel"], ts=event["ts"], user_id=event["user"],
                text=event["text"], posted_at=datetime.now(UTC), is_key=False))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    return app


def floor_storm(database_url: str, total: int, serialize: bool | None = None) -> dict[str, Any]:
    """Workload 2: the same storm against the floor server on the same database."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        incident_id = conn.execute(insert(Incident).values(
            number=1, title="Floor", description="", severity="SEV3", status="investigating", is_private=False,
            is_drill=False, reporter_id="U1", declared_at=datetime.now(UTC), setup_state="ready",
            channel_id="CFLOOR").returning(Incident.id)).scalar_one()
    if serialize is None:
        serialize = engine.dialect.name == "sqlite"
    try:
        with load_generator() as pool:
            server = HttpServer(_floor_app(engine, incident_id, serialize), "127.0.0.1", 0).start()
            try:
                return _storm(pool, engine, server.port, incident_id, "CFLOOR", "U1", total)
            finally:
                server.stop()
    finally:
        engine.dispose()
