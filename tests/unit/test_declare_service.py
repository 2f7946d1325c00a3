"""The declare service on a real database: numbering under concurrency, request keys, validation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import alembic_config, make_engine, make_sessions, migrate, utcnow
from bot.errors import InvalidInput
from bot.incidents import service
from bot.incidents.models import Incident
from bot.timeline.models import TimelineEvent

CONFIG = IncidentConfig()


def test_concurrent_declarations_get_consecutive_unique_numbers(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    errors: list[BaseException] = []

    def declare(i: int) -> None:
        try:
            with sessions.begin() as s:
                service.declare(s, CONFIG, service.Declaration(title=f"storm {i}", reporter_id="U1"), utcnow())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as s:
        assert sorted(s.scalars(select(Incident.number))) == list(range(1, 13))
        assert len(s.scalars(select(TimelineEvent).where(TimelineEvent.kind == "declared")).all()) == 12
    engine.dispose()


def test_the_same_request_key_declares_once(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    d = service.Declaration(title="Twice", reporter_id="U1", request_key="view:V1")
    with sessions.begin() as s:
        first, created = service.declare(s, CONFIG, d, utcnow())
        assert created
    with sessions.begin() as s:
        again, created = service.declare(s, CONFIG, d, utcnow())
        assert not created and again.id == first.id
    engine.dispose()


def _declare(sessions: sessionmaker[Session], title: str) -> int:
    with sessions.begin() as s:
        incident, _ = service.declare(s, CONFIG, service.Declaration(title=title, reporter_id="U1"), utcnow())
        return int(incident.number)


def test_a_rolled_back_declaration_gives_its_number_back_and_a_withdrawn_one_keeps_it(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    with sessions() as s, s.begin():
        incident, _ = service.declare(s, CONFIG, service.Declaration(title="rolled back", reporter_id="U1"),
                                      utcnow())
        assert incident.number == 1
        s.rollback()
    assert _declare(sessions, "first") == 1
    with sessions.begin() as s:  # its channel was refused: withdrawn, its number not handed out again
        service.withdraw(s, s.scalars(select(Incident.id).where(Incident.number == 1)).one())
    assert _declare(sessions, "second") == 2
    engine.dispose()


def test_the_counter_counts_on_from_the_incidents_already_there(tmp_path: Path) -> None:
    """The migration seeds it from max(number); a counter row lost (a database emptied by hand) is made again."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO incidents (number, title, description, severity, status, is_private, "
                          "is_drill, reporter_id, declared_at, setup_state) VALUES (41, 'old', '', 'SEV3', "
                          "'closed', 0, 0, 'U1', '2026-01-01 00:00:00', 'ready')"))
    migrate(engine)
    sessions = make_sessions(engine)
    assert _declare(sessions, "after the upgrade") == 42
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM incident_counters"))
    assert _declare(sessions, "counter lost") == 43
    engine.dispose()


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"title": "  "}, "title", "needs a title"),
    ({"severity": "sev9"}, "severity", "Use one of: SEV1, SEV2, SEV3, SEV4"),
    ({"priority": "urgent"}, "priority", "Use one of: P1, P2, P3, P4"),
    ({"category": "weather"}, "category", "is not a category"),
    ({"service": "s" * 201}, "service", "too long"),
    ({"description": "d" * 3001}, "description", "keep it under 3000"),
])
def test_validation_names_the_field_and_what_to_type(fields: dict[str, str], field: str, fragment: str) -> None:
    d = service.Declaration(**{"title": "ok", "reporter_id": "U1", **fields})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as err:
        service.validate(CONFIG, d)
    assert err.value.field == field and fragment in err.value.message


@pytest.mark.parametrize("typed", ["sev1", "SEV1", "1", " Sev1 "])
def test_severities_are_read_the_way_people_type_them(typed: str) -> None:
    d = service.validate(CONFIG, service.Declaration(title="x", reporter_id="U1", severity=typed))
    assert d.severity == "SEV1"


def test_titles_are_tidied_and_defaults_applied() -> None:
    d = service.validate(CONFIG, service.Declaration(title="  Checkout \n  down ", reporter_id="U1"))
    assert d.title == "Checkout down" and d.severity == "SEV3" and d.priority is None
