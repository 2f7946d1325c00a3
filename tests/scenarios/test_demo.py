"""`incident-bot demo` as a new user runs it: what it prints is what Slack would show, without log noise,
and it waits for what it then prints (the 📌 key message, the status-change post)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.conftest import scratch_postgres


def box(out: str, title: str) -> str:
    """The lines of the box the demo printed under `title`."""
    return out.split(f"┌ {title}\n", 1)[1].split("  └", 1)[0]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_demo_prints_what_slack_would_show_and_nothing_else(backend: str, tmp_path: Path) -> None:
    args = [sys.executable, "-m", "bot", "demo", "--output", str(tmp_path / "demo")]
    with scratch_postgres("incident_bot_demo", migrated=False) if backend == "postgres" else nullcontext() as url:
        result = subprocess.run([*args, *(["--database-url", url] if url else [])], cwd=tmp_path,
                                env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"},
                                capture_output=True, text=True, timeout=240)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "<!date" not in out and "T2" not in box(out, "the incident card, edited in place")  # no ISO fallback
    assert "Declared Today at " in box(out, "incident card in #inc-1-checkout-api-returning-500s")
    assert "WARNING" not in out + result.stderr and "Task queue depth" not in out + result.stderr
    assert "@bob: Errors started right after release 412 went out" in box(out, "/incident timeline (ephemeral)")
    assert "@bob moved the status: investigating → *monitoring*" in box(out, "posted in the channel")
    written = out.rsplit("Postmortem written to ", 1)[1].split("\n", 1)[0]
    postmortem = Path(written).read_text()
    assert "Detected by: **A customer report**." in postmortem and "| Users affected | 1,800 |" in postmortem
    assert "| Run migrations with lock timeouts | prevent | P2 |" in postmortem

