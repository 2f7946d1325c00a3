"""Smoke test of the benchmark: `python -m bench --quick --only declare` runs and prints its table.

No timing assertions: figures depend on the machine; only that the command works end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
