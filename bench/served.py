"""The bot as a process of its own (`python -m bot serve`, HTTP or Socket Mode), as an operator runs it,
so that its memory can be read from /proc/<pid>/status and its interpreter lock is not the bench's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import SECRET
from bot.emulator import SlackEmulator

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ServedBot:
    """A running `serve` process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def memory_kib(self, field: str = "VmHWM") -> int:
        """A line of /proc/<pid>/status in KiB: VmHWM (peak resident memory so far) or VmRSS (now)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise RuntimeError(f"{field} not in /proc/{self.process.pid}/status")

    def stop(self) -> int:
        """SIGTERM, as a platform stops it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(bot: ServedBot, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=2):
                return
        except OSError:
            if bot.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not come up:\n{bot.log.read_text()[-3000:]}") from None
            time.sleep(0.1)


@contextmanager
def served_bot(emu: SlackEmulator, database_url: str, *, socket_mode: bool) -> Iterator[ServedBot]:
    """`serve` (over Socket Mode, or HTTP with the emulator delivering to it) on a migrated database."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": emu.bot_token,
           "SLACK_SIGNING_SECRET": "" if socket_mode else SECRET,
           "SLACK_APP_TOKEN": emu.app_token if socket_mode else "", "SLACK_API_URL": emu.api_url,
           "INCIDENT_ANNOUNCE_CHANNEL": emu.channel_id("incidents"), "HOST": "127.0.0.1", "PORT": str(port),
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            args = [sys.executable, "-m", "bot", "serve", *(["--socket-mode"] if socket_mode else [])]
            process = subprocess.Popen(args, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
        bot = ServedBot(process, port, log)
        try:
            _wait_healthy(bot)
            if socket_mode:
                emu.wait_for(emu.socket_connected, timeout=30)
            else:
                emu.app_url = f"http://127.0.0.1:{port}/slack/events"
            yield bot
        finally:
            bot.stop()
