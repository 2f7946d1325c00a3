"""Leases on declarations being set up: a live one is left alone, an expired one is claimed exactly once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions, utcnow
from bot.incidents import leases, service
from tests.conftest import _empty_postgres

CONFIG = IncidentConfig()


def _declare(sessions: sessionmaker[Session], held_for: float | None) -> int:
    with sessions.begin() as s:
        incident, _ = service.declare(s, CONFIG, service.Declaration(title="cut short", reporter_id="U1"), utcnow())
        if held_for is not None:
            leases.hold(s, incident.id, utcnow() + timedelta(seconds=held_for))
        return int(incident.id)


def test_a_held_declaration_is_left_alone_and_an_expired_one_is_claimed_once(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    live, dead = _declare(sessions, 60), _declare(sessions, -1)
    until = utcnow() + timedelta(seconds=60)
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until) == dead
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until) is None  # both held now
    with sessions.begin() as s:
        service.record_ready(s, dead)
        leases.release(s, live)
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until) == live  # released: anyone may carry it on at once
    engine.dispose()


def test_two_replicas_claiming_at_once_get_different_incidents(postgres_url: str) -> None:
    """PostgreSQL only: row locks are what replicas share; SQLite serves one process."""
    _empty_postgres(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessions(engine)
    first, second = _declare(sessions, None), _declare(sessions, None)
    until = utcnow() + timedelta(seconds=60)
    with sessions.begin() as a, sessions.begin() as b:
        claimed_a = leases.claim_next(a, utcnow(), until)
        claimed_b = leases.claim_next(b, utcnow(), until)  # a's row is locked: skipped, not waited for
        assert {claimed_a, claimed_b} == {first, second}
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until) is None
    engine.dispose()
