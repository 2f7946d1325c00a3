"""The status lifecycle: forward by any steps, reopen from resolved, nothing leaves closed or declined."""

from __future__ import annotations

from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    command,
    declare,
    events,
    fresh,
    submit_resolve_form,
    text_of,
    wait_announcement,
    wait_card,
    wait_post,
    wait_reply,
)


def test_moving_forward_updates_topic_card_and_timestamps(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    channel_id = incident.channel_id  # narrowed, for the lambda below

    r = command(bot, "bob", incident, "status identified")

    assert r.status == 200
    post = wait_post(bot, incident.channel_id, "investigating → *identified*")
    assert f"<@{emu.user_id('bob')}>" in text_of(post)
    emu.wait_for(lambda: emu.channel(channel_id)["topic"]["value"].startswith("SEV3 · identified"))
    wait_card(bot, incident, "*Status*\\nIdentified")
    wait_announcement(bot, incident, "· identified")
    row = fresh(bot, incident)
    assert row.status == "identified" and row.acknowledged_at is not None and row.mitigated_at is None
    [event] = events(bot, incident, "status_changed")
    assert event.data == {"from": "investigating", "to": "identified", "reopened": False} and event.is_key


def test_skipping_to_resolved_stamps_mitigated_and_resolved_and_tells_the_announcement(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.announcement_channel_id
    command(bot, "alice", incident, "status resolved")  # the same as /incident resolve: the form asks why
    submit_resolve_form(bot, "alice")
    wait_post(bot, incident.announcement_channel_id, "investigating → *resolved*", thread_ts=incident.announcement_ts)
    row = fresh(bot, incident)
    assert row.status == "resolved"
    assert row.acknowledged_at == row.mitigated_at == row.resolved_at is not None


def test_an_invalid_or_unknown_status_is_refused_with_the_allowed_ones(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id
    command(bot, "alice", incident, "status monitoring")
    wait_post(bot, incident.channel_id, "*monitoring*")

    back = command(bot, "alice", incident, "status identified").json()["text"]
    assert "cannot go from monitoring to identified" in back and "resolved, closed" in back
    unknown = command(bot, "alice", incident, "status done").json()["text"]
    assert "`done` is not a status" in unknown
    assert "investigating, identified, monitoring, resolved, closed, declined" in unknown
    where = command(bot, "alice", incident, "status").json()["text"]
    assert "is *monitoring*" in where and "resolved, closed" in where
    assert fresh(bot, incident).status == "monitoring"


def test_reopening_a_resolved_incident_is_recorded_and_clears_the_resolve(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id and incident.announcement_channel_id
    command(bot, "alice", incident, "status resolved")
    submit_resolve_form(bot, "alice")
    wait_post(bot, incident.channel_id, "*resolved*")

    not_back = command(bot, "alice", incident, "reopen closed").json()["text"]
    assert "Reopening goes back to an earlier state: investigating, identified, monitoring" in not_back
    command(bot, "bob", incident, "reopen")

    wait_post(bot, incident.channel_id, "reopened the incident: resolved → *investigating*")
    wait_post(bot, incident.announcement_channel_id, "reopened", thread_ts=incident.announcement_ts)
    row = fresh(bot, incident)
    assert row.status == "investigating" and row.resolved_at is None and row.mitigated_at is None
    assert events(bot, incident, "status_changed")[-1].data == {"from": "resolved", "to": "investigating",
                                                                "reopened": True}
    again = command(bot, "alice", incident, "reopen").json()["text"]
    assert "Only a resolved incident can be reopened" in again


def test_closing_an_unresolved_incident_resolves_it_first_and_then_nothing_leaves_closed(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id
    command(bot, "alice", incident, "status closed")
    wait_post(bot, incident.channel_id, "resolved → *closed*")
    row = fresh(bot, incident)
    assert row.status == "closed" and row.resolved_at is not None and row.closed_at is not None
    assert [(e.data or {})["to"] for e in events(bot, incident, "status_changed")] == ["resolved", "closed"]
    card = wait_card(bot, incident, "*Status*\\nClosed")
    assert "status_select" not in card and "claim_role" not in card

    refused = command(bot, "alice", incident, "status investigating").json()["text"]
    assert "nothing leaves closed" in refused
    assert "Only a resolved incident" in command(bot, "alice", incident, "reopen").json()["text"]


def test_a_false_alarm_is_declined_and_stays_declined(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id
    command(bot, "alice", incident, "status declined")
    wait_post(bot, incident.channel_id, "*declined*")
    assert "nothing leaves declined" in command(bot, "alice", incident, "status identified").json()["text"]
    assert bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident",
                                 "list").json()["text"].startswith("No open incidents")


def test_the_status_select_on_the_card_moves_the_status(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.card_ts
    select = next(b for b in emu.messages(incident.channel_id) if b["ts"] == incident.card_ts)
    options = [o["value"] for b in select["blocks"] if b.get("block_id") == "card_status"
               for o in b["elements"][0]["options"]]
    assert options == ["identified", "monitoring", "resolved", "closed", "declined"]

    emu.click(emu.user_id("carol"), incident.channel_id, incident.card_ts, "status_select", value="monitoring")

    wait_post(bot, incident.channel_id, "investigating → *monitoring*")
    row = fresh(bot, incident)
    assert row.status == "monitoring" and row.mitigated_at is not None and row.acknowledged_at is not None
    emu.click(emu.user_id("carol"), incident.channel_id, incident.card_ts, "status_select", value="monitoring",
              selected_option={"value": "investigating", "text": {"type": "plain_text", "text": "investigating"}})
    assert "cannot go from monitoring to investigating" in wait_reply(bot, "carol", "cannot go")


def test_status_outside_an_incident_channel_says_where_to_type_it(bot: Harness) -> None:
    emu = bot.emu
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "status resolved")
    assert "`/incident status` works inside an incident channel" in r.json()["text"]
    assert "declare one with `/incident declare <title>`" in r.json()["text"]
