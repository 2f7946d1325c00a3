"""Workload 8: an alert storm, 1,000 alerts in 10 s over 50 groups from several senders, through
`POST /hooks/alerts/generic`: webhook latency, the share accepted, triage messages posted, and the time until
the last triage message shows its group as stored."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

from sqlalchemy import func, select

from bench.common import SECRET, summary_ms
from bot.alerts.models import AlertGroup
from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.runtime import BotRuntime

TOKEN = "bench-alert-token-0123456789"
SENDERS = 5


def _send(url: str, body: dict[str, Any]) -> tuple[float, int, int]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
        return time.perf_counter() - started, response.status, int(answer.get("accepted", 0))


def _all_told(runtime: BotRuntime, groups: int) -> bool:
    with runtime.sessions() as s:
        told = s.scalar(select(func.count()).select_from(AlertGroup).where(
            AlertGroup.told_version == AlertGroup.version, AlertGroup.message_ts.is_not(None)))
    return told == groups


def alert_storm(database_url: str, total: int = 1000, groups: int = 50, seconds: float = 10.0) -> dict[str, Any]:
    """Send the storm from SENDERS threads, evenly over `seconds`; wait for the triage to be told."""
    with SlackEmulator(signing_secret=SECRET) as emu:
        settings = Settings(database_url=database_url, slack_bot_token=emu.bot_token, slack_signing_secret=SECRET,
                            slack_api_url=emu.api_url, announce_channel=emu.channel_id("incidents"),
                            alert_token=TOKEN)
        runtime = BotRuntime(settings)
        try:
            server = runtime.http("127.0.0.1", 0).start()
            runtime.start().result(timeout=30)
            url = f"{server.url}/hooks/alerts/generic"
            latencies: list[float] = []
            statuses: list[int] = []
            accepted = [0]
            lock = threading.Lock()
            start = time.perf_counter()

            def sender(n: int) -> None:
                for i in range(n, total, SENDERS):
                    due = start + seconds * i / total
                    time.sleep(max(0.0, due - time.perf_counter()))
                    took, status, ok = _send(url, {"title": f"Service {i % groups} errors", "status": "firing",
                                                   "dedup_key": f"alert-{i}", "group": f"group-{i % groups}",
                                                   "severity": "warning"})
                    with lock:
                        latencies.append(took)
                        statuses.append(status)
                        accepted[0] += ok

            threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            emu.wait_for(lambda: _all_told(runtime, groups), timeout=300, interval=0.2)
            correct_s = time.perf_counter() - start
            channel = emu.channel_id("incidents")
            posted = [m for m in emu.messages(channel, include_replies=False)
                      if (m.get("metadata") or {}).get("event_type") == "alert_triage"]
            ms = summary_ms(latencies)
            return {"sent": total, "p50_ms": ms["p50"], "p99_ms": ms["p99"],
                    "accepted_share": accepted[0] / total, "non_2xx": sum(1 for s in statuses if s // 100 != 2),
                    "triage_messages": len(posted), "edits": len(emu.calls("chat.update")),
                    "last_correct_s": correct_s}
        finally:
            runtime.close()
