"""Fixtures for the workflow tests: a migrated SQLite file of the test's own, and the in-memory fakes."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions, utcnow
from bot.incidents import service
from bot.incidents.opening import declare_incident
from bot.incidents.snapshots import IncidentSnapshot
from tests.fakes import FakeChat, FakeShelf

Declare = Callable[..., IncidentSnapshot]


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database (a copy of the session's template)."""
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on that database, as the bot makes them (BEGIN IMMEDIATE, WAL)."""
    engine = make_engine(sqlite_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def chat() -> FakeChat:
    """A workspace with an announcement channel."""
    return FakeChat()


@pytest.fixture
def declare(sessions: sessionmaker[Session], chat: FakeChat) -> Declare:
    """Declare an incident through the real workflow on the fake chat; keyword arguments go to the
    Declaration, `config=` to the workflow."""
    def run(config: IncidentConfig | None = None, **fields: Any) -> IncidentSnapshot:
        fields.setdefault("title", "Checkout is down")
        fields.setdefault("reporter_id", "U_ALICE")
        view, _ = declare_incident(sessions, config or IncidentConfig(), chat, service.Declaration(**fields),
                                   utcnow, runbooks=FakeShelf())
        return view
    return run
