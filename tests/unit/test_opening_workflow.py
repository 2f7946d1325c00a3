"""The declare workflow on a real database with an in-memory chat: what a declarer sees."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.errors import DomainError
from bot.incidents import service
from bot.incidents.models import Incident
from bot.incidents.opening import declare_incident
from bot.incidents.snapshots import IncidentSnapshot
from bot.runbooks.posting import Shelf
from bot.timeline.models import TimelineEvent
from tests.fakes import FakeChat, FakeChecklists, FakeShelf

CONFIG = IncidentConfig()


def _declare(sessions: sessionmaker[Session], chat: FakeChat, shelf: FakeShelf | Shelf | None = None,
             **fields: Any) -> tuple[IncidentSnapshot, bool]:
    d = service.Declaration(**{"title": "Checkout is down", "reporter_id": "U_ALICE", **fields})
    return declare_incident(sessions, CONFIG, chat, d, utcnow, runbooks=shelf or FakeShelf())


def _row(sessions: sessionmaker[Session], number: int = 1) -> Incident:
    with sessions() as s:
        row = s.scalar(select(Incident).where(Incident.number == number))
        assert row is not None
        return row


def test_declaring_opens_the_channel_posts_and_pins_the_card_and_announces(
        sessions: sessionmaker[Session], chat: FakeChat) -> None:
    shelf = FakeShelf()
    _declare(sessions, chat, shelf)
    channel = chat.channels["inc-1-checkout-is-down"]
    assert channel.members == {"U_ALICE"} and channel.topic is not None and channel.purpose is not None
    card = chat.cards[channel.id]
    assert card.pinned and card.shows.title == "Checkout is down"
    assert chat.announcements[1].channel_id == chat.announce_channel
    row = _row(sessions)
    assert (row.setup_state, row.channel_id, row.card_ts) == ("ready", channel.id, card.ts)
    assert (row.announcement_channel_id, row.announcement_ts) == (chat.announce_channel, chat.announcements[1].ts)
    assert shelf.asked == [(row.id, "on declare")]


def test_a_taken_channel_name_gets_the_next_suffix(sessions: sessionmaker[Session], chat: FakeChat) -> None:
    chat.add_channel("inc-1-checkout-is-down")  # someone else's
    _declare(sessions, chat)
    assert _row(sessions).channel_name == "inc-1-checkout-is-down-2"
    assert chat.cards[chat.channels["inc-1-checkout-is-down-2"].id].pinned


def test_a_double_submission_declares_one_incident(sessions: sessionmaker[Session], chat: FakeChat) -> None:
    _, first = _declare(sessions, chat, request_key="view:V1")
    _, second = _declare(sessions, chat, request_key="view:V1")
    assert (first, second) == (True, False)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1
    assert chat.calls.count("create the channel") == 1 and len(chat.announcements) == 1


def test_a_failed_announcement_is_recorded_said_in_the_channel_and_named(
        sessions: sessionmaker[Session], chat: FakeChat) -> None:
    chat.fail("announce", "channel_not_found")
    with pytest.raises(DomainError, match=r"could not announce the incident \(channel_not_found\)"):
        _declare(sessions, chat)
    row = _row(sessions)
    assert row.setup_state == "failed" and "could not announce the incident" in (row.setup_error or "")
    assert chat.posts[row.channel_id or ""] == [row.setup_error]
    assert chat.cards[row.channel_id or ""].pinned  # the rest of the set-up went ahead
    with sessions() as s:
        assert s.scalar(select(TimelineEvent.text).where(TimelineEvent.kind == "setup_failed")) == row.setup_error


def test_a_channel_slack_refuses_withdraws_the_declaration(sessions: sessionmaker[Session], chat: FakeChat) -> None:
    chat.fail("create the channel", "restricted_action")
    with pytest.raises(DomainError, match="Nothing was recorded"):
        _declare(sessions, chat)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_private_incident_is_not_announced(sessions: sessionmaker[Session], chat: FakeChat) -> None:
    _declare(sessions, chat, private=True)
    assert chat.announcements == {} and _row(sessions).setup_state == "ready"
    assert chat.channels["inc-1-checkout-is-down"].private


def test_the_runbooks_shelf_posts_what_matches_on_declare(sessions: sessionmaker[Session], chat: FakeChat) -> None:
    checklists = FakeChecklists()
    _declare(sessions, chat, Shelf(sessions, CONFIG, checklists, utcnow), category="security", severity="SEV1")
    channel_id = chat.channels["inc-1-checkout-is-down"].id
    assert checklists.names(channel_id) == ["major-incident", "security-breach"]
    assert {c.reason for c in checklists.posted[channel_id]} == {"on declare"}


def test_a_runbook_that_could_not_be_posted_is_named_though_the_incident_is_ready(
        sessions: sessionmaker[Session], chat: FakeChat) -> None:
    with pytest.raises(DomainError, match=r"could not post the runbook `security-breach` \(not_in_channel\)"):
        _declare(sessions, chat, FakeShelf(failing=[("security-breach", "not_in_channel")]))
    assert _row(sessions).setup_state == "ready"
