"""archive_on_close waits for Slack's asynchronous share of the postmortem before archiving."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import IncidentConfig
from bot.slack.adapters.postmortem import SlackPostmortemDesk
from tests.scenarios.steering_helpers import command, declare, fresh, wait_reply


def test_the_postmortem_is_in_the_channel_before_it_is_archived(make_bot: Any) -> None:
    bot = make_bot(incident=IncidentConfig(archive_on_close=True))
    emu = bot.emu
    emu.file_share_delay = 0.3  # Slack shares a moment after completeUploadExternal answers
    incident = declare(bot, title="Archive me")
    channel = incident.channel_id or ""
    command(bot, "alice", incident, "close")
    emu.wait_for(lambda: emu.channel(channel)["is_archived"], timeout=15)
    kinds = [m.get("subtype") for m in emu.messages(channel)]
    assert "file_share" in kinds and kinds.index("file_share") < kinds.index("channel_archive")
    [share] = [m for m in emu.messages(channel) if m.get("subtype") == "file_share"]
    assert share["files"][0]["name"].startswith("postmortem-")
    calls = emu.calls()
    archived = next(n for n, c in enumerate(calls) if c.method == "conversations.archive")
    seen = [n for n, c in enumerate(calls) if c.method == "files.info"
            and channel in (c.response.get("file", {}).get("shares", {}).get("public") or {})]
    assert seen and seen[0] < archived


def test_a_share_that_does_not_come_leaves_the_channel_open_and_says_so(
        make_bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SlackPostmortemDesk, "share_wait", 0.5)
    bot = make_bot(incident=IncidentConfig(archive_on_close=True))
    emu = bot.emu
    emu.file_share_delay = None  # held: Slack is slow to share
    incident = declare(bot, title="Slow share")
    channel = incident.channel_id or ""
    command(bot, "alice", incident, "close")
    assert "was not archived" in wait_reply(bot, "alice", "was not archived")
    assert fresh(bot, incident).status == "closed"
    assert not emu.channel(channel)["is_archived"] and not emu.calls("conversations.archive")
    emu.release_shares()
    assert [m for m in emu.messages(channel) if m.get("subtype") == "file_share"]
