"""Scale out: two `serve` processes on one PostgreSQL database, fed the same and interleaved traffic.

Slack may deliver a retry to another replica than the first copy, a load balancer spreads commands and
form submissions over replicas, and two people may act at the same moment on different replicas: the
database (unique keys, row locks), not any process's memory, must make each thing happen once.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.emulator import SlackEmulator
from bot.emulator.delivery import Response, post_signed
from tests.conftest import SIGNING_SECRET, scratch_postgres
from tests.scenarios.serve_helpers import Served

TITLE = "Replicas share one database"


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, migrated PostgreSQL database of this test's own."""
    with scratch_postgres("incident_bot_replicas") as url:
        yield url


@pytest.fixture
def replicas(fresh_postgres: str, emu: SlackEmulator, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    started = [Served(emu, fresh_postgres, tmp_path, name) for name in ("a", "b")]
    try:
        for s in started:
            s.wait_healthy()
        emu.app_url = started[0].events_url  # where the emulator's own events (echoes, joins) go
        yield started[0], started[1]
    finally:
        for s in started:
            s.stop()


@pytest.fixture
def db(fresh_postgres: str) -> Iterator[Engine]:
    engine = create_engine(fresh_postgres)
    yield engine
    engine.dispose()


def query(db: Engine, sql: str, **params: Any) -> list[Any]:
    with db.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def at_once(*calls: Callable[[], Response]) -> list[int]:
    """Run the calls on their own threads, released together; their HTTP statuses."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(i: int, call: Callable[[], Response]) -> None:
        barrier.wait()
        statuses[i] = call().status

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return statuses


def event_body(emu: SlackEmulator, event: dict[str, Any], event_id: str) -> bytes:
    return json.dumps({
        "token": "verification-token", "team_id": emu.team_id, "api_app_id": "A0001", "event": event,
        "type": "event_callback", "event_id": event_id, "event_time": int(float(event["ts"])),
        "authorizations": [{"team_id": emu.team_id, "user_id": emu.bot_user_id, "is_bot": True}],
    }).encode()


def deliver(url: str, body: bytes, content_type: str = "application/json") -> Callable[[], Response]:
    return lambda: post_signed(url, body, content_type, SIGNING_SECRET)


def wait_incident(emu: SlackEmulator, db: Engine, title: str) -> Any:
    def ready() -> Any:
        found = query(db, "SELECT id, number, channel_id FROM incidents WHERE title = :t AND setup_state = 'ready'",
                      t=title)
        return found[0] if found else None
    return emu.wait_for(ready, timeout=20)


def test_two_replicas_on_one_database_do_everything_once(replicas: tuple[Served, Served], emu: SlackEmulator,
                                                          db: Engine) -> None:
    a, b = replicas
    alice, bob, carol, dave = (emu.user_id(n) for n in ("alice", "bob", "carol", "dave"))

    # A declaration by slash command to one replica.
    assert a.driver.slash_command(alice, emu.channel_id("general"), "/incident", f"declare {TITLE}").status == 200
    incident = wait_incident(emu, db, TITLE)
    channel = incident.channel_id

    # The same modal submission (one view id, a double click landing on both replicas) at once.
    assert b.driver.slash_command(bob, emu.channel_id("general"), "/incident", "declare").status == 200
    view = emu.wait_for(lambda: [v for v in emu.views(user=bob) if v["callback_id"] == "declare_incident_modal"])[-1]
    submission = submission_body(emu, view, bob, "Search is slow on both replicas")
    form = "application/x-www-form-urlencoded"
    assert at_once(deliver(a.events_url, submission, form), deliver(b.events_url, submission, form)) == [200, 200]
    second = wait_incident(emu, db, "Search is slow on both replicas")

    # Messages: each delivered to both replicas with the same event id (a retry landing elsewhere), and
    # different messages alternating between the replicas.
    base = time.time()
    sent: list[str] = []
    for i in range(30):
        ts = f"{base + i:.6f}"
        event = {"type": "message", "text": f"finding {i}", "user": alice, "ts": ts, "team": emu.team_id,
                 "channel": channel, "channel_type": "channel", "event_ts": ts, "client_msg_id": f"cm-{ts}"}
        body = event_body(emu, event, f"Ev{uuid.uuid4().hex[:10].upper()}")
        sent.append(ts)
        if i % 3 == 0:
            assert at_once(deliver(a.events_url, body), deliver(b.events_url, body)) == [200, 200]
        else:
            assert deliver((a, b)[i % 2].events_url, body)().status == 200

    # Steering the same incident, alternating replicas, then two people at the same moment.
    def command(replica: Served, user: str, text_: str) -> Callable[[], Response]:
        return lambda: replica.driver.slash_command(user, channel, "/incident", text_)

    steps = [(a, alice, "severity sev2 spreading"), (b, bob, f"commander <@{bob}>"), (a, alice, "status identified"),
             (b, carol, "severity sev1 all regions"), (a, bob, f"communicator <@{carol}>"),
             (b, alice, "status monitoring")]
    def recorded() -> int:
        return len(query(db, "SELECT id FROM timeline_events WHERE incident_id = :i", i=incident.id))

    def landed(before: int, changes: int) -> None:
        """A command's work runs after its ack: wait for it, as a person waits to see a change before the next."""
        emu.wait_for(lambda: recorded() >= before + changes, timeout=30)

    for replica, user, text_ in steps:
        before = recorded()
        assert command(replica, user, text_)().status == 200
        landed(before, 1)
    before = recorded()
    assert at_once(command(a, alice, "severity sev3 contained"),
                   command(b, bob, "severity sev4 minor now")) == [200, 200]
    landed(before, 2)
    before = recorded()
    assert at_once(command(a, carol, f"commander <@{carol}>"), command(b, dave, f"commander <@{dave}>")) == [200, 200]
    landed(before, 2)
    before = recorded()
    assert at_once(command(a, alice, "severity sev2"), command(b, bob, "severity sev2")) == [200, 200]
    landed(before, 1)

    def stored() -> bool:
        return len(query(db, "SELECT ts FROM timeline_messages WHERE channel_id = :c", c=channel)) >= len(sent)
    emu.wait_for(stored, timeout=20)

    time.sleep(1.0)  # anything a duplicate would add has had time to arrive

    # One incident per declaration, one channel each.
    incidents = query(db, "SELECT number, title, channel_id FROM incidents ORDER BY number")
    assert [(i.number, i.title) for i in incidents] == [(1, TITLE), (2, "Search is slow on both replicas")]
    assert len(emu.calls("conversations.create")) == 2
    names = [c["name"] for c in emu.channels() if str(c.get("name", "")).startswith("inc-")]
    assert sorted(names) == ["inc-1-replicas-share-one-database", "inc-2-search-is-slow-on-both-replicas"]
    assert second.channel_id != channel

    # Each message once.
    stored_ts = [r.ts for r in query(db, "SELECT ts FROM timeline_messages WHERE channel_id = :c ORDER BY ts",
                                     c=channel)]
    assert stored_ts == sorted(sent)

    # Severity: every change recorded once, a chain from the declared level to the stored one.
    changes = query(db, "SELECT data FROM timeline_events WHERE incident_id = :i AND kind = 'severity_changed' "
                        "ORDER BY id", i=incident.id)
    chain = [json.loads(c.data) if isinstance(c.data, str) else c.data for c in changes]
    assert chain[0]["from"] == "SEV3"
    for before, after in itertools.pairwise(chain):
        assert after["from"] == before["to"], chain
    final = query(db, "SELECT severity, status FROM incidents WHERE id = :i", i=incident.id)[0]
    assert final.severity == chain[-1]["to"] == "SEV2"
    assert [c["to"] for c in chain[:2]] == ["SEV2", "SEV1"]
    assert sorted(c["to"] for c in chain[2:4]) == ["SEV3", "SEV4"]
    assert len(chain) == 5  # the last pair asked for the same level: one change, one no-op
    assert final.status == "monitoring"

    # One holder of each single role.
    holders = query(db, "SELECT role, user_id FROM role_assignments WHERE incident_id = :i AND relieved_at IS NULL",
                    i=incident.id)
    commanders = [h.user_id for h in holders if h.role == "commander"]
    assert len(commanders) == 1 and commanders[0] in (carol, dave)
    assert [h.user_id for h in holders if h.role == "communicator"] == [carol]

    # What people read: one post per change in the channel.
    def posted() -> list[dict[str, Any]]:
        return [m for m in emu.messages(channel)
                if m.get("bot_id") and "changed the severity" in m.get("text", "") + json.dumps(m.get("blocks", []))]
    emu.wait_for(lambda: len(posted()) >= len(chain), timeout=20)
    emu.drain()
    assert len(posted()) == len(chain)


def submission_body(emu: SlackEmulator, view: dict[str, Any], user: str, title: str) -> bytes:
    """A view_submission of the declare modal exactly as Slack sends it (see test_declare.py)."""
    def select_(value: str | None) -> dict[str, Any]:
        return {"type": "static_select",
                "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}} if value else None}
    values = {
        "title": {"title_input": {"type": "plain_text_input", "value": title}},
        "severity": {"severity_select": select_("SEV3")}, "priority": {"priority_select": select_(None)},
        "category": {"category_select": select_(None)},
        "service": {"service_input": {"type": "plain_text_input", "value": None}},
        "description": {"description_input": {"type": "plain_text_input", "value": None}},
        "options": {"options_checkboxes": {"type": "checkboxes", "selected_options": []}},
    }
    payload = {
        "type": "view_submission", "team": {"id": emu.team_id, "domain": "acme"},
        "user": {"id": user, "username": "bob", "name": "bob", "team_id": emu.team_id},
        "api_app_id": "A0001", "token": "legacy", "trigger_id": "1.2.double",
        "view": {**{k: view[k] for k in ("id", "callback_id", "private_metadata", "blocks", "title")},
                 "type": "modal", "team_id": emu.team_id, "hash": view.get("hash", "1.1"),
                 "state": {"values": values}, "app_id": "A0001", "bot_id": emu.bot_id,
                 "root_view_id": view["id"], "previous_view_id": None},
        "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()
