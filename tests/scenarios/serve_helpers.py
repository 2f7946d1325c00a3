"""Running `python -m bot serve` as an operator does: as subprocesses against the emulator, on a database."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from bot.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.scenarios.test_cli import free_port


def serve_env(emu: SlackEmulator, database_url: str, port: int) -> dict[str, str]:
    """The environment `serve` reads, pointed at the emulator."""
    return {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": emu.bot_token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emu.api_url, "INCIDENT_ANNOUNCE_CHANNEL": emu.channel_id("incidents"),
            "HOST": "127.0.0.1", "PORT": str(port), "NO_PROXY": "127.0.0.1,localhost", "SLACK_APP_TOKEN": ""}


class Served:
    """One `python -m bot serve` process; its output goes to a log file (a pipe could fill and stall it)."""

    def __init__(self, emu: SlackEmulator, database_url: str, cwd: Path, name: str,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.events_url = f"{self.base}/slack/events"
        self.log_path = cwd / f"{name}.log"
        self._log: IO[str] = self.log_path.open("w")
        env = {**os.environ, **serve_env(emu, database_url, self.port), **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=cwd,
                                     stdout=self._log, stderr=subprocess.STDOUT, text=True)
        # The emulator's driver, delivering to this process (a shallow copy shares the workspace).
        self.driver: SlackEmulator = copy.copy(emu)
        self.driver.app_url = self.events_url

    def health(self) -> int:
        """/healthz's status code (0 when the process does not answer)."""
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return 0

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.health() != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not come up:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
