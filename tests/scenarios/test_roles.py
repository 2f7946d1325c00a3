"""Roles: assigned by command, by the roles form, or claimed from the card; hand-overs keep history."""

from __future__ import annotations

import threading

from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    assignments,
    command,
    declare,
    events,
    fresh,
    open_view,
    text_of,
    wait_announcement,
    wait_card,
    wait_post,
    wait_reply,
)


def test_assigning_a_commander_invites_them_posts_it_dms_the_duties_and_records_it(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    channel_id = incident.channel_id  # narrowed, for the lambda below
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    assert bob not in emu.channel(incident.channel_id)["members"]

    r = command(bot, "alice", incident, f"commander <@{bob}|bob>")

    assert r.status == 200
    post = wait_post(bot, incident.channel_id, f"<@{bob}> is now commander")
    assert f"assigned by <@{alice}>" in text_of(post)
    emu.wait_for(lambda: bob in emu.channel(channel_id)["members"])
    dm = emu.wait_for(lambda: emu.dms(bob))[-1]
    assert "commander" in dm["text"] and "Leads the response" in dm["text"] and f"<#{incident.channel_id}>" in dm[
        "text"]
    assert f"*Commander*: <@{bob}>" in wait_card(bot, incident, f"*Commander*: <@{bob}>")
    wait_announcement(bot, incident, f"Commander: <@{bob}>")
    [row] = assignments(bot, incident)
    assert (row.role, row.user_id, row.assigned_by, row.relieved_at) == ("commander", bob, alice, None)
    assert fresh(bot, incident).acknowledged_at is not None
    [event] = events(bot, incident, "role_assigned")
    assert event.is_key and event.data == {"role": "commander", "user": bob, "previous": None}


def test_a_hand_over_relieves_the_previous_holder_and_keeps_the_history(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    bob, carol, dave = emu.user_id("bob"), emu.user_id("carol"), emu.user_id("dave")
    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_post(bot, incident.channel_id, f"<@{bob}> is now commander")

    command(bot, "dave", incident, f"commander <@{carol}>")

    post = wait_post(bot, incident.channel_id, f"<@{carol}> is now commander")
    assert f"taking over from <@{bob}>" in text_of(post)
    first, second = assignments(bot, incident)
    assert (first.user_id, first.relieved_by) == (bob, dave) and first.relieved_at is not None
    assert (second.user_id, second.relieved_at) == (carol, None)
    wait_card(bot, incident, f"*Commander*: <@{carol}>")
    assert events(bot, incident, "role_assigned")[-1].data == {"role": "commander", "user": carol, "previous": bob}


def test_investigator_takes_several_people_and_me_means_the_person_typing(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    channel_id = incident.channel_id  # narrowed, for the lambda below
    bob, carol = emu.user_id("bob"), emu.user_id("carol")

    command(bot, "carol", incident, f"investigator <@{bob}> me")

    wait_card(bot, incident, f"*Investigator*: <@{bob}>, <@{carol}>")
    rows = assignments(bot, incident)
    assert sorted(r.user_id for r in rows) == sorted([bob, carol]) and all(r.relieved_at is None for r in rows)
    emu.wait_for(lambda: {bob, carol} <= set(emu.channel(channel_id)["members"]))


def test_the_roles_form_shows_current_holders_and_applies_the_choices(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    channel_id = incident.channel_id  # narrowed, for the lambda below
    bob, carol, dave = emu.user_id("bob"), emu.user_id("carol"), emu.user_id("dave")
    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_card(bot, incident, f"*Commander*: <@{bob}>")

    r = command(bot, "alice", incident, "roles")

    assert r.status == 200
    view = open_view(bot, "alice", "incident_roles_modal")
    commander_block = next(b for b in view["blocks"] if b.get("block_id") == "role:commander")
    assert commander_block["element"]["initial_user"] == bob
    assert "Leads the response" in text_of({"blocks": [commander_block]})
    r = emu.submit_view(view["id"], {
        "role:commander": {"role_users": {"type": "users_select", "selected_user": carol}},
        "role:investigator": {"role_users": {"type": "multi_users_select", "selected_users": [dave, bob]}},
    }, user_id=emu.user_id("alice"))
    assert r.status == 200

    wait_card(bot, incident, f"*Investigator*: <@{dave}>, <@{bob}>")
    card = wait_card(bot, incident, f"*Commander*: <@{carol}>")
    assert "*Communicator*: _unassigned_" in card
    current = {(a.role, a.user_id) for a in assignments(bot, incident) if a.relieved_at is None}
    assert current == {("commander", carol), ("investigator", dave), ("investigator", bob)}
    emu.wait_for(lambda: emu.dms(dave) and emu.dms(carol))
    emu.wait_for(lambda: {carol, dave} <= set(emu.channel(channel_id)["members"]))


def test_take_command_on_the_card_makes_the_clicker_commander(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.card_ts
    dave = emu.user_id("dave")

    r = emu.click(dave, incident.channel_id, incident.card_ts, "claim_role:commander")

    assert r.status == 200
    wait_post(bot, incident.channel_id, f"<@{dave}> took the commander role")
    wait_card(bot, incident, f"*Commander*: <@{dave}>")
    assert [(a.role, a.user_id) for a in assignments(bot, incident)] == [("commander", dave)]
    assert "Leads the response" in emu.wait_for(lambda: emu.dms(dave))[-1]["text"]


def test_bad_role_commands_are_answered_with_what_to_type(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    bob, carol = emu.user_id("bob"), emu.user_id("carol")

    assert "Name the person with an @-mention" in command(bot, "alice", incident, "commander bob").json()["text"]
    assert "one holder" in command(bot, "alice", incident, f"commander <@{bob}> <@{carol}>").json()["text"]
    assert "`scribe` is not a role" in command(bot, "alice", incident, f"assign scribe <@{bob}>").json()["text"]
    outside = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", f"commander <@{bob}>")
    assert "works inside an incident channel" in outside.json()["text"]
    assert f"<#{incident.channel_id}>" in outside.json()["text"]

    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_post(bot, incident.channel_id, f"<@{bob}> is now commander")
    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_reply(bot, "alice", "already holds the commander role")
    assert len(assignments(bot, incident)) == 1


def test_concurrent_hand_overs_are_applied_one_after_the_other(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    threads = [threading.Thread(target=command, args=(bot, who, incident, f"commander <@{target}>"))
               for who, target in (("alice", bob), ("dave", carol))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    emu.wait_for(lambda: len(events(bot, incident, "role_assigned")) == 2)
    first, second = assignments(bot, incident)
    assert first.relieved_at is not None and second.relieved_at is None
    assert first.relieved_by == second.assigned_by
    assert (events(bot, incident, "role_assigned")[1].data or {})["previous"] == first.user_id
