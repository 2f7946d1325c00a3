"""Workload 10: 1,000 open incidents whose update reminders fall due within the same minute, served by two
replicas on one database (PostgreSQL for the figure that counts; SQLite runs it too, one writer).

The incidents, their channels (in the emulator) and their reminder rows are inserted directly, due from
`lead` seconds after the start and spread over `window` seconds (0: all at one instant); then two
`python -m bot serve` processes on the real clock do the work, each with its own engine, Slack client
(and per-channel pacer) and scheduler. The channels are marked as just read back, so the timeline's
start-up catch-up of 1,000 channels (another workload's business) does not run. Nobody holds a role, so
each reminder is one nudge in its channel.
Reported: how late the last nudge was after its due time (and p50/p99), duplicates and missed, the 429s
the emulator answered (Slack's per-channel pace: none expected), and the timeline's `reminder_sent` rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import SECRET, percentile
from bot.db import make_engine
from bot.emulator import SlackEmulator
from bot.incidents import timers
from bot.incidents.models import Incident
from bot.scheduling.models import JobState, ScheduledJob
from bot.timeline.models import CatchUpClaim, TimelineEvent

NUDGE = "an update on"
EVERY = timedelta(minutes=30)


def seed(emu: SlackEmulator, database_url: str, count: int, first_due: datetime, window: float) -> dict[str, float]:
    """`count` open incidents with ready channels and reminders due from `first_due` over `window` s;
    returns each channel's due time (epoch seconds)."""
    channels = [emu.add_channel(f"inc-{9000 + n}-bench") for n in range(count)]
    due = [first_due + timedelta(seconds=window * n / max(count - 1, 1)) for n in range(count)]
    rows: list[dict[str, Any]] = [
        {"number": 9000 + n, "title": f"Bench incident {n}", "description": "", "severity": "SEV3",
         "status": "investigating", "reporter_id": "U0BENCH", "declared_at": due[n] - EVERY, "channel_id": channels[n],
         "channel_name": f"inc-{9000 + n}-bench", "setup_state": "ready", "update_due_at": due[n]}
        for n in range(count)]
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Incident), rows)
            ids = dict(conn.execute(select(Incident.number, Incident.id)).all())
            conn.execute(insert(ScheduledJob), [
                {"key": timers.reminder_key(ids[9000 + n]), "kind": timers.REMINDER, "incident_id": ids[9000 + n],
                 "due_at": due[n], "state": JobState.PENDING, "attempts": 0} for n in range(count)])
            read = datetime.now(UTC) + timedelta(hours=1)  # "read back after you started": nothing to catch up
            conn.execute(insert(CatchUpClaim), [{"channel_id": c, "read_at": read} for c in channels])
    finally:
        engine.dispose()
    return {channels[n]: due[n].timestamp() for n in range(count)}


def _figures(emu: SlackEmulator, due: dict[str, float], database_url: str) -> dict[str, Any]:
    late: list[float] = []
    posted: Counter[str] = Counter()
    for channel, at in due.items():
        for m in emu.messages(channel):
            if m.get("bot_id") and NUDGE in m.get("text", ""):
                posted[channel] += 1
                if posted[channel] == 1:
                    late.append(float(m["ts"]) - at)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        recorded = conn.scalar(select(func.count()).select_from(TimelineEvent).where(
            TimelineEvent.kind == "reminder_sent"))
    engine.dispose()
    throttled = sum(1 for c in emu.calls("chat.postMessage") if c.status == 429)
    return {"reminders": len(due), "posted": sum(posted.values()), "missed": len(due) - len(posted),
            "duplicates": sum(n - 1 for n in posted.values()), "late_last_s": max(late, default=float("nan")),
            "late_p50_s": percentile(late, 50), "late_p99_s": percentile(late, 99), "http_429": throttled,
            "recorded": recorded}


def reminder_burst(database_url: str, count: int = 1000, *, replicas: int = 2, lead: float = 20.0,
                   window: float = 60.0) -> dict[str, Any]:
    """Seed, start `replicas` serve processes, wait until every nudge is posted (or a minute after the last
    due time), stop them (SIGTERM), report."""
    with SlackEmulator(signing_secret=SECRET) as emu, tempfile.TemporaryDirectory() as tmp:
        first_due = datetime.now(UTC) + timedelta(seconds=lead)
        due = seed(emu, database_url, count, first_due, window)
        config = Path(tmp) / "incident.yml"
        config.write_text(f"update_every: {{SEV3: {int(EVERY.total_seconds() // 60)}m}}\n")
        processes = [_serve(emu, database_url, config, Path(tmp) / f"replica-{n}.log") for n in range(replicas)]
        try:
            for process, port in processes:
                _wait_healthy(process, port)
            deadline = max(due.values()) + 60
            while time.time() < deadline and len(_posted(emu, due)) < count:
                time.sleep(0.5)
            time.sleep(2)  # a duplicate would come now
        finally:
            for process, _ in processes:
                process.terminate()
            for process, _ in processes:
                process.wait(timeout=60)
        return _figures(emu, due, database_url)


def _serve(emu: SlackEmulator, database_url: str, config: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": emu.bot_token, "SLACK_APP_TOKEN": "",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": emu.api_url, "INCIDENT_BOT_CONFIG": str(config),
           "INCIDENT_ANNOUNCE_CHANNEL": emu.channel_id("incidents"), "HOST": "127.0.0.1", "PORT": str(port)}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=out,
                                stderr=subprocess.STDOUT), port


def _wait_healthy(process: subprocess.Popen[bytes], port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"a replica did not come up (exit {process.poll()})")


def _posted(emu: SlackEmulator, due: dict[str, float]) -> set[str]:
    return {c.args.get("channel", "") for c in emu.calls("chat.postMessage") if c.status == 200} & set(due)
