"""Closing on a real database with an in-memory chat and postmortem desk: the postmortem is stored, posted
and linked, and no transaction is open while the desk is asked for names."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.errors import DomainError
from bot.incidents.models import Incident
from bot.incidents.news import PostmortemPublished
from bot.incidents.snapshots import IncidentSnapshot
from bot.postmortem.closing import close
from bot.postmortem.models import Postmortem
from bot.postmortem.render import Templates
from tests.fakes import FakeChat, FakeDesk
from tests.unit.conftest import Declare

CONFIG = IncidentConfig()


def _close(sessions: sessionmaker[Session], chat: FakeChat, desk: FakeDesk, incident: IncidentSnapshot,
           config: IncidentConfig = CONFIG) -> IncidentSnapshot:
    return close(sessions, config, chat, desk, Templates(config), incident, "U_ALICE", utcnow)


def _postmortem(sessions: sessionmaker[Session]) -> Postmortem:
    with sessions() as s:
        return s.scalars(select(Postmortem)).one()


def test_closing_stores_posts_and_links_the_postmortem(
        sessions: sessionmaker[Session], sqlite_url: str, chat: FakeChat, declare: Declare) -> None:
    desk = FakeDesk({"U_ALICE": "Alice Ng"}, database_url=sqlite_url)
    after = _close(sessions, chat, desk, declare())
    assert after.status == "closed"
    [(filename, markdown)] = desk.files[after.channel_id or ""]
    assert filename == "postmortem-inc-1-checkout-is-down.md" and "Checkout is down" in markdown
    assert "Alice Ng" in markdown
    stored = _postmortem(sessions)
    assert stored.markdown == markdown and stored.permalink == after.postmortem_permalink is not None
    assert chat.announcements[1].shows.postmortem_permalink == after.postmortem_permalink
    assert chat.replies[1][-1] == PostmortemPublished(after.postmortem_permalink, "U_ALICE")
    assert desk.archived == set()


def test_the_desk_is_asked_for_names_while_no_transaction_is_open(
        sessions: sessionmaker[Session], sqlite_url: str, chat: FakeChat, declare: Declare) -> None:
    desk = FakeDesk(database_url=sqlite_url)
    _close(sessions, chat, desk, declare())
    assert desk.asked and "U_ALICE" in desk.asked[0]
    assert desk.violations == []


def test_the_no_transaction_guard_sees_an_open_transaction(sessions: sessionmaker[Session], sqlite_url: str) -> None:
    desk = FakeDesk(database_url=sqlite_url)
    with sessions.begin() as s:
        s.get(Incident, 1)  # any statement begins the bot's transaction (BEGIN IMMEDIATE)
        desk.names({"U_ALICE"})
    assert len(desk.violations) == 1 and "names asked while a transaction was open" in desk.violations[0]


def test_closing_archives_the_channel_when_configured(
        sessions: sessionmaker[Session], sqlite_url: str, chat: FakeChat, declare: Declare) -> None:
    config = IncidentConfig(archive_on_close=True)
    desk = FakeDesk(database_url=sqlite_url)
    after = _close(sessions, chat, desk, declare(config), config)
    assert desk.archived == {after.channel_id}


def test_a_failed_upload_keeps_the_postmortem_and_says_how_to_print_it(
        sessions: sessionmaker[Session], sqlite_url: str, chat: FakeChat, declare: Declare) -> None:
    config = IncidentConfig(archive_on_close=True)
    desk = FakeDesk(database_url=sqlite_url)
    desk.fail("post the postmortem", "not_in_channel")
    with pytest.raises(DomainError, match=r"The postmortem is stored \(print it with `incident-bot postmortem 1`\) "
                                          r"but could not be posted in the channel \(not_in_channel\)"):
        _close(sessions, chat, desk, declare(config), config)
    stored = _postmortem(sessions)
    assert "Checkout is down" in stored.markdown and stored.file_id is None
    with sessions() as s:
        assert s.scalar(select(Incident.status)) == "closed"
    assert desk.archived == set()  # the channel stays until the postmortem is in it
