"""The declare service on a real database: numbering under concurrency, request keys, validation."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions, utcnow
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
