"""The status page in a real browser: headless Chromium against the running bot.

Chromium comes from Debian's packages (`.ci/run` installs `chromium` when missing). Locally the test is
skipped without it; with CI set it must run, so it fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Harness
from tests.scenarios.status_helpers import wait_page
from tests.scenarios.steering_helpers import command, declare, wait_post

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server",
         "--enable-logging=stderr", "--v=0")
SHARED_SCREENSHOT = Path("/tmp/status-page.png")


def chromium() -> str:
    """The Chromium binary; skipped locally when absent, a failure when CI is set."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required when CI is set (.ci/run installs it: apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")
    return found


def browse(binary: str, url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once on `url`, with a new empty profile."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *extra, url], capture_output=True,
                          text=True, timeout=120, check=False)


def console_lines(stderr: str) -> list[str]:
    """What the page wrote to the browser console (Chromium logs each message as CONSOLE)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_headless_chromium_shows_the_public_update_and_nothing_hidden(bot: Harness, tmp_path: Path) -> None:
    binary = chromium()
    live = declare(bot, title="Checkout errors for EU customers")
    command(bot, "alice", live, "service checkout-api")
    command(bot, "alice", live, "update Internal: the 4521 deploy looks guilty")
    command(bot, "alice", live, "update --public Some payments fail; we are rolling back the latest release")
    wait_post(bot, live.channel_id or "", "rolling back the latest release")
    hidden = declare(bot, title="Credential leak in staging", flags="--private")
    command(bot, "alice", hidden, "update Rotating every key")
    wait_post(bot, hidden.channel_id or "", "Rotating every key")
    wait_page(bot, "rolling back the latest release")
    assert bot.runtime.server is not None
    url = f"{bot.runtime.server.url}/status"

    dom = browse(binary, url, tmp_path, "--dump-dom")
    shot = tmp_path / "status-page.png"
    pictured = browse(binary, url, tmp_path, f"--screenshot={shot}", "--window-size=412,915",
                      "--hide-scrollbars")

    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<h1>Service status</h1>" in dom.stdout
    assert "Checkout errors for EU customers" in dom.stdout and "rolling back the latest release" in dom.stdout
    assert "the 4521 deploy looks guilty" not in dom.stdout
    assert "Credential leak" not in dom.stdout and "Rotating every key" not in dom.stdout
    assert console_lines(dom.stderr) == [] and console_lines(pictured.stderr) == []
    assert pictured.returncode == 0 and shot.stat().st_size > 5000
    shutil.copy(shot, SHARED_SCREENSHOT)
