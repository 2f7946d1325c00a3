"""Steering an incident on a real database with an in-memory chat: who is told what, what is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.errors import DomainError, InvalidInput
from bot.incidents import steering
from bot.incidents.models import Incident, RoleAssignment
from bot.incidents.news import LevelChange, Reclassified, RoleChange, StatusUpdate
from bot.incidents.permissions import NotAllowed
from bot.incidents.snapshots import IncidentSnapshot
from bot.timeline.models import TimelineEvent
from tests.fakes import FakeChat, FakeShelf
from tests.unit.conftest import Declare

CONFIG = IncidentConfig()
COMMANDER_ONLY = IncidentConfig(permission="commander", admins=("U_ADMIN", "S_ONCALL"))


def _events(sessions: sessionmaker[Session], kind: str | None = None) -> list[str]:
    with sessions() as s:
        query = select(TimelineEvent.text).order_by(TimelineEvent.id)
        return list(s.scalars(query.where(TimelineEvent.kind == kind) if kind else query))


def _severity(sessions: sessionmaker[Session], chat: FakeChat, incident: IncidentSnapshot, to: str, by: str = "U_ALICE",
              shelf: FakeShelf | None = None, config: IncidentConfig = CONFIG) -> IncidentSnapshot:
    return steering.change_levels(sessions, config, chat, incident, by, severity_to=to,
                                  reason="checkout down everywhere", now=utcnow, runbooks=shelf)


def test_a_severity_raised_to_major_is_told_in_the_channel_topic_card_and_announcement_thread(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    shelf = FakeShelf()
    after = _severity(sessions, chat, incident, "SEV1", shelf=shelf)
    change = LevelChange("severity", "SEV3", "SEV1", "U_ALICE", "checkout down everywhere", crossed_major=True,
                         now_major=True)
    assert chat.news_in(after) == [change]
    assert chat.replies[1] == [change]
    assert chat.channel(after.channel_id).topic == after and chat.cards[after.channel_id or ""].shows == after
    assert chat.announcements[1].shows == after
    assert shelf.reasons == ["severity changed to SEV1"]
    assert _events(sessions, "severity_changed") == ["Severity SEV3 → SEV1: checkout down everywhere"]


def test_a_severity_change_between_major_levels_is_not_threaded_under_the_announcement(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare(severity="SEV2")
    after = _severity(sessions, chat, incident, "SEV1")
    assert [c.new for c in chat.news_in(after) if isinstance(c, LevelChange)] == ["SEV1"]
    assert 1 not in chat.replies and chat.announcements[1].shows.severity == "SEV1"


def test_the_same_severity_again_is_refused_and_nothing_is_told(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    calls = len(chat.calls)
    with pytest.raises(DomainError, match="already SEV3"):
        _severity(sessions, chat, incident, "SEV3")
    assert len(chat.calls) == calls and _events(sessions, "severity_changed") == []


def test_a_commander_hand_over_is_told_and_the_new_commander_gets_the_duties_and_an_invitation(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    incident = steering.assign_role(sessions, CONFIG, chat, incident, "U_BOB", "commander", ["U_BOB"], utcnow)
    after = steering.assign_role(sessions, CONFIG, chat, incident, "U_BOB", "commander", ["U_CAROL"], utcnow)
    handed = RoleChange("commander", "U_CAROL", "U_BOB", "U_BOB", CONFIG.roles[0].description)
    assert chat.news_in(after)[-1] == handed
    assert chat.dms["U_CAROL"] == [handed]
    assert {"U_BOB", "U_CAROL"} <= chat.channel(after.channel_id).members
    assert after.holders_of("commander") == ("U_CAROL",)
    with sessions() as s:
        relieved = s.scalar(select(RoleAssignment).where(RoleAssignment.user_id == "U_BOB"))
        assert relieved is not None and relieved.relieved_by == "U_BOB"


def test_a_move_the_lifecycle_refuses_leaves_nothing_written_or_said(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    declined = steering.move_status(sessions, CONFIG, chat, incident, "U_ALICE", "declined", utcnow)
    events, calls = _events(sessions), list(chat.calls)
    with pytest.raises(DomainError, match="nothing leaves declined"):
        steering.move_status(sessions, CONFIG, chat, declined, "U_ALICE", "identified", utcnow)
    assert _events(sessions) == events and chat.calls == calls
    with sessions() as s:
        assert s.scalar(select(Incident.status)) == "declined"


def test_a_status_update_is_told_in_the_channel_and_under_the_announcement(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    after = steering.post_update(sessions, CONFIG, chat, incident, "U_ALICE", "Rolling back the deploy", utcnow)
    told = chat.news_in(after)
    assert [c.text for c in told if isinstance(c, StatusUpdate)] == ["Rolling back the deploy"]
    assert chat.replies[1] == told
    assert chat.cards[after.channel_id or ""].edits == 1 and after.last_update_at is not None
    assert _events(sessions, "update_posted") == ["Rolling back the deploy"]


def test_a_new_category_refreshes_both_cards_and_rematches_runbooks_without_a_channel_post(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    shelf = FakeShelf()
    told: list[object] = []
    after = steering.reclassify(sessions, CONFIG, chat, incident, "U_ALICE", "category", "security", utcnow,
                                runbooks=shelf, committed=told.extend)
    assert told == [Reclassified("category", None, "security", "U_ALICE")]  # the command's answer says it
    assert chat.news_in(after) == [] and 1 not in chat.replies
    assert chat.cards[after.channel_id or ""].shows.category == "security"
    assert chat.announcements[1].shows.category == "security" and chat.announcements[1].edits == 1
    assert shelf.reasons == ["category changed to security"]
    assert _events(sessions, "category_changed") == ["Category changed: none → security"]


def test_a_shelf_that_breaks_after_the_change_leaves_it_recorded_and_says_so(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    with pytest.raises(DomainError, match="could not be posted") as refused:
        steering.reclassify(sessions, CONFIG, chat, incident, "U_ALICE", "category", "security", utcnow,
                            runbooks=FakeShelf(broken=True))
    assert "Nothing was changed" not in str(refused.value)
    assert _events(sessions, "category_changed") == ["Category changed: none → security"]
    assert chat.announcements[1].shows.category == "security"


def test_the_same_category_again_is_refused_and_nothing_is_recorded(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare(category="security")
    shelf = FakeShelf()
    with pytest.raises(InvalidInput, match=r"already is \*security\*"):
        steering.reclassify(sessions, CONFIG, chat, incident, "U_ALICE", "category", "security", utcnow,
                            runbooks=shelf)
    assert _events(sessions, "category_changed") == [] and shelf.asked == []
    assert chat.announcements[1].edits == 0


def test_a_failed_chat_step_leaves_the_change_recorded_and_names_the_step(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare()
    chat.fail("update the announcement", "channel_not_found")
    with pytest.raises(DomainError, match=r"is recorded, but the bot could not update the announcement "
                                          r"\(channel_not_found\)"):
        _severity(sessions, chat, incident, "SEV1")
    with sessions() as s:
        assert s.scalar(select(Incident.severity)) == "SEV1"
    assert chat.cards[incident.channel_id or ""].shows.severity == "SEV1"  # the other steps went ahead


def test_with_commander_permission_someone_else_is_refused_naming_the_commander(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare(COMMANDER_ONLY)
    led = steering.assign_role(sessions, COMMANDER_ONLY, chat, incident, "U_BOB", "commander", ["U_BOB"], utcnow)
    with pytest.raises(NotAllowed, match=r"Only the commander of Incident #1 \(<@U_BOB>\) or an admin "
                                         r"\(<@U_ADMIN>, <!subteam\^S_ONCALL>\) can change the severity"):
        _severity(sessions, chat, led, "SEV1", by="U_CAROL", config=COMMANDER_ONLY)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(TimelineEvent)
                        .where(TimelineEvent.kind == "severity_changed")) == 0


def test_with_commander_permission_an_admin_may_steer(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    incident = declare(COMMANDER_ONLY)
    led = steering.assign_role(sessions, COMMANDER_ONLY, chat, incident, "U_BOB", "commander", ["U_BOB"], utcnow)
    assert _severity(sessions, chat, led, "SEV1", by="U_ADMIN", config=COMMANDER_ONLY).severity == "SEV1"


def test_with_commander_permission_a_member_of_an_admin_group_may_steer(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    chat.groups["S_ONCALL"] = {"U_DAVE"}
    incident = declare(COMMANDER_ONLY)
    led = steering.assign_role(sessions, COMMANDER_ONLY, chat, incident, "U_BOB", "commander", ["U_BOB"], utcnow)
    assert _severity(sessions, chat, led, "SEV1", by="U_DAVE", config=COMMANDER_ONLY).severity == "SEV1"
    assert "read the admin group" in chat.calls


def test_a_refusal_about_a_drill_calls_it_a_drill(
        sessions: sessionmaker[Session], chat: FakeChat, declare: Declare) -> None:
    drill = declare(drill=True)
    with pytest.raises(DomainError, match="DRILL #1 is already investigating"):
        steering.move_status(sessions, CONFIG, chat, drill, "U_ALICE", "investigating", utcnow)
