"""Declarations at the same moment, many of them, on one process and on two replicas: each one waits its
turn for the next number instead of losing it. All complete, the numbers are 1..n each once, and nobody
gets an apology."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.emulator import SlackEmulator
from bot.emulator.delivery import Response
from tests.conftest import Harness, scratch_postgres
from tests.scenarios.serve_helpers import Served

Send = Callable[[], Response]


def at_once(sends: list[Send]) -> list[int]:
    """Send every request from a thread of its own, released together; their HTTP statuses."""
    barrier = threading.Barrier(len(sends))
    statuses = [0] * len(sends)

    def run(i: int) -> None:
        barrier.wait()
        statuses[i] = sends[i]().status

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


def declare_commands(emu: SlackEmulator, drivers: list[SlackEmulator], count: int) -> tuple[list[str], list[Send]]:
    """`count` people, each with `/incident declare …` ready to send, spread over the drivers (replicas)."""
    users = [emu.add_user(f"responder{i}") for i in range(count)]
    general = emu.channel_id("general")

    def send(driver: SlackEmulator, user: str, i: int) -> Send:
        return lambda: driver.slash_command(user, general, "/incident", f"declare Storm incident {i}")
    return users, [send(drivers[i % len(drivers)], u, i) for i, u in enumerate(users)]


def assert_everyone_declared(emu: SlackEmulator, users: list[str], rows: Callable[[], list[Any]]) -> None:
    """Every declarer is answered with the link (no apology), and every incident is ready with a number of
    its own, 1..n."""
    count = len(users)
    emu.wait_for(lambda: all(emu.responses(user=u) for u in users), timeout=120)  # everyone has an answer
    said = [str(r["body"]) for u in users for r in emu.responses(user=u)]
    assert not [s for s in said if "Sorry" in s], [s for s in said if "Sorry" in s][:3]
    assert all(any("declared: <#" in str(r["body"]) for r in emu.responses(user=u)) for u in users)
    found = rows()
    assert sorted(r.number for r in found) == list(range(1, count + 1))
    assert {r.setup_state for r in found} == {"ready"}, [(r.number, r.setup_error) for r in found]
    assert len({r.channel_id for r in found}) == count


@pytest.fixture
def storm_postgres() -> Iterator[str]:
    with scratch_postgres("incident_bot_storm") as url:
        yield url


def test_a_hundred_declarations_at_once_on_two_replicas_get_numbers_1_to_100(
        storm_postgres: str, emu: SlackEmulator, tmp_path: Path) -> None:
    # No announcement channel: its pacing (~1 post/s per replica) would only make the test wait.
    replicas = [Served(emu, storm_postgres, tmp_path, name, env={"INCIDENT_ANNOUNCE_CHANNEL": ""})
                for name in ("a", "b")]
    engine = create_engine(storm_postgres)
    try:
        for replica in replicas:
            replica.wait_healthy()
        emu.app_url = replicas[0].events_url
        users, sends = declare_commands(emu, [r.driver for r in replicas], 100)
        assert at_once(sends) == [200] * 100

        def rows() -> list[Any]:
            with engine.connect() as conn:
                return list(conn.execute(text("SELECT number, setup_state, setup_error, channel_id FROM incidents")))
        assert_everyone_declared(emu, users, rows)
        for replica in replicas:
            assert "could not allocate" not in replica.output() and "Traceback" not in replica.output()
    finally:
        for replica in replicas:
            replica.stop()
        engine.dispose()


def test_thirty_declarations_at_once_on_one_process_get_numbers_1_to_30(make_bot: Callable[..., Harness],
                                                                        emu: SlackEmulator) -> None:
    bot = make_bot(announce_channel=None)
    users, sends = declare_commands(emu, [emu], 30)
    assert at_once(sends) == [200] * 30
    assert_everyone_declared(emu, users, bot.incidents)
