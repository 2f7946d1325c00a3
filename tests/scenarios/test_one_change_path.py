"""Every change takes one path (lock, change, record, commit, then tell chat), and no transaction is held
while the bot waits for Slack."""

from __future__ import annotations

import sqlite3
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, wait_announcement, wait_card, wait_post


def test_a_service_change_reaches_the_card_and_the_announcement(bot: Harness) -> None:
    incident = declare(bot)
    assert "Affected service" not in wait_announcement(bot, incident, incident.title)
    command(bot, "bob", incident, "service orders-db")
    assert "orders-db" in wait_card(bot, incident, "orders-db")
    assert "Affected service: orders-db" in wait_announcement(bot, incident, "Affected service: orders-db")
    command(bot, "bob", incident, "category database")
    assert "database" in wait_card(bot, incident, "*Category*\\ndatabase")


def test_a_follow_up_is_said_in_the_channel_through_the_same_path(bot: Harness) -> None:
    incident = declare(bot)
    command(bot, "bob", incident, "followup Add an alert on queue depth")
    wait_post(bot, incident.channel_id or "", "Follow-up added by")


def open_transactions(database_url: str) -> list[str]:
    """Transactions of the bot open for over a second right now: on SQLite, whoever holds the write lock
    (every bot transaction takes it, BEGIN IMMEDIATE); on PostgreSQL, sessions idle in a transaction."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        db = sqlite3.connect(url.database or "", timeout=1.0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")  # waits up to 1 s for a writer to finish
            db.execute("ROLLBACK")
            return []
        except sqlite3.OperationalError as exc:
            return [str(exc)]
        finally:
            db.close()
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [str(row) for row in conn.execute(text(
                "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%' "
                "AND now() - xact_start > interval '1 second'"))]
    finally:
        engine.dispose()


def test_closing_holds_no_transaction_while_slack_looks_up_names(bot: Harness) -> None:
    incident = declare(bot)
    bot.emu.post_message(bot.emu.user_id("bob"), incident.channel_id or "", "Rolling back now")
    bot.emu.inject("users.info", latency=2.5, times=20)  # Slack is slow to tell who people are
    assert "Closing" in command(bot, "alice", incident, "close").json()["text"]
    bot.emu.wait_for(lambda: bot.emu.in_flight("users.info"), timeout=15)
    held: list[str] = []
    checks = 0
    while bot.emu.in_flight("users.info") and checks < 10:  # sample the database while Slack keeps it waiting
        held += open_transactions(bot.runtime.settings.database_url)
        checks += 1
        time.sleep(0.3)
    assert checks >= 2, "the look-up ended before the database was checked"
    assert held == [], f"a transaction stayed open while the bot waited for Slack: {held}"
    bot.emu.wait_for(lambda: bot.incident(1).status == "closed" and bot.incident(1).postmortem_permalink,
                     timeout=60)
