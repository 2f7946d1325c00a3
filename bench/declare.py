"""Workloads 3 and 4: how fast a declaration is ready, and a storm of them under Slack's rate limits."""

from __future__ import annotations

import threading
import time
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bench.common import Stack, bot_stack
from bot.emulator import SlackEmulator
from bot.incidents.models import Incident

# Every declaration is announced in the same channel, and Slack allows about one message a second per
# channel (the bot paces its posts to fit, after a short burst): back-to-back declarations would measure
# that pacing, not a declaration. Workload 4 is where declarations crowd each other.
SPACING = 1.2


def _ready_time(emu: SlackEmulator, channel_id: str, announce: str, sent_at: float) -> tuple[float, list[Any]]:
    """When the channel was ready (created, declarer invited, card posted, announced), from the call log."""
    calls = [c for c in emu.calls() if c.at >= sent_at - 0.001 and c.method != "auth.test"]
    needed = [c for c in calls if _needed_for_ready(c, channel_id, announce)]
    end = max(c.at + c.duration for c in needed)
    return end - sent_at, calls


def _needed_for_ready(c: Any, channel_id: str, announce: str) -> bool:
    if c.method == "conversations.create":
        return bool(c.status == 200 and c.response.get("ok"))
    if c.method == "conversations.invite":
        return bool(c.args.get("channel") == channel_id)
    return bool(c.method == "chat.postMessage" and c.args.get("channel") in (channel_id, announce))


def _waves(calls: list[Any], until: float) -> int:
    """Sequential round trips: a call starting after every earlier call ended begins a new wave."""
    waves, frontier = 0, 0.0
    for c in sorted(calls, key=lambda c: c.at):
        if c.at >= until:
            break
        if c.at >= frontier:
            waves += 1
        frontier = max(frontier, c.at + c.duration)
    return waves


def _quiet(emu: SlackEmulator, for_s: float, timeout: float = 10) -> None:
    """Wait until no Slack call has started for `for_s` seconds."""
    deadline = time.monotonic() + timeout
    seen, since = len(emu.calls()), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < for_s:
        time.sleep(0.05)
        now = len(emu.calls())
        if now != seen:
            seen, since = now, time.monotonic()


def declare_latency(database_url: str, latency: float, repeats: int) -> dict[str, Any]:
    """Workload 3: slash command → ready channel, with `latency` seconds added to every Slack call."""
    times: list[float] = []
    waves: list[int] = []
    totals: list[int] = []
    with bot_stack(database_url) as stack:
        emu = stack.emu  # events on, as Slack sends them (subscribed ones): the bot's joins and posts echo back
        alice, general, announce = emu.user_id("alice"), emu.channel_id("general"), emu.channel_id("incidents")
        emu.slash_command(alice, general, "/incident", "list")  # warm up: auth.test, connections
        emu.latency = latency
        previous = 0.0
        for n in range(1, repeats + 1):
            time.sleep(max(0.0, previous + SPACING - time.monotonic()))
            previous = time.monotonic()
            emu.clear_calls()
            answered = len(emu.responses(user=alice))
            sent = time.time()
            emu.slash_command(alice, general, "/incident", f"declare Benchmark incident {n}")
            incident = emu.wait_for(partial(_incident, stack, n), timeout=30)
            emu.wait_for(partial(_answered, emu, alice, answered), timeout=10)
            _quiet(emu, 0.3 + 2 * latency)  # calls made after the answer (pins, event handlers) count too
            assert incident is not None and incident.channel_id is not None
            ready, calls = _ready_time(emu, incident.channel_id, announce, sent)
            times.append(ready)
            waves.append(_waves(calls, sent + ready))
            totals.append(len(calls))
    figures: dict[str, Any] = {"latency_ms": latency * 1000, "ready_ms": sorted(times)[len(times) // 2] * 1000,
                               "ready_max_ms": max(times) * 1000, "total_calls": max(totals)}
    if latency > 0:  # with no latency the calls are too quick to overlap, so waves say nothing
        figures["critical_path_calls"] = max(waves)
    return figures


def _answered(emu: SlackEmulator, user: str, before: int) -> bool:
    return len(emu.responses(user=user)) > before


def _incident(stack: Stack, number: int) -> Incident | None:
    with stack.runtime.sessions() as s:
        found = s.scalar(select(Incident).where(Incident.number == number))
        return found if found is not None and found.setup_state != "opening" else None


def declare_storm(database_url: str, count: int) -> dict[str, Any]:
    """Workload 4: `count` declarations at once with Slack's tier limits on (conversations.create: Tier 2)."""
    with bot_stack(database_url) as stack:
        emu = stack.emu
        emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "list")
        emu.rate_limits = True
        users = [emu.add_user(f"responder{i}") for i in range(count)]
        started = time.perf_counter()
        threads = [threading.Thread(target=emu.slash_command, args=(u, emu.channel_id("general"), "/incident",
                                                                     f"declare Storm incident {i}"))
                   for i, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        announce = emu.channel_id("incidents")

        def announced() -> int:
            return len([c for c in emu.calls("chat.postMessage") if c.args.get("channel") == announce
                        and c.status == 200 and c.response.get("ok")])

        def all_done() -> bool:  # every incident out of "opening" (ready or failed) and announced
            with stack.runtime.sessions() as s:
                pending = s.scalar(select(func.count()).select_from(Incident)
                                   .where(Incident.setup_state == "opening"))
                done = s.scalar(select(func.count()).select_from(Incident))
            return bool(done == count and pending == 0 and announced() >= count)

        emu.wait_for(all_done, timeout=180, interval=0.2)
        elapsed = time.perf_counter() - started
        _quiet(emu, 1.0, timeout=60)  # let retried posts and pins finish before the emulator stops
        with stack.runtime.sessions() as s:
            rows = s.scalars(select(Incident)).all()
        names = [c["name"] for c in emu.channels() if c["name"].startswith("inc-")]
        throttled = len([c for c in emu.calls("conversations.create") if c.status == 429])
    return {"requested": count, "declared": len(rows), "ready": len([r for r in rows if r.setup_state == "ready"]),
            "channels": len(names), "announced": announced(),
            "duplicates": len(names) - len(set(names)) + len(rows) - len({r.title for r in rows}),
            "seconds_to_last": elapsed, "slack_bound_s": tier2_bound(count), "throttled_creates": throttled}


def tier2_bound(count: int, per_minute: int = 20) -> float:
    """The least time Slack's Tier 2 allows for `count` conversations.create calls: a minute's quota at once
    (the emulator's token bucket, like Slack's), then one call per 60/per_minute seconds."""
    return max(0, count - per_minute) * 60 / per_minute
