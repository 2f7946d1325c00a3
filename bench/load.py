"""The storm's load generator: SENDERS threads posting signed message events, in a process of its own.

It runs in a separate (spawned) process so that building, signing and parsing requests does not share
the server's interpreter lock: what the server's figures show is the server. It imports nothing of the
bot, so the process starts quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

SENDERS = 8


@dataclass(frozen=True)
class Sent:
    """What the senders saw: one latency per request (seconds), wall-clock start/end, non-2xx answers."""

    latencies: list[float]
    started_at: float
    ended_at: float
    errors: int

    @property
    def seconds(self) -> float:
        """From the first request out to the last answer in."""
        return self.ended_at - self.started_at


def message_ts(n: int, sender: int) -> str:
    """The Slack ts of sender `sender`'s `n`-th message (unique across the storm)."""
    return f"{1_800_000_000 + n}.{sender:06d}"


def expected_ts(total: int) -> set[str]:
    """Every ts a storm of `total` events sends."""
    return {message_ts(n, i) for i in range(SENDERS) for n in range(total // SENDERS)}


def message_event(channel: str, user: str, n: int, sender: int) -> dict[str, object]:
    """The inner message event of sender `sender`'s `n`-th message (the same over HTTP and Socket Mode)."""
    ts = message_ts(n, sender)
    return {"type": "message", "channel": channel, "user": user, "text": f"storm message {sender}/{n}",
            "ts": ts, "event_ts": ts, "channel_type": "channel", "client_msg_id": f"c-{sender}-{n}"}


def _event(channel: str, user: str, n: int, sender: int) -> bytes:
    return json.dumps({
        "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": f"EvStorm{sender:02d}{n:06d}", "event_time": int(time.time()),
        "event": message_event(channel, user, n, sender),
        "authorizations": [{"team_id": "T0001", "user_id": "UBOT", "is_bot": True}],
    }).encode()


def run_senders(send: Callable[[int], tuple[list[float], int]], name: str = "sender") -> Sent:
    """SENDERS threads released together; sender i's `send(i)` gives its latencies and how many failed."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    go = threading.Event()

    def run(i: int) -> None:
        go.wait()
        mine, failed = send(i)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=run, args=(i,), name=f"{name}-{i}") for i in range(SENDERS)]
    for t in threads:
        t.start()
    started_at = time.time()
    go.set()
    for t in threads:
        t.join()
    return Sent(latencies, started_at, time.time(), errors[0])


def send_all(port: int, channel: str, user: str, total: int, secret: str, start: int = 0) -> Sent:
    """Send `total` signed events from SENDERS threads over keep-alive connections (runs in the child);
    each sender's messages are numbered from `start` (a long storm sent in slices continues the count)."""
    per_sender = total // SENDERS

    def sender(i: int) -> tuple[list[float], int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        bodies = [_event(channel, user, n, i) for n in range(start, start + per_sender)]
        mine: list[float] = []
        failed = 0
        for body in bodies:
            stamp = str(int(time.time()))
            sig = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body, headers={
                "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                failed += 1
        conn.close()
        return mine, failed

    return run_senders(sender)


class LoadGenerator:
    """A started `python -m bench.load` process: one JSON job per line in, one JSON result per line out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def send_all(self, port: int, channel: str, user: str, total: int, secret: str, start: int = 0) -> Sent:
        """Run `send_all` in the generator process and wait for its result."""
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {"port": port, "channel": channel, "user": user, "total": total, "secret": secret, "start": start}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator exited ({self.process.poll()})")
        return Sent(**json.loads(line))


@contextmanager
def load_generator() -> Iterator[LoadGenerator]:
    """A load-generator process of its own, ready when this returns (a plain subprocess, not
    multiprocessing: nothing of the parent's __main__ is re-imported, so it works under any runner)."""
    process = subprocess.Popen([sys.executable, "-m", "bench.load"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("the load generator did not start")
        yield LoadGenerator(process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _serve() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        sent = send_all(**json.loads(line))
        print(json.dumps(asdict(sent)), flush=True)


if __name__ == "__main__":
    _serve()
