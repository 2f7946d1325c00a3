"""`serve` killed (SIGKILL) after answering 202 and before its triage post came back, then started again:
the triage message is owed in the database and appears exactly once — also when Slack made the post and
the killed process never heard."""

from __future__ import annotations

import json
import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.emulator import SlackEmulator
from tests.conftest import _empty_postgres
from tests.scenarios.alert_helpers import TOKEN, generic
from tests.scenarios.test_crash_resume import Bot, _marked, answered, hold, run

TRIAGE_POST = _marked("alert_triage")


class AlertBot(Bot):
    """`serve` taking alerts on the generic route."""

    port = 0

    def env(self, port: int) -> dict[str, str]:
        self.port = port
        return {**super().env(port), "INCIDENT_ALERT_TOKEN": TOKEN}

    def send(self, alert: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/hooks/alerts/generic", method="POST",
                                         data=json.dumps(alert).encode(),
                                         headers={"Authorization": f"Bearer {TOKEN}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())

    def groups(self) -> list[dict[str, Any]]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM alert_groups ORDER BY id"))]
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def alert_bot(request: pytest.FixtureRequest, emu: SlackEmulator, tmp_path: Path) -> Iterator[AlertBot]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        assert run(["migrate"], {"DATABASE_URL": url}, tmp_path).returncode == 0
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_postgres(url)
    bot = AlertBot(emu, url, tmp_path)
    try:
        yield bot
    finally:
        bot.stop()


def triage_posts(emu: SlackEmulator) -> list[dict[str, Any]]:
    return [m for m in emu.messages(emu.channel_id("incidents"), include_replies=False)
            if (m.get("metadata") or {}).get("event_type") == "alert_triage"]


@pytest.mark.parametrize("slack_posted", [True, False], ids=["slack-posted", "slack-never-heard"])
def test_a_triage_message_owed_by_a_killed_replica_is_posted_once_after_a_restart(
        alert_bot: AlertBot, emu: SlackEmulator, slack_posted: bool) -> None:
    alert_bot.start()
    if slack_posted:
        in_flight = hold(emu, "chat.postMessage", TRIAGE_POST, latency=5)
    else:  # the post never reaches Slack: the process dies while its call waits for an answer that never comes
        emu.inject("chat.postMessage", status=500, latency=5, when=TRIAGE_POST)
        in_flight = lambda: [a for _, a in emu.in_flight("chat.postMessage") if TRIAGE_POST(a)]  # noqa: E731
    status, answer = alert_bot.send(generic("disk-db-1", severity="warning"))
    assert status == 202 and answer["accepted"] == 1
    emu.wait_for(in_flight, timeout=30)
    assert alert_bot.signal(signal.SIGKILL) != 0
    if slack_posted:
        emu.wait_for(lambda: answered(emu, "chat.postMessage", TRIAGE_POST), timeout=30)
        assert len(triage_posts(emu)) == 1  # Slack did it; the bot never heard
    alert_bot.start()
    [group] = emu.wait_for(lambda: [g for g in alert_bot.groups() if g["message_ts"]
                                    and g["told_version"] == g["version"]], timeout=30)
    emu.drain()
    posts = triage_posts(emu)
    assert len(posts) == 1, (posts, alert_bot.output()[-3000:])
    assert posts[0]["ts"] == group["message_ts"] and "Disk full on db-1" in posts[0]["text"]
    assert "held by a process here that is gone" in alert_bot.output()  # taken over at once, not in 60 s
