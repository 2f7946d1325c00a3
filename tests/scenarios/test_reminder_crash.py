"""`serve` killed (SIGKILL) after it claimed a due reminder and while its nudge was held on the way to
Slack, then started again: the nudge is in the channel exactly once. The restarted process cuts its dead
predecessor's claim short at start-up (15 s, the Slack client's timeout, rather than the 30 s lease: a
post still on its way lands first), takes the job over, and looks for the nudge's mark before posting:
posted when Slack never got the held post, not again when Slack did, even after the restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.db import make_engine, utcnow
from bot.emulator import SlackEmulator
from bot.incidents.models import Incident
from bot.scheduling.models import ScheduledJob
from bot.timeline.models import TimelineEvent
from tests.scenarios.serve_helpers import Served

NUDGE = "an update on"


def _nudge(args: dict[str, Any]) -> bool:
    return NUDGE in str(args.get("text") or "")


class Database:
    """The rows the test reads and the one it moves, through an engine of its own."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)

    def incident(self) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(Incident.id, Incident.channel_id).where(Incident.setup_state == "ready")).first()
        return (row[0], row[1] or "") if row else None

    def job(self, incident_id: int) -> Any:
        """The reminder's row: claimed_by, attempts, due_at."""
        with self.engine.connect() as conn:
            return conn.execute(select(ScheduledJob.claimed_by, ScheduledJob.attempts, ScheduledJob.due_at)
                                .where(ScheduledJob.key == f"update_reminder:{incident_id}")).one()

    def due_now(self, incident_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(ScheduledJob).where(ScheduledJob.key == f"update_reminder:{incident_id}")
                         .values(due_at=utcnow()))

    def reminders_recorded(self, incident_id: int) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(TimelineEvent.id).where(TimelineEvent.incident_id == incident_id,
                                                                   TimelineEvent.kind == "reminder_sent")).all())


@pytest.fixture
def served(emu: SlackEmulator, database_url: str, tmp_path: Path) -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for process in started:
        process.stop()


@pytest.mark.parametrize(("slack_got_it", "held"), [(False, 1.0), (True, 1.0), (True, 8.0)],
                         ids=["post-lost", "post-landed", "post-lands-after-the-restart"])
def test_a_serve_killed_while_its_nudge_is_held_nudges_once_after_the_restart(
        emu: SlackEmulator, database_url: str, tmp_path: Path, served: list[Served], slack_got_it: bool,
        held: float) -> None:
    yaml = tmp_path / "incident.yml"
    yaml.write_text("update_every: {SEV3: 1h}\n")
    env = {"INCIDENT_BOT_CONFIG": str(yaml)}
    db = Database(database_url)

    def start(name: str) -> Served:
        process = Served(emu, database_url, tmp_path, name, env)
        served.append(process)
        process.wait_healthy(timeout=60)
        emu.app_url = process.events_url
        return process

    first = start("first")
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Checkout down")
    found = emu.wait_for(db.incident, timeout=30)
    assert found is not None  # wait_for returns only a truthy value
    incident_id, channel = found
    # held long enough for the kill; then Slack either never got it (dropped) or posts it (latency only),
    # before the restart or (held longer than the restart takes) after it
    emu.inject("chat.postMessage", latency=held, when=_nudge, drop=not slack_got_it)
    db.due_now(incident_id)
    emu.wait_for(lambda: [a for _, a in emu.in_flight("chat.postMessage") if _nudge(a)], timeout=30)
    assert db.job(incident_id).claimed_by is not None
    first.proc.kill()
    first.proc.wait(timeout=30)
    if slack_got_it and held < 5:
        emu.wait_for(lambda: _posted(emu, channel), timeout=30)
    elif slack_got_it:
        assert _posted(emu, channel) == []  # still on its way when the successor starts
    else:
        emu.wait_for(lambda: not emu.in_flight("chat.postMessage"), timeout=30)
        assert _posted(emu, channel) == []

    start("second")
    emu.wait_for(lambda: db.reminders_recorded(incident_id) == 1, timeout=60)
    emu.wait_for(lambda: not emu.in_flight("chat.postMessage"), timeout=30)  # the held post, if any, is over
    job = db.job(incident_id)
    assert job.claimed_by is None and job.attempts == 0 and job.due_at > utcnow() + timedelta(minutes=50)
    assert len(_posted(emu, channel)) == 1
    db.engine.dispose()


def _posted(emu: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if m.get("bot_id") and NUDGE in m.get("text", "")]
