"""What the cards and answers say as an incident moves on: claim buttons only for vacant roles, taking command
asks first, the announcement follows the lifecycle, updates after close are refused, the postmortem is
linked on the card, and `/incident timeline` shows each reader their own time."""

from __future__ import annotations

import json
from typing import Any

from bot.config import IncidentConfig
from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    command,
    declare,
    fresh,
    message,
    submit_resolve_form,
    wait_announcement,
    wait_card,
    wait_post,
    wait_reply,
)
from tests.scenarios.test_postmortem import Clock


def card_buttons(bot: Harness, incident: Any) -> dict[str, dict[str, Any]]:
    """The incident card's buttons by their text."""
    card = message(bot, incident.channel_id or "", incident.card_ts or "")
    return {e["text"]["text"]: e for b in card.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"] if e["type"] == "button"}


def test_claim_buttons_are_for_vacant_roles_and_taking_command_asks_first(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, bob = incident.channel_id or "", emu.user_id("alice"), emu.user_id("bob")
    assert {"Take command", "Join as investigator", "Join as communicator"} <= set(card_buttons(bot, incident))
    emu.click(alice, channel, incident.card_ts or "", "claim_role:commander")
    emu.click(bob, channel, incident.card_ts or "", "claim_role:communicator")
    wait_card(bot, incident, f"*Communicator*: <@{bob}>")
    wait_card(bot, incident, f"*Commander*: <@{alice}>")
    buttons = card_buttons(bot, incident)
    assert "Take command" not in buttons and "Join as communicator" not in buttons
    assert "Join as investigator" in buttons  # a shared role is always open
    takeover = buttons["Take over command"]
    assert takeover["confirm"]["title"]["text"] == "Take over command?"
    assert takeover["confirm"]["confirm"]["text"] == "Take over"
    # a click on a card that still showed "Take command" (stale) does not silently take it
    emu.click(bob, channel, incident.card_ts or "", "claim_role:commander", value="commander")
    assert f"<@{alice}> is commander now, so nothing changed" in wait_reply(bot, "bob", "nothing changed")
    assert fresh(bot, incident).status == "investigating"
    assert f"*Commander*: <@{alice}>" in wait_card(bot, incident, "Commander")
    # confirmed: the hand-over happens and is told
    emu.click(bob, channel, incident.card_ts or "", "claim_role:commander")
    wait_post(bot, channel, f"<@{bob}> took the commander role, taking over from <@{alice}>")
    wait_card(bot, incident, f"*Commander*: <@{bob}>")


def test_the_announcement_follows_the_lifecycle_and_the_card_links_the_postmortem(make_bot: Any) -> None:
    clock = Clock()
    bot = make_bot(clock=clock)
    incident = declare(bot)
    channel = incident.channel_id or ""
    assert "🚨" in wait_announcement(bot, incident, "investigating")
    clock.advance(hours=1, minutes=11)
    command(bot, "alice", incident, "resolve")
    submit_resolve_form(bot, "alice")
    resolved = wait_announcement(bot, incident, "Resolved")
    assert "✅ *Incident #1* · SEV3 · *Resolved* after 1 h 11 min" in resolved and "🚨" not in resolved
    command(bot, "alice", incident, "close")
    closed = wait_announcement(bot, incident, "Closed")
    assert "*Closed* (resolved after 1 h 11 min)" in closed and "🚨" not in closed
    card = wait_card(bot, incident, "Postmortem")
    permalink = bot.incident(1).postmortem_permalink
    assert permalink and f"<{permalink}|Postmortem>" in card
    assert "Take command" not in card and "✅" in json.loads(card.split("\n", 1)[1])[0]["text"]["text"]
    # and an update after close is refused, with the reason
    command(bot, "alice", incident, "update Still watching the graphs")
    assert "is closed, so updates are no longer posted" in wait_reply(bot, "alice", "no longer posted")
    assert not [m for m in bot.emu.messages(channel) if "Still watching" in json.dumps(m)]


def test_a_declined_incident_is_announced_as_declined(bot: Harness) -> None:
    incident = declare(bot)
    command(bot, "alice", incident, "status declined")
    declined = wait_announcement(bot, incident, "Declined")
    assert "⚪ *Incident #1* · SEV3 · *Declined*: a false alarm" in declined and "🚨" not in declined


def test_the_timeline_answer_shows_each_reader_their_own_time_with_the_zone_as_fallback(make_bot: Any) -> None:
    clock = Clock()
    bot = make_bot(clock=clock, incident=IncidentConfig(timezone="Europe/Berlin"))
    incident = declare(bot)
    command(bot, "alice", incident, "note Paged the DBA")
    answer = command(bot, "alice", incident, "timeline").json()["text"]
    at = int(clock.now.timestamp())
    assert f"<!date^{at}^{{date_short}} {{time}}|2026-03-04 10:00 CET>" in answer
