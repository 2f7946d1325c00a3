"""Forms open at once, before any slow Slack work: the trigger_id lives 3 seconds, and a user-group look-up
or a permalink waiting out a 429 would outlast it. The slow work comes after (a refusal replaces the form,
the permalink is fetched after the submission)."""

from __future__ import annotations

import json
from typing import Any

from bot.config import IncidentConfig
from tests.scenarios.steering_helpers import command, declare, open_view, wait_card, wait_post
from tests.scenarios.test_declare import fill, open_modal, text_of


def test_the_roles_form_opens_while_the_user_group_look_up_waits_out_a_429(make_bot: Any, emu: Any) -> None:
    carol, dave = emu.user_id("carol"), emu.user_id("dave")
    oncall = emu.add_usergroup("oncall-leads", [carol])
    bot = make_bot(incident=IncidentConfig(permission="commander", admins=(oncall,)))
    incident = declare(bot)
    command(bot, "alice", incident, f"commander <@{emu.user_id('bob')}>")
    wait_card(bot, incident, f"*Commander*: <@{emu.user_id('bob')}>")

    emu.inject("usergroups.users.list", status=429, retry_after=4)  # longer than the trigger lives
    command(bot, "carol", incident, "roles")
    view = open_view(bot, "carol", "incident_roles_modal")
    emu.submit_view(view["id"], {"role:commander": {"role_users": {"type": "users_select", "selected_user": carol}}},
                    user_id=carol)
    wait_post(bot, incident.channel_id or "", f"<@{carol}> took the commander role")

    emu.inject("usergroups.users.list", latency=3.5)
    command(bot, "dave", incident, "severity")  # dave is no admin: the open form turns into the reason
    refused = emu.wait_for(lambda: [v for v in emu.views(user=dave) if "Only the commander" in json.dumps(v["blocks"])],
                           timeout=10)
    assert refused[0].get("submit") is None
    assert not [c for c in emu.calls("views.open") if not c.response.get("ok")]


def test_declare_from_a_message_opens_at_once_and_the_permalink_still_reaches_the_card(bot: Any) -> None:
    emu = bot.emu
    dave, general = emu.user_id("dave"), emu.channel_id("general")
    ts = emu.post_message(dave, general, "Seeing 502s from the edge")
    emu.inject("chat.getPermalink", status=429, retry_after=4)
    emu.message_shortcut(dave, general, ts, "declare_from_message")
    view = open_modal(bot, dave)
    emu.submit_view(view["id"], fill(bot, view, title="Edge 502s", description="Seeing 502s from the edge"),
                    user_id=dave)
    incident = bot.wait_ready(1, timeout=15)
    assert incident.source_permalink and ts.replace(".", "") in incident.source_permalink
    card = text_of(next(m for m in emu.messages(incident.channel_id or "") if m.get("bot_id")))
    assert incident.source_permalink in card
    assert not [c for c in emu.calls("views.open") if not c.response.get("ok")]
