"""Smoke test of workload 10: `python -m bench --quick --only reminders` runs and prints its rows and verdicts
(no timing assertions: figures depend on the machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_reminders_prints_its_rows_and_verdicts() -> None:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "reminders"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "11. 100 reminders due over 10 s, 2 replicas" in out
    assert "11. 100 reminders due at one instant, 2 replicas" in out
    assert "duplicates=0" in out and "missed=0" in out  # exactly once is not a matter of speed
    assert "100 reminders due within one minute, 2 replicas: each within 5 s" in out
