"""A deleted thread parent: Slack leaves a tombstone in its place (message_changed, then message_deleted
when its last reply goes; history returns the tombstone). The timeline drops its text like any deletion,
keeps the tombstone and the replies, live and when read back after a restart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import Harness
from tests.scenarios.timeline_helpers import all_revision_texts, declare, revisions, row, rows, settle, wait_row

SECRET = "prod db password is hunter2-prod"


def _cli(bot: Harness, cwd: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": bot.runtime.settings.database_url}
    done = subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _assert_secret_gone(bot: Harness, incident_id: int, channel: str, parent: str, reply: str, author: str,
                        tmp_path: Path) -> None:
    tombstone = row(bot, channel, parent)
    assert tombstone is not None and tombstone.deleted_at is not None
    assert tombstone.text is None and tombstone.files is None and tombstone.links is None
    assert tombstone.user_id == author
    assert revisions(bot, tombstone.id) == []
    kept = row(bot, channel, reply)
    assert kept is not None and kept.thread_ts == parent and kept.text == "rotating it now"
    assert not any(SECRET in (r.text or "") for r in rows(bot, incident_id))
    assert not any(SECRET in (t or "") for t in all_revision_texts(bot))
    export = _cli(bot, tmp_path, "timeline", "1")
    assert "message deleted" in export and "rotating it now" in export and SECRET not in export
    assert SECRET not in _cli(bot, tmp_path, "timeline", "1", "--format", "json")
    postmortem = _cli(bot, tmp_path, "postmortem", "1")
    assert "rotating it now" in postmortem and SECRET not in postmortem


def test_a_deleted_thread_parent_loses_its_text_and_keeps_its_replies(bot: Harness, tmp_path: Path) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    parent = emu.post_message(alice, channel, SECRET, files=[{"name": "creds.txt", "content": "x"}])
    emu.edit_message(alice, channel, parent, SECRET + " <https://vault.example.com|vault>")
    reply = emu.post_message(bob, channel, "rotating it now", thread_ts=parent)
    settle(bot)

    emu.delete_message(channel, parent)  # Slack: message_changed with the tombstone
    settle(bot)

    assert emu.messages(channel)[-2]["subtype"] == "tombstone"
    _assert_secret_gone(bot, incident.id, channel, parent, reply, alice, tmp_path)
    assert row(bot, channel, parent).deleted_by == alice  # type: ignore[union-attr]

    emu.delete_message(channel, reply)  # the last reply takes the tombstone with it: message_deleted twice
    settle(bot)
    gone = row(bot, channel, parent)
    assert gone is not None and gone.text is None and gone.user_id == alice
    assert row(bot, channel, reply).deleted_at is not None  # type: ignore[union-attr]


def test_a_thread_parent_deleted_while_the_bot_was_down_is_read_back_as_deleted(make_bot: Any,
                                                                                tmp_path: Path) -> None:
    first = make_bot()
    emu = first.emu
    incident = declare(first)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    parent = emu.post_message(alice, channel, SECRET)
    reply = emu.post_message(bob, channel, "rotating it now", thread_ts=parent)
    settle(first)
    first.runtime.close()

    emu.delete_message(channel, parent)  # nobody hears the message_changed
    later = emu.post_message(bob, channel, "rotated")

    second: Harness = make_bot()  # start-up catch-up reads the tombstone back from history
    wait_row(second, channel, later)
    settle(second)
    _assert_secret_gone(second, incident.id, channel, parent, reply, alice, tmp_path)
