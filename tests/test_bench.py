"""Smoke tests of the benchmark: `python -m bench --quick --only ...` runs and prints its tables.

No timing assertions: figures depend on the machine; only that the command works end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.alerts import alert_storm
from bench.common import scratch_database

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_declare_prints_the_table() -> None:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "declare"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| workload" in out
    assert "3. declare latency, +0 ms per call" in out
    assert "3. declare latency, +100 ms per call" in out
    assert "total_calls=" in out and "ready_ms=" in out
    assert "| target (product.md) | this run | verdict |" in out
    assert "declare: <= 9 Slack calls in all" in out


def test_bench_quick_socket_mode_and_long_storms_print_their_rows_and_verdicts() -> None:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "socket-storm,long-storm"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "6. Socket Mode storm, 400 from 8 senders" in out and "2. the floor, same storm" in out
    assert "7. long storm, 1600 over Socket Mode in slices of 400" in out
    assert "7. long storm, 1600 over HTTP in slices of 400" in out
    assert "slice_p99_ms=" in out and "peak_rss_mib=" in out and "exit=0" in out
    assert "Socket Mode storm: stored/s >= 0.75 x floor's" in out
    assert "long storm of 1,600 over Socket Mode: last slice's p99 <= 2 x the first's" in out
    assert out.count("all once: yes") == 2  # nothing lost is not a matter of the machine's speed


def test_the_alert_storm_workload_runs_small_and_tells_one_message_per_group() -> None:
    with scratch_database(None) as url:
        figures = alert_storm(url, total=60, groups=4, seconds=1.0)
    assert figures["sent"] == 60 and figures["non_2xx"] == 0 and figures["accepted_share"] == 1
    assert figures["triage_messages"] == 4  # one per group, whatever the machine's speed
    assert figures["p99_ms"] >= figures["p50_ms"] > 0 and figures["last_correct_s"] > 0
