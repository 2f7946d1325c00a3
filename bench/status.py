"""Workload 8: the status page with 1,000 incidents in the database, read by 20 concurrent readers while a
message storm runs into another incident's channel.

The incidents are bulk-inserted (no Slack involved): most of them published (three public updates each),
open and resolved within the 90-day window, plus private ones, drills and unpublished ones the page must
leave out. The bot is started as `serve` starts it, one incident is declared through the real flow, and
after a first request (which renders the page's copy, as the first request after a start does) the
storm (bench/load.py, a process of its own) is sent into its channel while 20 readers in another
process of their own (`python -m bench.status`, keep-alive connections, each waiting for its answer,
asking for gzip as browsers do, never sending an ETag back, so every answer is a whole page) GET
`/status`, `/status.json` and `/status.atom` in turn until the storm is over. Reported: the readers'
latency p50/p99/max, requests, the pages' sizes, and the cost of one render from the database (what a
reader pays when the short-lived copy has just expired), the median of a few.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.common import SECRET, bot_stack, percentile, summary_ms
from bench.load import Sent, load_generator
from bench.storm import _ready_incident
from bot.db import make_engine, utcnow
from bot.incidents.models import Incident
from bot.statuspage.models import PublicUpdate
from bot.web.status import PATHS, StatusPages

INCIDENTS = 1000
READERS = 20


def seed(database_url: str, count: int = INCIDENTS) -> int:
    """Insert `count` incidents (numbered from 1,000 up, clear of the bot's own); returns how many the page shows."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for n in range(count):
        declared = now - timedelta(days=n % 85, hours=n % 24)
        open_ = n % 10 == 0
        rows.append({"number": 1000 + n, "title": f"Incident {n}: checkout <errors> & slow search",
                     "description": "", "severity": f"SEV{1 + n % 4}", "status": "monitoring" if open_ else "closed",
                     "is_private": n % 50 == 7, "is_drill": n % 50 == 9, "reporter_id": "U0BENCH",
                     "declared_at": declared, "resolved_at": None if open_ else declared + timedelta(hours=2),
                     "closed_at": None if open_ else declared + timedelta(hours=3),
                     "service": "checkout-api" if n % 3 == 0 else None, "setup_state": "ready"})
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Incident), rows)
            ids = list(conn.execute(select(Incident.id, Incident.number, Incident.declared_at)))
            updates = [{"incident_id": i, "text": f"Update {k} on #{number}: we are on it; next update in 30 minutes.",
                        "posted_by": "U0BENCH", "posted_at": declared + timedelta(minutes=10 * k)}
                       for i, number, declared in ids if number % 20 != 5 for k in range(3)]
            conn.execute(insert(PublicUpdate), updates)
    finally:
        engine.dispose()
    return sum(1 for n in range(count) if n % 20 != 5 and n % 50 not in (7, 9))


def _reader(port: int, until: threading.Event, latencies: list[float], errors: list[int], sizes: dict[str, int],
            offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    paths = list(PATHS)
    n = offset
    while not until.is_set():
        path = paths[n % len(paths)]
        n += 1
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})  # as browsers and feed readers do
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - started)
        sizes[path] = len(body)
        if response.status != 200:
            errors.append(response.status)
    conn.close()


def _get(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    assert conn.getresponse().status == 200
    conn.close()


def read(port: int, readers: int, stop_file: Path) -> dict[str, Any]:
    """`readers` threads reading the pages until `stop_file` exists: their latencies (s), errors, sizes."""
    until = threading.Event()
    latencies: list[float] = []
    errors: list[int] = []
    sizes: dict[str, int] = {}
    threads = [threading.Thread(target=_reader, args=(port, until, latencies, errors, sizes, i))
               for i in range(readers)]
    for t in threads:
        t.start()
    print("ready", flush=True)
    while not stop_file.exists():
        time.sleep(0.05)
    until.set()
    for t in threads:
        t.join(timeout=60)
    return {"latencies": latencies, "errors": len(errors), "sizes": sizes}


def status_page(database_url: str, storm: int, readers: int = READERS) -> dict[str, Any]:
    """Workload 8: seed, serve, storm and read at once; the readers' figures and one render's cost."""
    shown = seed(database_url)
    with load_generator() as pool, bot_stack(database_url) as stack:
        emu = stack.emu
        emu.emit_events = False
        alice = emu.user_id("alice")
        emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Storm target")
        incident = emu.wait_for(lambda: _ready_incident(stack), timeout=30)
        assert incident is not None and stack.runtime.server is not None
        port = stack.runtime.server.port
        pages = StatusPages(stack.runtime.sessions, stack.runtime.settings.incident, utcnow)
        renders = []
        for _ in range(5):
            started = time.perf_counter()
            pages.refresh()
            renders.append(time.perf_counter() - started)
        stop = Path(f"/tmp/bench-status-stop-{port}")
        stop.unlink(missing_ok=True)
        _get(port, "/status")  # the first request after start renders the copy; a deployment pays it once
        reading = subprocess.Popen([sys.executable, "-m", "bench.status", str(port), str(readers), str(stop)],
                                   stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
        assert reading.stdout is not None and reading.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # the readers are reading before the storm starts
        sent: Sent = pool.send_all(port, incident["channel_id"], alice, storm, SECRET)
        time.sleep(0.5)
        stop.touch()
        out, _ = reading.communicate(timeout=120)
        stop.unlink(missing_ok=True)
    result = json.loads(out)
    ms = summary_ms(result["latencies"])
    return {"incidents": INCIDENTS, "shown": shown, "readers": readers, "requests": len(result["latencies"]),
            "p50_ms": ms["p50"], "p99_ms": ms["p99"], "max_ms": ms["max"], "non_200": result["errors"],
            "html_gzip_kib": result["sizes"].get("/status", 0) / 1024,
            "render_ms": percentile(renders, 50) * 1000, "storm_events": storm,
            "storm_ack_p99_ms": summary_ms(sent.latencies)["p99"]}


if __name__ == "__main__":
    print(json.dumps(read(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))), flush=True)
