"""Answers after a form is submitted reach the person where they typed the command: through the command's
response_url, which works in channels the bot is not in (chat.postEphemeral does not), never as a DM."""

from __future__ import annotations

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, open_view, submit_resolve_form, wait_post
from tests.scenarios.test_declare import fill, open_modal


def test_the_declare_form_opened_where_the_bot_is_not_answers_through_the_command(bot: Harness) -> None:
    emu = bot.emu
    bob = emu.user_id("bob")
    lobby = emu.add_channel("lobby", members=[bob, emu.user_id("alice")], bot_member=False)
    emu.slash_command(bob, lobby, "/incident", "declare")
    view = open_modal(bot, bob)
    emu.submit_view(view["id"], fill(bot, view, title="Search is slow", severity="SEV3"), user_id=bob)
    incident = bot.wait_ready(1)
    answer = emu.wait_for(lambda: next((r for r in emu.responses(kind="command", user=bob)
                                        if f"<#{incident.channel_id}>" in r["body"].get("text", "")), None))
    assert answer is not None  # wait_for returns only a truthy value
    assert answer["channel"] == lobby and answer["body"]["response_type"] == "ephemeral"
    assert "declared" in answer["body"]["text"]
    emu.drain()
    assert not [m for m in emu.dms(bob) if "declared" in m.get("text", "")]
    assert not emu.ephemerals(user=bob) and not emu.calls("chat.postEphemeral")


def test_a_form_submitted_from_an_incident_channel_is_answered_there(bot: Harness) -> None:
    emu = bot.emu
    alice = emu.user_id("alice")
    incident = declare(bot)
    channel = incident.channel_id or ""
    command(bot, "alice", incident, "resolve")
    open_view(bot, "alice", "incident_resolve_modal")
    command(bot, "bob", incident, "status declined")  # meanwhile: a false alarm after all
    wait_post(bot, channel, "declined")
    submit_resolve_form(bot, "alice", summary="Rolled back the deploy")  # nothing left to resolve: says so
    answer = emu.wait_for(lambda: next((r for r in emu.responses(kind="command", user=alice)
                                        if "declined" in r["body"].get("text", "")), None))
    assert answer is not None  # wait_for returns only a truthy value
    assert answer["channel"] == channel and answer["body"]["response_type"] == "ephemeral"
    assert not emu.ephemerals(user=alice)
