"""Leases on declarations being set up: a live one is left alone, an expired one is claimed exactly once, and
one whose holder is a process on this host that is gone is taken over at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions, utcnow
from bot.incidents import holders, leases, service
from bot.incidents.models import Incident
from tests.conftest import _empty_postgres

CONFIG = IncidentConfig()


ME = holders.me()


def _declare(sessions: sessionmaker[Session], held_for: float | None, holder: str = ME) -> int:
    with sessions.begin() as s:
        incident, _ = service.declare(s, CONFIG, service.Declaration(title="cut short", reporter_id="U1"), utcnow())
        if held_for is not None:
            leases.hold(s, incident.id, utcnow() + timedelta(seconds=held_for), holder)
        return int(incident.id)


def test_a_held_declaration_is_left_alone_and_an_expired_one_is_claimed_once(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    live, dead = _declare(sessions, 60), _declare(sessions, -1)
    until = utcnow() + timedelta(seconds=60)
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) == dead
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) is None  # both held now
    with sessions.begin() as s:
        service.record_ready(s, dead)
        leases.release(s, live, ME)
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) == live  # released: anyone may carry it on at once
    engine.dispose()


def test_two_replicas_claiming_at_once_get_different_incidents(postgres_url: str) -> None:
    """PostgreSQL only: row locks are what replicas share; SQLite serves one process."""
    _empty_postgres(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessions(engine)
    first, second = _declare(sessions, None), _declare(sessions, None)
    until = utcnow() + timedelta(seconds=60)
    with sessions.begin() as a, sessions.begin() as b:
        claimed_a = leases.claim_next(a, utcnow(), until, ME)
        claimed_b = leases.claim_next(b, utcnow(), until, ME)  # a's row is locked: skipped, not waited for
        assert {claimed_a, claimed_b} == {first, second}
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) is None
    engine.dispose()


def _dead_process() -> str:
    """The holder name a process on this host had, once it has exited."""
    child = subprocess.run([sys.executable, "-c", "from bot.incidents import holders; print(holders.me())"],
                           capture_output=True, text=True, check=True)
    return child.stdout.strip()


def test_a_lease_whose_holder_here_is_gone_is_freed_at_once_and_a_live_or_foreign_one_is_not(
        database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    place, pid, started = ME.rsplit("|", 2)
    live = _declare(sessions, 300)
    dead = _declare(sessions, 300, _dead_process())
    reused = _declare(sessions, 300, f"{place}|{pid}|{int(started) + 1}")  # our pid, but not us: gone
    foreign = _declare(sessions, 300, f"elsewhere|boot|ns|{pid}|1")  # another host: never judged
    with sessions.begin() as s:
        assert sorted(leases.free_orphans(s, utcnow(), holders.is_gone)) == [dead, reused]
    until = utcnow() + timedelta(seconds=60)
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) == dead
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) == reused
    with sessions.begin() as s:
        assert leases.claim_next(s, utcnow(), until, ME) is None  # the live and the foreign lease stand
        assert s.get_one(Incident, foreign).claimed_by == f"elsewhere|boot|ns|{pid}|1"
        assert s.get_one(Incident, live).claimed_by == ME
    engine.dispose()


def test_only_the_holder_renews_or_releases_its_lease(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    incident_id = _declare(sessions, 300, "elsewhere|boot|ns|1|1")
    with sessions.begin() as s:
        leases.renew(s, incident_id, utcnow() - timedelta(seconds=1), ME)
        leases.release(s, incident_id, ME)
    with sessions.begin() as s:
        row = s.get_one(Incident, incident_id)
        assert row.claimed_by == "elsewhere|boot|ns|1|1" and row.claimed_until is not None
        assert row.claimed_until > utcnow()
    engine.dispose()
