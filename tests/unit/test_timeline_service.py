"""The timeline's writes on a real database: any order, any number of copies, the same result."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions, utcnow
from bot.incidents import service as incidents
from bot.incidents.queries import IncidentChannels
from bot.timeline import service
from bot.timeline.models import MessageRevision, TimelineMessage
from bot.timeline.values import Capture, Deleted, Edited, KeyMark, Posted, ts_time
from bot.timeline.writer import TimelineWriter

CHANNEL = "C0INCIDENT"
CHANNELS = IncidentChannels()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    factory = make_sessions(engine)
    with factory.begin() as s:
        incident, _ = incidents.declare(s, IncidentConfig(), incidents.Declaration(title="t", reporter_id="U1"),
                                        utcnow())
        incidents.record_channel(s, incident.id, CHANNEL, "inc-1-t", utcnow())
    yield factory
    engine.dispose()


def _message(ts: str, text: str, edit_ts: str | None = None) -> Posted:
    return Posted(CHANNEL, ts, "U2", text, edit_ts=edit_ts)


def _state(sessions: sessionmaker[Session], ts: str) -> tuple[Any, ...]:
    with sessions() as s:
        row = s.scalar(select(TimelineMessage).where(TimelineMessage.ts == ts))
        assert row is not None
        history = s.scalars(select(MessageRevision.text).where(MessageRevision.message_id == row.id)
                            .order_by(MessageRevision.edit_ts)).all()
        return row.text, row.deleted_at is not None, row.is_key, list(history)


def _apply(sessions: sessionmaker[Session], items: list[Capture]) -> None:
    for item in items:  # one transaction each, as separate deliveries would be
        with sessions.begin() as s:
            service.apply(s, [item], utcnow(), CHANNELS)


def test_edits_in_any_order_and_any_number_of_copies_end_in_the_newest_text(
        sessions: sessionmaker[Session]) -> None:
    for n, order in enumerate(itertools.permutations(range(3))):
        ts = f"1800000000.{n:06d}"
        steps: list[Capture] = [_message(ts, "v1"), Edited(_message(ts, "v2", f"1800000001.{n:06d}"), "v1"),
                                Edited(_message(ts, "v3", f"1800000002.{n:06d}"), "v2")]
        _apply(sessions, [steps[i] for i in order] + [steps[order[0]]])
        assert _state(sessions, ts) == ("v3", False, False, ["v1", "v2"]), order


def test_a_deletion_in_any_order_leaves_only_a_tombstone(sessions: sessionmaker[Session]) -> None:
    for n, order in enumerate(itertools.permutations(range(4))):
        ts = f"1800000100.{n:06d}"
        steps: list[Capture] = [_message(ts, "secret"),
                                Edited(_message(ts, "secret!", f"1800000101.{n:06d}"), "secret"),
                                Deleted(CHANNEL, ts, "U2", "U2", f"1800000102.{n:06d}"),
                                KeyMark(CHANNEL, ts, "U3", True)]
        _apply(sessions, [steps[i] for i in order])
        text, deleted, _, history = _state(sessions, ts)
        assert (text, deleted, history) == (None, True, []), order


def test_a_batch_with_duplicates_stores_each_message_once(sessions: sessionmaker[Session]) -> None:
    batch: list[Capture] = [_message(f"1800000200.{i:06d}", f"m{i}") for i in range(50)]
    with sessions.begin() as s:
        assert service.apply(s, batch + batch[:10], utcnow(), CHANNELS) == 60
    with sessions.begin() as s:
        service.apply(s, batch, utcnow(), CHANNELS)
    with sessions() as s:
        assert len(s.scalars(select(TimelineMessage.id)).all()) == 50


def test_messages_of_other_channels_are_not_kept(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        assert service.apply(s, [Posted("C0ELSEWHERE", "1800000300.000001", "U2", "hi")], utcnow(), CHANNELS) == 0
    with sessions() as s:
        assert s.scalars(select(TimelineMessage.id)).all() == []


def test_the_writer_stores_what_is_submitted_in_batches(sessions: sessionmaker[Session]) -> None:
    writer = TimelineWriter(sessions, utcnow, CHANNELS, shards=2, batch=7)
    try:
        for i in range(40):
            writer.submit(_message(f"1800000400.{i:06d}", f"m{i}"))
        writer.submit(_message("1800000400.000003", "a retry"))
        writer.submit(Edited(_message("1800000400.000005", "m5 edited", "1800000401.000000"), "m5"))
        assert writer.wait_idle(10)
    finally:
        writer.close()
    with sessions() as s:
        texts = dict(s.execute(select(TimelineMessage.ts, TimelineMessage.text)).all())
    assert len(texts) == 40
    assert texts["1800000400.000003"] == "m3" and texts["1800000400.000005"] == "m5 edited"


def test_slack_timestamps_become_exact_utc_times() -> None:
    at = ts_time("1700000000.000123")
    assert at is not None and at.isoformat() == "2023-11-14T22:13:20.000123+00:00"
    assert ts_time("garbage") is None and ts_time(None) is None
