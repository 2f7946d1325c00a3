"""Smoke test of the status page workload: `python -m bench --quick --only status` runs and prints its row.

No timing assertion (figures depend on the machine): only that it works end to end and every read got a page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_status_prints_its_row_and_verdict() -> None:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "status"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "8. status page, 1,000 incidents, 20 readers, storm of 400" in out
    assert "incidents=1000, shown=910" in out and "non_200=0" in out and "p99_ms=" in out
    assert "status page, 1,000 incidents, 20 readers during a storm: p99 < 50 ms" in out
