"""The card's status select shows the real status after a refused or cancelled choice."""

from __future__ import annotations

from typing import Any

from bot.config import IncidentConfig
from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, fresh, open_view, wait_post, wait_reply


def _shown(bot: Harness, user: str, channel: str, card_ts: str) -> str | None:
    return bot.emu.shown_option(bot.emu.user_id(user), channel, card_ts, "status_select")


def test_a_refused_move_puts_the_select_back(make_bot: Any) -> None:
    bot = make_bot(incident=IncidentConfig(permission="commander"))
    emu = bot.emu
    incident = declare(bot)
    channel, card = incident.channel_id or "", incident.card_ts or ""
    command(bot, "alice", incident, f"commander {emu.mention(emu.user_id('alice'))}")
    wait_post(bot, channel, "took the commander role")
    emu.click(emu.user_id("carol"), channel, card, "status_select", value="monitoring")
    assert "can change the status" in wait_reply(bot, "carol", "Only the commander")
    emu.wait_for(lambda: _shown(bot, "carol", channel, card) is None)
    assert fresh(bot, incident).status == "investigating"


def test_closing_the_resolve_form_puts_the_select_back(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, card = incident.channel_id or "", incident.card_ts or ""
    emu.click(emu.user_id("carol"), channel, card, "status_select", value="resolved")
    view = open_view(bot, "carol", "incident_resolve_modal")
    assert _shown(bot, "carol", channel, card) == "resolved"
    emu.close_view(view["id"], emu.user_id("carol"))
    emu.wait_for(lambda: _shown(bot, "carol", channel, card) is None)
    assert fresh(bot, incident).status == "investigating"
