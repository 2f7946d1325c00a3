"""`serve` killed (SIGKILL) or stopped (SIGTERM) in the middle of a declaration, then started again: the
declaration is finished exactly once — one incident, one channel, one card, one announcement. A process
that finds the lease of a killed process on its own host takes it over at once; a live holder's lease
stands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from bot.db import make_engine, make_sessions, utcnow
from bot.emulator import SlackEmulator
from bot.incidents.models import Incident
from bot.runtime import BotRuntime
from tests.conftest import SIGNING_SECRET, _empty_postgres, make_settings
from tests.scenarios.test_cli import free_port, run, wait_http

Match = Callable[[dict[str, Any]], bool]


def _marked(event_type: str) -> Match:
    return lambda args: event_type in str(args.get("metadata") or "")


STEPS: dict[str, tuple[str, Match | None]] = {
    "create the channel": ("conversations.create", None),
    "set the topic": ("conversations.setTopic", None),
    "invite the declarer": ("conversations.invite", None),
    "post the card": ("chat.postMessage", _marked("incident_card")),
    "announce": ("chat.postMessage", _marked("incident_announcement")),
}


class Bot:
    """`python -m bot serve` on one database, started and stopped as an operator (or a crash) would."""

    def __init__(self, emu: SlackEmulator, database_url: str, cwd: Path) -> None:
        self.emu, self.database_url, self.cwd = emu, database_url, cwd
        self.proc: subprocess.Popen[str] | None = None
        self.runs = 0
        self.lease = 2  # INCIDENT_SETUP_LEASE_SECONDS

    def env(self, port: int) -> dict[str, str]:
        return {"DATABASE_URL": self.database_url, "SLACK_BOT_TOKEN": self.emu.bot_token,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": self.emu.api_url, "SLACK_APP_TOKEN": "",
                "INCIDENT_ANNOUNCE_CHANNEL": self.emu.channel_id("incidents"), "HOST": "127.0.0.1",
                "PORT": str(port), "NO_PROXY": "127.0.0.1,localhost", "INCIDENT_SETUP_LEASE_SECONDS": str(self.lease),
                "PYTHONFAULTHANDLER": "1"}

    def start(self) -> None:
        port = free_port()
        self.runs += 1
        log = (self.cwd / f"serve-{self.runs}.log").open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env={**os.environ, **self.env(port)},
                                     cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, text=True)
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=30)
        self.emu.app_url = f"http://127.0.0.1:{port}/slack/events"

    def signal(self, signum: int) -> int:
        assert self.proc is not None
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # show where it hangs (PYTHONFAULTHANDLER dumps every thread)
            self.proc.send_signal(signal.SIGABRT)
            self.proc.wait(timeout=30)
            raise AssertionError(f"serve did not exit:\n{self.output()[-12000:]}") from None

    def output(self) -> str:
        return "\n".join((self.cwd / f"serve-{n}.log").read_text() for n in range(1, self.runs + 1))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def incidents(self) -> list[dict[str, Any]]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [dict(row._mapping) for row in conn.execute(text("SELECT * FROM incidents ORDER BY id"))]
        finally:
            engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    assert run(["migrate"], {"DATABASE_URL": url}, tmp_path).returncode == 0
    return url


def make_bot(emu: SlackEmulator, url: str, cwd: Path) -> Iterator[Bot]:
    bot = Bot(emu, url, cwd)
    try:
        yield bot
    finally:
        bot.stop()


@pytest.fixture
def bot(emu: SlackEmulator, sqlite_url: str, tmp_path: Path) -> Iterator[Bot]:
    yield from make_bot(emu, sqlite_url, tmp_path)


@pytest.fixture
def pg_bot(emu: SlackEmulator, postgres_url: str, tmp_path: Path) -> Iterator[Bot]:
    _empty_postgres(postgres_url)
    yield from make_bot(emu, postgres_url, tmp_path)


def hold(emu: SlackEmulator, method: str, when: Match | None, latency: float) -> Callable[[], list[Any]]:
    """Make the next matching call of `method` take `latency` s; returns "is it in flight now?"."""
    emu.inject(method, latency=latency, when=when)
    return lambda: [a for _, a in emu.in_flight(method) if when is None or when(a)]


def answered(emu: SlackEmulator, method: str, when: Match | None) -> list[Any]:
    return [c for c in emu.calls(method) if when is None or when(c.args)]


def declare(emu: SlackEmulator, title: str) -> None:
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", f"declare {title}")
    assert r.status == 200


def assert_one_complete_incident(bot: Bot, emu: SlackEmulator, name: str) -> None:
    """What people see after the restart: one incident, its one channel with the declarer, one card (pinned),
    one announcement, and the row says ready."""
    incident = emu.wait_for(lambda: [i for i in bot.incidents() if i["setup_state"] != "opening"], timeout=60)[0]
    rows = bot.incidents()
    assert len(rows) == 1, rows
    assert incident["setup_state"] == "ready", (incident["setup_error"], bot.output()[-3000:])
    channels = [c for c in emu.channels() if c.get("name", "").startswith("inc-1-")]
    assert [c["name"] for c in channels] == [name]
    channel = channels[0]
    assert incident["channel_id"] == channel["id"] and incident["channel_name"] == name
    assert emu.user_id("alice") in channel["members"]
    cards = [m for m in emu.messages(channel["id"]) if (m.get("metadata") or {}).get("event_type") == "incident_card"]
    assert len(cards) == 1 and cards[0]["ts"] == incident["card_ts"]
    assert cards[0].get("pinned_to") == [channel["id"]]
    announcements = [m for m in emu.messages(emu.channel_id("incidents"))
                     if (m.get("metadata") or {}).get("event_type") == "incident_announcement"]
    assert len(announcements) == 1 and announcements[0]["ts"] == incident["announcement_ts"]
    assert channel["topic"]["value"] and channel["purpose"]["value"]


@pytest.mark.parametrize("step", list(STEPS))
def test_a_declaration_killed_during_a_step_is_finished_once_after_a_restart(step: str, bot: Bot,
                                                                             emu: SlackEmulator) -> None:
    method, when = STEPS[step]
    bot.start()
    in_flight = hold(emu, method, when, latency=5)
    declare(emu, "Killed mid step")
    emu.wait_for(in_flight, timeout=30)
    assert bot.signal(signal.SIGKILL) != 0
    emu.wait_for(lambda: answered(emu, method, when), timeout=30)  # Slack did it; the bot never heard
    bot.start()
    assert_one_complete_incident(bot, emu, "inc-1-killed-mid-step")
    emu.wait_for(lambda: [m for m in emu.dms(emu.user_id("alice")) if "finished the job" in m.get("text", "")],
                 timeout=30)  # nobody was left waiting for the answer: the declarer is told by DM


def test_a_declaration_killed_while_creating_its_channel_is_finished_once_on_postgresql(pg_bot: Bot,
                                                                                      emu: SlackEmulator) -> None:
    pg_bot.start()
    in_flight = hold(emu, "conversations.create", None, latency=5)
    declare(emu, "Killed on postgres")
    emu.wait_for(in_flight, timeout=30)
    pg_bot.signal(signal.SIGKILL)
    emu.wait_for(lambda: answered(emu, "conversations.create", None), timeout=30)
    pg_bot.start()
    assert_one_complete_incident(pg_bot, emu, "inc-1-killed-on-postgres")


@pytest.mark.parametrize("latency", [3, 20], ids=["finishes-in-time", "left-for-the-next-start"])
def test_sigterm_during_a_declaration_exits_0_and_the_incident_is_complete_after_a_restart(
        latency: float, bot: Bot, emu: SlackEmulator) -> None:
    bot.start()
    in_flight = hold(emu, "conversations.setTopic", None, latency=latency)
    declare(emu, "Stopped politely")
    emu.wait_for(in_flight, timeout=30)
    assert bot.signal(signal.SIGTERM) == 0, bot.output()[-3000:]
    assert "Traceback" not in bot.output()
    bot.start()
    assert_one_complete_incident(bot, emu, "inc-1-stopped-politely")


def _lease(bot: Bot) -> tuple[str | None, datetime | None]:
    """(holder, until) of the first incident's set-up lease."""
    engine = make_engine(bot.database_url)
    try:
        with make_sessions(engine)() as s:
            row = s.scalars(select(Incident)).one()
            return row.claimed_by, row.claimed_until
    finally:
        engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_restarted_process_takes_over_its_killed_predecessors_lease_at_once(
        database: str, request: pytest.FixtureRequest, emu: SlackEmulator) -> None:
    bot: Bot = request.getfixturevalue("bot" if database == "sqlite" else "pg_bot")
    bot.lease = 300  # only a take-over can explain a declaration finished within the test's minute
    bot.start()
    in_flight = hold(emu, "conversations.setTopic", None, latency=5)
    declare(emu, "Killed and restarted")
    emu.wait_for(in_flight, timeout=30)
    holder, until = _lease(bot)
    assert holder and until is not None
    assert bot.signal(signal.SIGKILL) != 0
    bot.start()
    assert_one_complete_incident(bot, emu, "inc-1-killed-and-restarted")
    assert utcnow() < until  # finished while the dead process's lease was still running
    assert "held by a process here that is gone" in bot.output()


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_live_holders_lease_stands_and_is_taken_over_once_the_holder_is_killed(
        database: str, request: pytest.FixtureRequest, emu: SlackEmulator) -> None:
    bot: Bot = request.getfixturevalue("bot" if database == "sqlite" else "pg_bot")
    bot.lease = 300
    bot.start()
    in_flight = hold(emu, "conversations.setTopic", None, latency=10)
    declare(emu, "Held by a live replica")
    emu.wait_for(in_flight, timeout=30)
    holder, _ = _lease(bot)
    other = BotRuntime(make_settings(emu, bot.database_url, setup_lease=300.0))  # a replica in this process
    try:
        assert other.resumer.resume_pending() == 0  # the declaring process is alive: its lease stands
        assert in_flight() and _lease(bot)[0] == holder and bot.incidents()[0]["setup_state"] == "opening"
        assert bot.signal(signal.SIGKILL) != 0
        emu.wait_for(lambda: answered(emu, "conversations.setTopic", None), timeout=30)
        assert other.resumer.resume_pending() == 1  # its holder is gone: taken over now, not in 300 s
    finally:
        other.close()
    assert_one_complete_incident(bot, emu, "inc-1-held-by-a-live-replica")
