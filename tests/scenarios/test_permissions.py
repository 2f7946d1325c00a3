"""Who may steer: anyone by default; with `permission: commander`, only the commander and the admins."""

from __future__ import annotations

import json
from typing import Any

from bot.config import IncidentConfig
from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    assignments,
    command,
    declare,
    events,
    fresh,
    open_view,
    wait_card,
    wait_post,
    wait_reply,
)


def with_commander(bot: Harness, commander: str = "bob") -> Any:
    """An incident declared by alice whose commander is `commander` (assigned while nobody led)."""
    incident = declare(bot)
    command(bot, "alice", incident, f"commander <@{bot.emu.user_id(commander)}>")
    wait_card(bot, incident, f"*Commander*: <@{bot.emu.user_id(commander)}>")
    return incident


def test_by_default_anyone_in_the_channel_may_steer(bot: Harness) -> None:
    incident = with_commander(bot)
    command(bot, "carol", incident, "severity 2")
    wait_post(bot, incident.channel_id, "SEV3 → *SEV2*")
    command(bot, "dave", incident, "status identified")
    wait_post(bot, incident.channel_id, "*identified*")


def test_only_the_commander_may_steer_and_a_refusal_says_who_can(make_bot: Any) -> None:
    bot = make_bot(incident=IncidentConfig(permission="commander"))
    emu = bot.emu
    bob = emu.user_id("bob")
    incident = with_commander(bot)

    command(bot, "carol", incident, "severity 1")
    refusal = wait_reply(bot, "carol", "Only the commander")
    assert f"<@{bob}>" in refusal and "Only the commander of Incident #1" in refusal
    assert "can change the severity here" in refusal
    command(bot, "carol", incident, "status resolved")  # the resolve form opens, then says why not
    emu.wait_for(lambda: [v for v in emu.views(user=emu.user_id("carol")) if "change the status here" in json.dumps(
        v["blocks"])])
    command(bot, "carol", incident, f"commander <@{emu.user_id('carol')}>")
    wait_reply(bot, "carol", "change the roles here")
    emu.click(emu.user_id("carol"), incident.channel_id, incident.card_ts, "open_roles_form")
    refused = emu.wait_for(lambda: [v for v in emu.views(user=emu.user_id("carol"))  # the form says why instead
                                    if "hand the commander role to you" in json.dumps(v["blocks"])])
    assert len(refused) == 1 and refused[0].get("submit") is None
    row = fresh(bot, incident)
    assert (row.severity, row.status) == ("SEV3", "investigating")
    assert [a.user_id for a in assignments(bot, incident)] == [bob]

    command(bot, "bob", incident, "severity 1")
    wait_post(bot, incident.channel_id, "SEV3 → *SEV1*")
    command(bot, "carol", incident, "update Customers notified")  # updates are for everyone
    wait_post(bot, incident.channel_id, "Customers notified")


def test_anyone_may_join_a_vacant_supporting_role_under_commander_permission(make_bot: Any) -> None:
    bot = make_bot(incident=IncidentConfig(permission="commander"))
    emu = bot.emu
    incident = with_commander(bot)
    dave = emu.user_id("dave")
    emu.click(dave, incident.channel_id, incident.card_ts, "claim_role:investigator")
    wait_post(bot, incident.channel_id, f"<@{dave}> took the investigator role")
    emu.click(dave, incident.channel_id, incident.card_ts, "claim_role:commander")
    wait_reply(bot, "dave", "Only the commander")


def test_a_configured_admin_overrides(make_bot: Any, emu: Any) -> None:
    dave = emu.user_id("dave")
    bot = make_bot(incident=IncidentConfig(permission="commander", admins=(dave,)))
    incident = with_commander(bot)
    command(bot, "dave", incident, "severity 1")
    wait_post(bot, incident.channel_id, "SEV3 → *SEV1*")
    assert events(bot, incident, "severity_changed")[0].actor_id == dave
    command(bot, "carol", incident, "status identified")
    refusal = wait_reply(bot, "carol", "Only the commander")
    assert f"or an admin (<@{dave}>)" in refusal


def test_a_member_of_an_admin_user_group_overrides(make_bot: Any, emu: Any) -> None:
    carol = emu.user_id("carol")
    oncall = emu.add_usergroup("oncall-leads", [carol])
    bot = make_bot(incident=IncidentConfig(permission="commander", admins=(oncall,)))
    incident = with_commander(bot)

    command(bot, "carol", incident, "roles")

    view = open_view(bot, "carol", "incident_roles_modal")
    emu.wait_for(lambda: {c.args.get("usergroup") for c in emu.calls("usergroups.users.list")} == {oncall})
    emu.submit_view(view["id"], {"role:commander": {"role_users": {"type": "users_select", "selected_user": carol}}},
                    user_id=carol)
    wait_post(bot, incident.channel_id, f"<@{carol}> took the commander role, taking over from")
    command(bot, "dave", incident, "severity 1")
    assert f"<!subteam^{oncall}>" in wait_reply(bot, "dave", "Only the commander")
