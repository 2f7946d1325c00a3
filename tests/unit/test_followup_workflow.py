"""Adding a follow-up through the steering path, with an in-memory chat."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.followups.adding import add_followup
from bot.followups.models import Followup
from bot.followups.service import FollowupRequest
from bot.incidents.news import FollowupAdded
from bot.timeline.models import TimelineEvent
from tests.fakes import FakeChat
from tests.unit.conftest import Declare


def test_a_follow_up_is_recorded_on_the_timeline_and_told_in_the_channel(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    request = FollowupRequest("Add an alert on queue depth", "U_BOB", date(2030, 1, 31))
    after = add_followup(sessions, IncidentConfig(), chat, incident, "U_ALICE", request, utcnow, source_ts="1.2")
    with sessions() as s:
        row = s.scalars(select(Followup)).one()
        assert (row.text, row.owner_id, row.due_on, row.created_by, row.source_ts) == (
            "Add an alert on queue depth", "U_BOB", date(2030, 1, 31), "U_ALICE", "1.2")
        event = s.scalars(select(TimelineEvent).where(TimelineEvent.kind == "followup_added")).one()
        assert event.text == "Follow-up: Add an alert on queue depth" and event.actor_id == "U_ALICE"
    assert chat.news_in(after) == [FollowupAdded("Add an alert on queue depth", "U_ALICE", "U_BOB", "2030-01-31")]
    assert 1 not in chat.replies  # follow-ups stay in the channel
