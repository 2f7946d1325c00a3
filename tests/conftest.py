"""Fixtures: a real database (SQLite file and PostgreSQL), the Slack emulator, and the bot served over HTTP."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.config import IncidentConfig, Settings, normalize_database_url
from bot.db import make_engine, migrate
from bot.emulator import SlackEmulator
from bot.incidents.models import Incident
from bot.runtime import BotRuntime

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"
SIGNING_SECRET = "test-signing-secret"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_admin_url() -> str:
    return normalize_database_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)


@contextmanager
def scratch_postgres(prefix: str, *, migrated: bool = True) -> Iterator[str]:
    """A new PostgreSQL database of its own (dropped afterwards), migrated unless asked not to. Skipped
    locally if PostgreSQL is down; with CI set it must run, so it fails instead."""
    admin_url = _pg_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required when CI is set and is not reachable at {admin_url}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {admin_url}")
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            engine = make_engine(url)
            migrate(engine)
            engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A PostgreSQL database of this test worker's own, migrated once."""
    with scratch_postgres(f"incident_bot_test_{worker_id}") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")).all()
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or this worker's PostgreSQL database emptied."""
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return str(url)


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    """A fresh Slack workspace behind a real HTTP server on loopback."""
    with SlackEmulator(signing_secret=SIGNING_SECRET) as emulator:
        yield emulator


@dataclass
class Harness:
    """The bot served over HTTP against the emulator, with its database at hand."""

    runtime: BotRuntime
    emu: SlackEmulator

    @property
    def config(self) -> IncidentConfig:
        return self.runtime.settings.incident

    def incidents(self) -> list[Incident]:
        """Every incident row, by number."""
        with self.runtime.sessions() as session:
            return list(session.scalars(select(Incident).order_by(Incident.number)))

    def incident(self, number: int) -> Incident:
        with self.runtime.sessions() as session:
            found = session.scalar(select(Incident).where(Incident.number == number))
            assert found is not None, f"no incident #{number}"
            return found

    def wait_ready(self, number: int = 1, timeout: float = 10.0) -> Incident:
        """Wait until incident `number` has left the opening state; return it."""
        def ready() -> Incident | None:
            found = [i for i in self.incidents() if i.number == number and i.setup_state != "opening"]
            return found[0] if found else None
        incident = self.emu.wait_for(ready, timeout=timeout)
        assert incident is not None  # wait_for returns only a truthy value
        return incident


def make_settings(emu: SlackEmulator, database_url: str, **overrides: Any) -> Settings:
    """Settings pointing the bot at the emulator."""
    values: dict[str, Any] = dict(
        database_url=database_url, slack_bot_token=emu.bot_token, slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emu.api_url, announce_channel=emu.channel_id("incidents"),
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_bot(emu: SlackEmulator, database_url: str) -> Iterator[Any]:
    """Start the bot with optional Settings overrides (and `clock=`); stopped at the end of the test."""
    started: list[BotRuntime] = []

    def start(clock: Any = None, **overrides: Any) -> Harness:
        settings = make_settings(emu, database_url, **overrides)
        runtime = BotRuntime(settings, clock=clock) if clock else BotRuntime(settings)
        server = runtime.http("127.0.0.1", 0).start()
        emu.app_url = f"{server.url}/slack/events"
        started.append(runtime)
        # as serve does; waiting for the start-up catch-up keeps its history reads out of what a test counts
        runtime.start().result(timeout=30)
        return Harness(runtime, emu)

    yield start
    for runtime in started:
        runtime.close()


@pytest.fixture
def bot(make_bot: Any) -> Harness:
    """The bot with default settings, announcing to #incidents."""
    return make_bot()
