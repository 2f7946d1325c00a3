"""Posting the runbooks that match, on a real database with an in-memory checklist chat."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.runbooks.models import RunbookChecklist
from bot.runbooks.posting import post_matching
from tests.fakes import FakeChecklists
from tests.unit.conftest import Declare

CONFIG = IncidentConfig()


def test_each_matching_runbook_is_posted_once(sessions: sessionmaker[Session], declare: Declare) -> None:
    incident = declare(severity="SEV1", category="database")
    checklists = FakeChecklists()
    first = post_matching(sessions, CONFIG, checklists, incident.id, utcnow, reason="on declare")
    again = post_matching(sessions, CONFIG, checklists, incident.id, utcnow, reason="severity changed to SEV2")
    assert [c.runbook for c in first.posted] == ["database-outage", "major-incident"] and first.failed == []
    assert again.posted == [] and again.failed == []
    assert checklists.names(incident.channel_id or "") == ["database-outage", "major-incident"]
    with sessions() as s:
        assert {(c.runbook, c.message_ts is not None) for c in s.scalars(select(RunbookChecklist))} == {
            ("database-outage", True), ("major-incident", True)}


def test_a_runbook_that_could_not_be_posted_is_reported_and_released(
        sessions: sessionmaker[Session], declare: Declare) -> None:
    incident = declare(category="security")
    checklists = FakeChecklists()
    checklists.fail("post the checklist", "not_in_channel")
    refused = post_matching(sessions, CONFIG, checklists, incident.id, utcnow, reason="on declare")
    assert refused.posted == [] and refused.failed == [("security-breach", "not_in_channel")]
    checklists.heal("post the checklist")
    retried = post_matching(sessions, CONFIG, checklists, incident.id, utcnow, reason="category changed")
    assert [c.runbook for c in retried.posted] == ["security-breach"]
    assert checklists.posted[incident.channel_id or ""][0].reason == "category changed"
