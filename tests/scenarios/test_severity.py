"""Severity and priority: by command or form; topic, card and announcement follow; history is kept."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from bot.incidents.models import Incident
from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    chosen,
    command,
    declare,
    events,
    fresh,
    message,
    open_view,
    text_of,
    wait_announcement,
    wait_card,
    wait_post,
)


def thread_replies(bot: Harness, incident: Incident) -> list[dict[str, Any]]:
    """Replies under the incident's announcement card."""
    ts, channel = incident.announcement_ts, incident.announcement_channel_id or ""
    return [m for m in bot.emu.messages(channel) if m.get("thread_ts") == ts and m["ts"] != ts]


@pytest.mark.parametrize("typed", ["sev1", "SEV1", "1"])
def test_raising_to_a_major_severity_updates_topic_card_and_announcement(bot: Harness, typed: str) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.announcement_channel_id
    channel_id = incident.channel_id  # narrowed, for the lambda below
    alice = emu.user_id("alice")

    r = command(bot, "alice", incident, f"severity {typed} checkout down for every EU customer")

    assert r.status == 200
    post = wait_post(bot, incident.channel_id, "changed the severity")
    assert "SEV3 → *SEV1*" in text_of(post) and "now major" in text_of(post)
    assert "checkout down for every EU customer" in text_of(post)
    emu.wait_for(lambda: emu.channel(channel_id)["topic"]["value"].startswith("SEV1 · investigating"))
    wait_card(bot, incident, "SEV1 (major)")
    wait_announcement(bot, incident, "· SEV1 ·")
    reply = wait_post(bot, incident.announcement_channel_id, "SEV3 → *SEV1*", thread_ts=incident.announcement_ts)
    assert "now major" in text_of(reply)
    top_level = [m for m in emu.messages(incident.announcement_channel_id, include_replies=False)
                 if incident.channel_id in text_of(m)]
    assert [m["ts"] for m in top_level] == [incident.announcement_ts]
    assert fresh(bot, incident).severity == "SEV1"
    [event] = events(bot, incident, "severity_changed")
    assert event.data == {"from": "SEV3", "to": "SEV1", "reason": "checkout down for every EU customer"}
    assert event.actor_id == alice and event.is_key and event.occurred_at is not None


