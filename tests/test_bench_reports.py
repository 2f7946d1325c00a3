"""Smoke test of benchmark workload 8: `python -m bench --quick --only reports` runs and prints its row and
verdicts (no timing assertion: figures depend on the machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_reports_prints_its_row_and_verdicts() -> None:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "reports"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "10. stats and report, 10,000 incidents" in out and "stats_90d_s=" in out and "report_html_s=" in out
    assert "/incident stats 90d over 10,000 incidents < 1 s" in out
    assert "full HTML report over 10,000 incidents < 2 s" in out
