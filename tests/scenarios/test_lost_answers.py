"""Slack did the work but the answer was lost (a 500 or a dropped connection after processing): the bot
looks before posting or creating again, so there is exactly one card, one announcement, one channel."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.scenarios.steering_helpers import declare

LOST = [dict(status=500, processed=True), dict(drop=True, processed=True)]


def cards(bot: Harness, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in bot.emu.messages(channel_id)
            if (m.get("metadata") or {}).get("event_type") == "incident_card"]


@pytest.mark.parametrize("fault", LOST, ids=["500", "dropped"])
def test_a_lost_answer_on_the_card_post_leaves_one_card(bot: Harness, fault: dict[str, Any]) -> None:
    bot.emu.inject("chat.postMessage", **fault,
                   when=lambda args: (args.get("metadata") or {}).get("event_type") == "incident_card")
    incident = declare(bot)
    assert len(cards(bot, incident.channel_id or "")) == 1
    assert incident.card_ts == cards(bot, incident.channel_id or "")[0]["ts"]
    announcements = [m for m in bot.emu.messages(bot.emu.channel_id("incidents"))
                     if (m.get("metadata") or {}).get("event_type") == "incident_announcement"]
    assert len(announcements) == 1


@pytest.mark.parametrize("fault", LOST, ids=["500", "dropped"])
def test_a_lost_answer_on_conversations_create_leaves_one_channel(bot: Harness, fault: dict[str, Any]) -> None:
    bot.emu.inject("conversations.create", **fault)
    incident = declare(bot)
    made = [c for c in bot.emu.channels() if c["name"].startswith("inc-1-")]
    assert [c["id"] for c in made] == [incident.channel_id]
    assert incident.channel_name == made[0]["name"] == "inc-1-checkout-api-returning-500s"
    assert len(cards(bot, incident.channel_id or "")) == 1