def test_a_change_between_minor_severities_edits_the_announcement_without_a_thread_reply(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id
    command(bot, "bob", incident, "severity 4")
    wait_post(bot, incident.channel_id, "SEV3 → *SEV4*")
    wait_announcement(bot, incident, "· SEV4 ·")
    bot.emu.drain()
    assert thread_replies(bot, incident) == []


def test_lowering_out_of_major_is_announced_too(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.announcement_channel_id
    command(bot, "alice", incident, "severity 2")
    wait_post(bot, incident.announcement_channel_id, "SEV3 → *SEV2*", thread_ts=incident.announcement_ts)
    command(bot, "alice", incident, "severity 3")
    reply = wait_post(bot, incident.announcement_channel_id, "SEV2 → *SEV3*", thread_ts=incident.announcement_ts)
    assert "no longer major" in text_of(reply)
    assert [(e.data or {})["to"] for e in events(bot, incident, "severity_changed")] == ["SEV2", "SEV3"]


def test_a_bogus_level_is_refused_with_the_valid_ones(bot: Harness) -> None:
    incident = declare(bot)
    r = command(bot, "alice", incident, "severity sev9")
    assert "`sev9` is not a severity" in r.json()["text"] and "SEV1, SEV2, SEV3, SEV4" in r.json()["text"]
    r = command(bot, "alice", incident, "priority urgent")
    assert "`urgent` is not a priority" in r.json()["text"] and "P1, P2, P3, P4" in r.json()["text"]
    assert fresh(bot, incident).severity == "SEV3" and events(bot, incident, "severity_changed") == []


def test_severity_outside_an_incident_channel_says_where_to_type_it(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "severity 1")
    assert "`/incident severity` works inside an incident channel" in r.json()["text"]
    assert f"<#{incident.channel_id}>" in r.json()["text"]


def test_the_severity_form_preselects_the_current_level_and_records_the_reason(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    bob = emu.user_id("bob")

    command(bot, "bob", incident, "severity")

    view = open_view(bot, "bob", "incident_severity_modal")
    select = next(b for b in view["blocks"] if b.get("block_id") == "severity")["element"]
    assert select["initial_option"]["value"] == "SEV3"
    assert any("Critical" in o["text"]["text"] for o in select["options"])
    r = emu.submit_view(view["id"], {"severity": {"severity_select": chosen("SEV2")},
                                     "priority": {"priority_select": chosen("P1")},
                                     "reason": {"reason_input": {"type": "plain_text_input",
                                                                 "value": "payments failing"}}}, user_id=bob)
    assert r.status == 200 and emu.views(user=bob) == []

    post = wait_post(bot, incident.channel_id, "SEV3 → *SEV2*")
    assert "payments failing" in text_of(post) and "none → *P1*" in text_of(post)
    wait_card(bot, incident, "SEV2 (major)")
    row = fresh(bot, incident)
    assert (row.severity, row.priority) == ("SEV2", "P1")
    assert (events(bot, incident, "severity_changed")[0].data or {})["reason"] == "payments failing"
    assert events(bot, incident, "priority_changed")[0].data == {"from": None, "to": "P1",
                                                                 "reason": "payments failing"}


def test_submitting_the_form_unchanged_is_refused_in_place(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    command(bot, "bob", incident, "severity")
    view = open_view(bot, "bob", "incident_severity_modal")
    r = emu.submit_view(view["id"], user_id=emu.user_id("bob"))
    assert r.json()["response_action"] == "errors" and "current severity" in r.json()["errors"]["severity"]
    assert events(bot, incident, "severity_changed") == []


def test_the_card_button_opens_the_severity_form(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.card_ts
    emu.click(emu.user_id("carol"), incident.channel_id, incident.card_ts, "open_severity_form")
    assert open_view(bot, "carol", "incident_severity_modal")["title"]["text"].startswith("Severity")


def test_priority_is_set_directly(bot: Harness) -> None:
    incident = declare(bot)
    assert incident.channel_id
    command(bot, "alice", incident, "priority 1")
    wait_post(bot, incident.channel_id, "none → *P1*")
    wait_card(bot, incident, "*Priority*\\nP1")
    assert fresh(bot, incident).priority == "P1"
    command(bot, "alice", incident, "priority p1")
    answer = bot.emu.wait_for(
        lambda: next((r["body"]["text"] for r in bot.emu.responses() if "already" in r["body"].get("text", "")),
                     None))
    assert answer is not None  # wait_for returns only a truthy value
    assert "already has priority P1" in answer


def test_a_private_incident_is_never_announced(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, flags="--private")
    assert incident.channel_id and incident.card_ts
    before = emu.messages(emu.channel_id("incidents"))
    command(bot, "alice", incident, "severity 1")
    wait_post(bot, incident.channel_id, "SEV3 → *SEV1*")
    emu.drain()
    assert emu.messages(emu.channel_id("incidents")) == before
    assert not [c for c in emu.calls("chat.update") if c.args.get("channel") == emu.channel_id("incidents")]
    assert message(bot, incident.channel_id, incident.card_ts)


def test_concurrent_changes_are_serialised_so_the_history_chains(bot: Harness) -> None:
    incident = declare(bot)
    threads = [threading.Thread(target=command, args=(bot, who, incident, f"severity {level}"))
               for who, level in (("alice", "1"), ("bob", "2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    bot.emu.wait_for(lambda: len(events(bot, incident, "severity_changed")) == 2)
    first, second = (e.data for e in events(bot, incident, "severity_changed"))
    assert first is not None and second is not None
    assert first["from"] == "SEV3" and second["from"] == first["to"]
    assert fresh(bot, incident).severity == second["to"]
