"""A database blip under load: PostgreSQL restarts in the middle of a message storm.

The test runs a throwaway PostgreSQL cluster of its own (the installed server binaries, a temp dir, a
free port), never the machine's shared server, so it can stop and start it. While the database is down
/healthz says so; afterwards every message people sent is in the timeline exactly once: what the writer
could not store is read back from the channel's history by catch-up.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.emulator import SlackEmulator
from tests.scenarios.serve_helpers import Served, serve_env
from tests.scenarios.test_cli import free_port

MESSAGES = 300
SENDERS = 3


class Cluster:
    """A PostgreSQL cluster in a temp dir on 127.0.0.1:<port>, trust auth, run as the `postgres` user
    when the tests run as root (initdb refuses root)."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="incident-bot-pg-")
        self.data = os.path.join(self.dir, "data")
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [os.path.join(self.bindir, tool), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        assert result.returncode == 0, f"{tool} failed: {result.stdout}\n{result.stderr}"

    def init(self) -> None:
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-o", options, "-w",
                  "-t", "30", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            with contextlib.suppress(AssertionError):
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        on_path = shutil.which("initdb")
        found = [on_path] if on_path else []
    if not found:
        if os.environ.get("CI"):
            pytest.fail("the PostgreSQL server binaries (initdb, pg_ctl) are required when CI is set")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    c = Cluster(os.path.dirname(found[-1]))
    try:
        c.init()
        c.start()
        yield c
    finally:
        c.destroy()


def test_a_database_restart_in_a_message_storm_loses_nothing_and_stores_nothing_twice(
        cluster: Cluster, emu: SlackEmulator, tmp_path: Path) -> None:
    migrated = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, capture_output=True, text=True,
                              env={**os.environ, **serve_env(emu, cluster.url, 0)}, timeout=60)
    assert migrated.returncode == 0, migrated.stderr
    served = Served(emu, cluster.url, tmp_path, "bot")
    db = create_engine(cluster.url, pool_pre_ping=True)
    try:
        served.wait_healthy()
        emu.app_url = served.events_url
        alice = emu.user_id("alice")
        assert emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Blip under load").status == 200

        def channel_ready() -> str | None:
            with db.connect() as conn:
                return conn.execute(text("SELECT channel_id FROM incidents WHERE setup_state = 'ready'")).scalar()
        channel = emu.wait_for(channel_ready, timeout=30)
        assert channel is not None  # wait_for returns only a truthy value
        emu.drain()

        sent = 0
        lock = threading.Lock()
        halfway = threading.Event()

        def storm(sender: int) -> None:
            nonlocal sent
            user = emu.user_id(("alice", "bob", "carol")[sender % 3])
            for i in range(MESSAGES // SENDERS):
                emu.post_message(user, channel, f"storm {sender}-{i}")
                with lock:
                    sent += 1
                    if sent >= MESSAGES // 4:
                        halfway.set()
                time.sleep(0.1)  # a storm of ~10 s: before, during and after the outage

        senders = [threading.Thread(target=storm, args=(s,)) for s in range(SENDERS)]
        for t in senders:
            t.start()
        assert halfway.wait(60)
        cluster.stop()
        emu.wait_for(lambda: served.health() == 503, timeout=20)
        time.sleep(6)  # down for longer than the writer's own retries (0.2 + 1 + 3 s)
        cluster.start()
        emu.wait_for(lambda: served.health() == 200, timeout=30)
        for t in senders:
            t.join(timeout=120)
        assert sent == MESSAGES

        expected = sorted(m["ts"] for m in emu.messages(channel)
                          if not m.get("bot_id") and m.get("text", "").startswith("storm "))
        assert len(expected) == MESSAGES

        def stored() -> list[str]:
            with db.connect() as conn:
                return list(conn.scalars(text("SELECT ts FROM timeline_messages WHERE channel_id = :c ORDER BY ts"),
                                         {"c": channel}))
        try:
            emu.wait_for(lambda: set(expected) <= set(stored()), timeout=60, interval=0.5)
        except AssertionError:
            missing = set(expected) - set(stored())
            log = served.output()[-4000:]
            raise AssertionError(f"{len(missing)} of {MESSAGES} messages never stored:\n{log}") from None
        assert sorted(t for t in stored() if t in set(expected)) == expected  # each exactly once
    finally:
        served.stop()
        db.dispose()
