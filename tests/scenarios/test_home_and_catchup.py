"""App Home (published on opening, refreshed for the people a change concerns) and the catch-up card
(ephemeral on joining an incident channel, and `/incident catchup`)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, open_view, wait_post


def home_text(bot: Harness, user: str) -> str:
    view = bot.emu.home_view(bot.emu.user_id(user))
    return json.dumps(view["blocks"], ensure_ascii=False) if view else ""


def wait_home(bot: Harness, user: str, needle: str) -> dict[str, Any]:
    """`user`'s published Home tab once it shows `needle`."""
    view = bot.emu.wait_for(lambda: bot.emu.home_view(bot.emu.user_id(user)) if needle in home_text(bot, user)
                            else None)
    assert view is not None
    return view


def open_home(bot: Harness, user: str) -> None:
    bot.emu.send_event({"type": "app_home_opened", "user": bot.emu.user_id(user), "channel": "D0HOME",
                        "tab": "home", "event_ts": "1700000000.000100"})


def test_the_home_tab_shows_open_incidents_your_roles_and_follow_ups_and_is_refreshed(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, title="Checkout API returning 500s")
    declare(bot, title="Quiet secret", user="dave", flags="--private")
    bob, carol = emu.user_id("bob"), emu.user_id("carol")

    open_home(bot, "alice")
    view = wait_home(bot, "alice", "Checkout API returning 500s")

    assert view["type"] == "home"
    shown = home_text(bot, "alice")
    assert "Quiet secret" not in shown and f"<#{incident.channel_id}>" in shown and "SEV3" in shown
    assert "investigating" in shown and "You hold no role" in shown and "No open follow-ups" in shown
    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_home(bot, "bob", "You are commander")
    command(bot, "alice", incident, f"followup Add a canary for checkout <@{carol}>")
    wait_home(bot, "carol", "Add a canary for checkout")
    assert f"commander <@{bob}>" in home_text(bot, "carol")

    emu.view_action(emu.user_id("alice"), view["id"], "home_declare", view["blocks"][1]["block_id"])
    assert open_view(bot, "alice", "declare_incident_modal")


def test_someone_joining_gets_the_catch_up_card_and_catchup_shows_it_on_demand(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, title="Search is down")
    assert incident.channel_id
    bob, dave = emu.user_id("bob"), emu.user_id("dave")
    command(bot, "alice", incident, "severity sev2 customers cannot search")
    command(bot, "alice", incident, "update We are failing over to the replica")
    wait_post(bot, incident.channel_id, "failing over")
    command(bot, "alice", incident, "note Replica lag is 3 minutes")
    command(bot, "alice", incident, "followup Alert on replica lag")
    wait_post(bot, incident.channel_id, "Alert on replica lag")

    emu.join_channel(dave, incident.channel_id)

    card = emu.wait_for(lambda: next((e["text"] for e in emu.ephemerals(incident.channel_id, user=dave)
                                      if "Catching up" in e["text"]), None))
    assert card is not None
    assert "Search is down" in card and "SEV2" in card and "investigating" in card and "open for" in card
    assert "commander: _nobody_" in card and "We are failing over to the replica" in card
    assert "Replica lag is 3 minutes" in card and "Alert on replica lag" in card
    command(bot, "alice", incident, f"commander <@{bob}>")  # invited by the bot: a joiner too
    emu.wait_for(lambda: any("Catching up" in e["text"] for e in emu.ephemerals(incident.channel_id, user=bob)))
    assert not [e for e in emu.ephemerals(user=emu.user_id("alice")) if "Catching up" in e["text"]]

    r = command(bot, "carol", incident, "catchup")

    assert "Catching up on Incident #1" in r.json()["text"] and f"commander: <@{bob}>" in r.json()["text"]
    r = emu.slash_command(emu.user_id("carol"), emu.channel_id("general"), "/incident", "catchup")
    assert "works inside an incident channel" in r.json()["text"]
