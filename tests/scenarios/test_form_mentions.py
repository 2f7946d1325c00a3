"""`@name` typed in the update and resolve forms (plain text) becomes a mention; unknown handles stay."""

from __future__ import annotations

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, open_view, submit_resolve_form, text_of, wait_post


def test_handles_in_the_update_form_become_mentions(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id or ""
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    for n, typed in enumerate(("@bob and @Carol are on it; ask @nobody (mail bob@example.com)", "thanks @bob.")):
        command(bot, "alice", incident, "update")
        view = open_view(bot, "alice", "incident_update_modal")
        emu.submit_view(view["id"], {"update": {"update_input": {"type": "plain_text_input", "value": typed}}},
                        user_id=emu.user_id("alice"))
        post = wait_post(bot, channel, "thanks" if n else "are on it")
        emu.wait_for(lambda: not emu.views(user=emu.user_id("alice")))
    first = text_of(wait_post(bot, channel, "are on it"))
    assert f"<@{bob}> and <@{carol}> are on it; ask @nobody (mail bob@example.com)" in first
    assert f"thanks <@{bob}>." in text_of(post)
    assert len(emu.calls("users.list")) == 1  # read once, then cached (Tier 2)


def test_handles_in_the_resolve_form_become_mentions(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    command(bot, "alice", incident, "resolve")
    submit_resolve_form(bot, "alice", summary="@dave rolled back")
    post = wait_post(bot, incident.channel_id or "", "rolled back")
    assert f"<@{emu.user_id('dave')}> rolled back" in text_of(post)
