"""The `incident-bot` command as an operator runs it: migrate, serve (HTTP and Socket Mode), refusals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import current_revision, head_revision, make_engine
from bot.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET, scratch_postgres


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", [[], ["serve"], ["migrate"], ["demo"]])
def test_help_describes_each_command(command: list[str], tmp_path: Path) -> None:
    result = run([*command, "--help"], {}, tmp_path)
    assert result.returncode == 0
    assert "usage: incident-bot" in result.stdout
    if command == ["serve"]:
        assert "--socket-mode" in result.stdout and "incident-bot migrate" in result.stdout


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new PostgreSQL database with no tables yet."""
    with scratch_postgres("incident_bot_cli", migrated=False) as url:
        yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrate_brings_an_empty_database_to_the_newest_revision(backend: str, tmp_path: Path,
                                                                 request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}" if backend == "sqlite" else request.getfixturevalue("empty_postgres")
    if backend == "postgres":
        url = url.replace("postgresql+psycopg://", "postgres://")  # as hosting platforms hand it out
    result = run(["migrate"], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    engine = make_engine(url.replace("postgres://", "postgresql+psycopg://"))
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()
    assert run(["migrate"], {"DATABASE_URL": url}, tmp_path).returncode == 0  # idempotent


def test_serve_refuses_a_database_that_is_behind_and_names_migrate(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}", "SLACK_BOT_TOKEN": "xoxb-1",
           "SLACK_SIGNING_SECRET": "s", "PORT": "0"}
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 2
    assert "incident-bot migrate" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("env", "fragment"), [
    ({}, "SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "web"}, "PORT must be a port number"),
])
def test_serve_names_a_missing_or_malformed_setting_in_one_line(env: dict[str, str], fragment: str,
                                                                tmp_path: Path) -> None:
    clean = {k: "" for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    result = run(["serve"], {**clean, **env}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert fragment in lines[-1] and "Traceback" not in result.stderr


def test_an_invalid_config_file_stops_start_up_naming_the_problem(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("default_severity: SEV9\n")
    result = run(["serve"], {"INCIDENT_BOT_CONFIG": str(tmp_path / "bad.yml")}, tmp_path)
    assert result.returncode == 2
    assert "default_severity 'SEV9' is not one of the severities" in result.stderr
    assert "Traceback" not in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 20) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def served(tmp_path: Path, emu: SlackEmulator) -> Iterator[tuple[dict[str, str], Path]]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": emu.bot_token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": emu.api_url, "INCIDENT_ANNOUNCE_CHANNEL": emu.channel_id("incidents"),
           "HOST": "127.0.0.1", "PORT": str(free_port()), "NO_PROXY": "127.0.0.1,localhost"}
    assert run(["migrate"], env, tmp_path).returncode == 0
    yield env, tmp_path


def test_serve_over_http_answers_health_and_declares(served: tuple[dict[str, str], Path],
                                                     emu: SlackEmulator) -> None:
    env, cwd = served
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env={**os.environ, **env}, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{env['PORT']}"
        assert wait_http(f"{base}/healthz") == b'{"status": "ok"}'
        emu.app_url = f"{base}/slack/events"
        r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Served for real")
        assert r.status == 200
        emu.wait_for(lambda: [c for c in emu.channels() if c["name"] == "inc-1-served-for-real"], timeout=10)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert SIGNING_SECRET not in output and emu.bot_token not in output


def test_serve_over_socket_mode_declares_through_the_websocket(served: tuple[dict[str, str], Path],
                                                               emu: SlackEmulator) -> None:
    env, cwd = served
    env = {**env, "SLACK_APP_TOKEN": emu.app_token, "SLACK_SIGNING_SECRET": ""}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--socket-mode"], env={**os.environ, **env},
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_http(f"http://127.0.0.1:{env['PORT']}/healthz") == b'{"status": "ok"}'
        emu.wait_for(emu.socket_connected, timeout=15)
        r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident",
                              "declare Over the socket")
        assert r.status == 200 and "Declaring incident" in r.text
        emu.wait_for(lambda: [c for c in emu.channels() if c["name"] == "inc-1-over-the-socket"], timeout=10)
        assert [c for c in emu.calls() if c.method == "apps.connections.open"]
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert emu.app_token not in output and emu.bot_token not in output
