"""Catch-up reads only what it may have missed: history from the newest stored message on (less a
margin), the threads active since, and at start-up each channel on one replica at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.emulator import SlackEmulator
from bot.runtime import BotRuntime
from bot.timeline import catchup
from tests.conftest import Harness, make_settings
from tests.scenarios.timeline_helpers import declare, rows, settle, wait_row


@pytest.fixture
def runtimes(emu: SlackEmulator, database_url: str) -> Iterator[list[BotRuntime]]:
    """Bots built as `serve` builds them, on the test's database, started by the test itself."""
    made: list[BotRuntime] = []
    yield made
    for runtime in made:
        runtime.close()


def _runtime(emu: SlackEmulator, database_url: str, made: list[BotRuntime], *, margin: int | None = None) -> BotRuntime:
    runtime = BotRuntime(make_settings(emu, database_url))
    if margin is not None:
        runtime.timeline.catch_up.margin = margin
    made.append(runtime)
    return runtime


def _history_reads(emu: SlackEmulator, channel: str) -> list[Any]:
    return [c for c in emu.calls("conversations.history") if c.args.get("channel") == channel]


def test_after_a_restart_catch_up_reads_history_from_the_newest_stored_message(
        make_bot: Any, emu: SlackEmulator, database_url: str, runtimes: list[BotRuntime]) -> None:
    first = make_bot()
    incident = declare(first)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    stored = [emu.post_message(alice, channel, f"Seen live #{n}") for n in range(5)]
    thread = emu.post_message(bob, channel, "Old thread, live", thread_ts=stored[0])
    quiet = emu.post_message(bob, channel, "A thread nobody answers", thread_ts=stored[1])
    settle(first)
    first.runtime.close()

    missed = [emu.post_message(bob, channel, f"While the bot was down #{n}") for n in range(2)]
    late_reply = emu.post_message(alice, channel, "A reply in the live thread", thread_ts=stored[0])
    emu.clear_calls()

    second = _runtime(emu, database_url, runtimes, margin=0)  # the margin is tested below
    assert second.start().result(timeout=30) == 1
    harness = Harness(second, emu)
    wait_row(harness, channel, late_reply)
    settle(harness)

    reads = _history_reads(emu, channel)
    assert [c.args.get("oldest") for c in reads] == [f"{float(quiet):.6f}"]  # the newest stored message
    assert [m["ts"] for m in reads[0].response["messages"]] == list(reversed(missed))
    replies = [c for c in emu.calls("conversations.replies") if c.args.get("channel") == channel]
    # the threads with a reply in the hour before: both, from the same point on
    assert sorted((c.args["ts"], c.args.get("oldest")) for c in replies) == sorted(
        [(stored[0], f"{float(quiet):.6f}"), (stored[1], f"{float(quiet):.6f}")])
    assert [r.ts for r in rows(harness, incident.id)] == [*stored, thread, quiet, *missed, late_reply]


def test_the_read_back_starts_a_safety_margin_before_the_newest_stored_message(
        make_bot: Any, emu: SlackEmulator, database_url: str, runtimes: list[BotRuntime]) -> None:
    first = make_bot()
    incident = declare(first)
    channel = incident.channel_id
    assert channel is not None
    newest = emu.post_message(emu.user_id("alice"), channel, "Seen live")
    settle(first)
    first.runtime.close()
    emu.clear_calls()

    second = _runtime(emu, database_url, runtimes)
    second.start().result(timeout=30)

    assert [c.args.get("oldest") for c in _history_reads(emu, channel)] == [
        f"{float(newest) - catchup.MARGIN:.6f}"]


def test_two_replicas_starting_at_once_read_each_channel_once(
        make_bot: Any, emu: SlackEmulator, database_url: str, runtimes: list[BotRuntime]) -> None:
    first = make_bot()
    channels = []
    for number in (1, 2, 3):
        incident = declare(first, f"Outage number {number}", number=number)
        assert incident.channel_id is not None
        channels.append(incident.channel_id)
    settle(first)
    first.runtime.close()
    missed = {c: emu.post_message(emu.user_id("carol"), c, "Said while both were down") for c in channels}
    emu.clear_calls()

    replicas = [_runtime(emu, database_url, runtimes) for _ in range(2)]
    barrier = threading.Barrier(2)
    read: list[int] = []

    def start(runtime: BotRuntime) -> None:
        barrier.wait()
        read.append(runtime.start().result(timeout=30))

    threads = [threading.Thread(target=start, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sum(read) == len(channels)  # between them, each channel once
    assert {c: len(_history_reads(emu, c)) for c in channels} == {c: 1 for c in channels}
    for runtime in replicas:
        assert runtime.timeline.writer.wait_idle(10)
    harness = Harness(replicas[0], emu)
    for channel, ts in missed.items():
        assert wait_row(harness, channel, ts).text == "Said while both were down"
