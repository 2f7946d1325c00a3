"""Workloads 6 and 7: the storm through the emulator's Socket Mode connection, and a long storm.

The bot runs as `python -m bot serve` in a process of its own (bench/served.py). Over Socket Mode the
emulator, in the bench's process, is Slack: eight sender threads each send an `events_api` envelope
over the one WebSocket and wait for the bot's ack (the envelope_id sent back) before sending the next.
The ack time is measured by the emulator, from sending the envelope to the ack's arrival.

The long storm sends 20,000 events in slices of 2,000, one after the other without a pause, over Socket
Mode and over HTTP (the HTTP senders are bench/load.py's process), and after each slice reads the bot
process's peak resident memory (VmHWM in /proc/<pid>/status): a flat p99 and a flat peak are the targets.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from bench.common import SECRET, subscribed_events, summary_ms
from bench.load import SENDERS, Sent, load_generator, message_event, run_senders
from bench.served import ServedBot, served_bot
from bench.storm import _check_once, _figures, _wait_stored
from bot.db import make_engine
from bot.emulator import SlackEmulator

QUEUE_VALUES = 4 * 10_000  # the timeline writer's capacity (bot/timeline/writer.py: 4 queues of 10,000)


def send_over_socket(emu: SlackEmulator, channel: str, user: str, total: int, start: int = 0) -> Sent:
    """`total` message events from SENDERS threads over the Socket Mode connection, each waiting for its ack;
    sender i's messages are numbered from `start`, as bench/load.py numbers them."""
    def sender(i: int) -> tuple[list[float], int]:
        events = [message_event(channel, user, n, i) for n in range(start, start + total // SENDERS)]
        mine: list[float] = []
        failed = 0
        for event in events:
            response = emu.send_event(event, event_id=f"EvSock{i:02d}{event['ts']}")
            mine.append(response.duration)
            failed += response.status != 200
        return mine, failed

    return run_senders(sender, "socket-sender")


@dataclass
class Target:
    """The served bot and the incident channel the storm goes into."""

    emu: SlackEmulator
    bot: ServedBot
    engine: Engine
    incident_id: int
    channel: str
    user: str


@contextmanager
def storm_target(database_url: str, *, socket_mode: bool) -> Iterator[Target]:
    """The emulator, `serve` in its own process, and an incident declared through the real flow."""
    engine = make_engine(database_url)
    try:
        with SlackEmulator(signing_secret=SECRET) as emu, served_bot(emu, database_url, socket_mode=socket_mode) as bot:
            emu.subscribed_events = subscribed_events()
            emu.emit_events = False
            alice = emu.user_id("alice")
            emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Storm target")
            row = emu.wait_for(lambda: _ready(engine), timeout=30)
            assert row is not None
            yield Target(emu, bot, engine, row[0], row[1], alice)
    finally:
        engine.dispose()


def _ready(engine: Engine) -> tuple[int, str] | None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, channel_id FROM incidents WHERE setup_state = 'ready'")).first()
    return (int(row[0]), str(row[1])) if row else None


def _stored_figures(target: Target, sent: Sent, total: int) -> dict[str, Any]:
    stored, stored_at = _wait_stored(target.engine, target.incident_id, total)
    time.sleep(0.5)  # a late duplicate would show up by now
    missing, duplicates = _check_once(target.engine, target.incident_id, total)
    figures = _figures(sent, stored, stored_at, missing, duplicates)
    figures["not_acked"] = figures.pop("non_2xx")
    figures["all_once"] = figures.pop("all_once")
    return figures


def socket_storm(database_url: str, total: int) -> dict[str, Any]:
    """Workload 6: the storm of workload 1 (`total` events, 8 senders), through Socket Mode."""
    with storm_target(database_url, socket_mode=True) as target:
        sent = send_over_socket(target.emu, target.channel, target.user, total)
        figures = _stored_figures(target, sent, total)
        figures["peak_rss_mib"] = target.bot.memory_kib() / 1024
        figures["exit"] = target.bot.stop()
    return figures


def long_storm(database_url: str, total: int, slice_size: int, *, socket_mode: bool) -> dict[str, Any]:
    """Workload 7: `total` events in slices of `slice_size`, back to back; the p99 ack of each slice and the
    bot's peak resident memory after the first slice and at the end."""
    with storm_target(database_url, socket_mode=socket_mode) as target, ExitStack() as stack:
        pool = None if socket_mode else stack.enter_context(load_generator())
        sent_slices: list[Sent] = []
        for start in range(0, total // SENDERS, slice_size // SENDERS):
            if pool is None:
                sent_slices.append(send_over_socket(target.emu, target.channel, target.user, slice_size, start))
            else:
                sent_slices.append(pool.send_all(target.bot.port, target.channel, target.user, slice_size, SECRET,
                                                 start))
            if len(sent_slices) == 1:
                first_peak = target.bot.memory_kib()
        whole = Sent([s for part in sent_slices for s in part.latencies], sent_slices[0].started_at,
                     sent_slices[-1].ended_at, sum(part.errors for part in sent_slices))
        figures = _stored_figures(target, whole, total)
        p99s = [summary_ms(part.latencies)["p99"] for part in sent_slices]
        figures.update(slice_p99_ms=" ".join(f"{p:.1f}" for p in p99s), first_slice_p99_ms=p99s[0],
                       last_slice_p99_ms=p99s[-1], peak_rss_first_slice_mib=first_peak / 1024,
                       peak_rss_mib=target.bot.memory_kib() / 1024, exit=target.bot.stop())
    return figures
