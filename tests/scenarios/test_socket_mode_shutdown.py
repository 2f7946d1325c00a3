"""`serve --socket-mode` stopped with SIGTERM while a declaration and a stream of messages are in flight:
it exits 0, finishes the declaration, stores every message it acknowledged, closes the WebSocket with a
close frame, and after a restart nothing is posted twice and every message is in the timeline once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.emulator import SlackEmulator
from tests.scenarios.test_cli import free_port, wait_http
from tests.scenarios.test_crash_resume import Bot, assert_one_complete_incident, hold

MESSAGES = 40


class SocketBot(Bot):
    """`python -m bot serve --socket-mode` on one database, started and stopped as an operator would."""

    def env(self, port: int) -> dict[str, str]:
        return {**super().env(port), "SLACK_APP_TOKEN": self.emu.app_token, "SLACK_SIGNING_SECRET": ""}

    def start(self) -> None:
        port, self.runs = free_port(), self.runs + 1
        log = (self.cwd / f"serve-{self.runs}.log").open("w")
        connections = len(self.emu.socket_closes())
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--socket-mode"],
                                     env={**os.environ, **self.env(port)}, cwd=self.cwd, stdout=log,
                                     stderr=subprocess.STDOUT, text=True)
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=30)
        self.emu.wait_for(self.emu.socket_connected, timeout=30)
        assert len(self.emu.socket_closes()) == connections

    def stored_ts(self) -> list[str]:
        """The ts of every captured message, duplicates kept."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.scalars(text("SELECT ts FROM timeline_messages")))
        finally:
            engine.dispose()


@pytest.fixture
def socket_bot(emu: SlackEmulator, database_url: str, tmp_path: Path) -> Iterator[SocketBot]:
    bot = SocketBot(emu, database_url, tmp_path)
    try:
        yield bot
    finally:
        bot.stop()


def _talk(emu: SlackEmulator, channel: str, posted: list[str]) -> threading.Thread:
    """Bob posts MESSAGES messages into the incident channel, one after the other (each waits for its ack,
    or for the connection to go), in a thread of its own so SIGTERM lands among them."""
    bob = emu.user_id("bob")

    def talk() -> None:
        for n in range(MESSAGES):
            posted.append(emu.post_message(bob, channel, f"status from the dashboard, reading {n}"))

    thread = threading.Thread(target=talk, name="bob")
    thread.start()
    return thread


def test_sigterm_in_socket_mode_finishes_the_work_in_flight_and_closes_the_socket(
        socket_bot: SocketBot, emu: SlackEmulator) -> None:
    socket_bot.start()
    in_flight = hold(emu, "conversations.setTopic", None, latency=3)
    answer = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident",
                               "declare Stopped over the socket")
    assert answer.status == 200 and "Declaring incident" in answer.text
    emu.wait_for(in_flight, timeout=30)
    channel = socket_bot.incidents()[0]["channel_id"]
    posted: list[str] = []
    talker = _talk(emu, channel, posted)
    emu.wait_for(lambda: len(posted) >= 5, timeout=30)

    assert socket_bot.signal(signal.SIGTERM) == 0, socket_bot.output()[-3000:]
    talker.join(timeout=60)
    assert "Traceback" not in socket_bot.output(), socket_bot.output()[-3000:]
    assert emu.socket_closes() == [1000]  # a WebSocket close frame, not a dropped connection
    assert socket_bot.incidents()[0]["setup_state"] == "ready"  # the declaration in flight was finished
    acked = {d["event"]["ts"] for d in emu.deliveries() if d["status"] == 200 and d["event"].get("ts") in posted}
    stored = socket_bot.stored_ts()
    assert acked and acked <= set(stored)  # every message it acknowledged was stored before it exited
    assert len(stored) == len(set(stored))

    socket_bot.start()  # the rest is read back from the channel's history by the catch-up
    assert_one_complete_incident(socket_bot, emu, "inc-1-stopped-over-the-socket")
    emu.wait_for(lambda: set(posted) <= set(socket_bot.stored_ts()), timeout=30)
    stored = socket_bot.stored_ts()
    assert len(stored) == len(set(stored)) == len(posted) == MESSAGES
    assert socket_bot.signal(signal.SIGTERM) == 0
    assert emu.socket_closes() == [1000, 1000]
