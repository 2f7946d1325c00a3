"""Shared set-up for workloads: a scratch database, the emulator, the bot served on loopback."""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import Settings, normalize_database_url
from bot.db import make_engine, migrate
from bot.emulator import SlackEmulator
from bot.runtime import BotRuntime

SECRET = "bench-signing-secret"
MANIFEST = Path(__file__).resolve().parent.parent / "slack-app-manifest.yml"
# What the manifest subscribed to when this was written; the manifest itself is read when it is there
FALLBACK_EVENTS = {"message", "reaction_added", "reaction_removed", "member_joined_channel", "app_home_opened"}
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


def subscribed_events(manifest: Path = MANIFEST) -> set[str]:
    """The bot events the app subscribes to (slack-app-manifest.yml): Slack only sends those. Names as the
    manifest spells them ("message.channels", …), which the emulator understands."""
    try:
        raw = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        events = raw["settings"]["event_subscriptions"]["bot_events"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return set(FALLBACK_EVENTS)
    return {str(e) for e in events} if isinstance(events, list) and events else set(FALLBACK_EVENTS)


@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A fresh, migrated database: a temp SQLite file, or a new database on the given PostgreSQL server."""
    if not url or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            path = f"sqlite:///{Path(tmp) / 'bench.db'}"
            engine = make_engine(path)
            migrate(engine)
            engine.dispose()
            yield path
        return
    admin_url = normalize_database_url(url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"incident_bot_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(scratch)
    migrate(engine)
    engine.dispose()
    try:
        yield scratch
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Stack:
    """The emulator and the bot, wired together."""

    emu: SlackEmulator
    runtime: BotRuntime


@contextmanager
def bot_stack(database_url: str, **emulator: Any) -> Iterator[Stack]:
    """Start the emulator and the bot (HTTP on loopback) on `database_url`, as `serve` starts it: the HTTP
    server, then the timeline pipeline's start-up hook (catch-up of open incidents, done before returning)."""
    with SlackEmulator(signing_secret=SECRET, **emulator) as emu:
        emu.subscribed_events = subscribed_events()
        settings = Settings(database_url=database_url, slack_bot_token=emu.bot_token, slack_signing_secret=SECRET,
                            slack_api_url=emu.api_url, announce_channel=emu.channel_id("incidents"))
        runtime = BotRuntime(settings)
        try:
            server = runtime.http("127.0.0.1", 0).start()
            emu.app_url = f"{server.url}/slack/events"
            runtime.start().result(timeout=30)
            yield Stack(emu, runtime)
        finally:
            runtime.close()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> dict[str, float]:
    """p50/p99/max of seconds, in milliseconds."""
    return {"p50": percentile(values, 50) * 1000, "p99": percentile(values, 99) * 1000,
            "max": max(values) * 1000 if values else float("nan"),
            "mean": statistics.fmean(values) * 1000 if values else float("nan")}
