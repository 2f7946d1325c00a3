"""Escalation (no commander after escalate_after) and SLA breaches: each fires once, recorded; taking
command or meeting the target stops it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.config.reminders import SlaTargets
from bot.postmortem.printing import postmortem_text
from tests.conftest import Harness
from tests.scenarios.reminder_helpers import Clock, config, dms, jobs, posts, run_due
from tests.scenarios.steering_helpers import command, declare, events, fresh, wait_card, wait_post


def test_a_major_incident_without_a_commander_is_escalated_once_to_people_groups_and_a_channel(
        make_bot: Any, emu: Any) -> None:
    carol, dave, erin = emu.user_id("carol"), emu.user_id("dave"), emu.add_user("erin")
    group = emu.add_usergroup("oncall", [dave, erin])
    managers = emu.channel_id("general")
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(after=timedelta(minutes=15), to=(carol, group, managers)))
    incident = declare(bot)
    command(bot, "alice", incident, "severity sev1")
    wait_post(bot, incident.channel_id or "", "→ *SEV1*")
    clock.advance(minutes=15, seconds=1)
    run_due(bot)
    run_due(bot)
    channel = incident.channel_id or ""
    [said] = posts(bot, channel, "no commander")
    assert f"<!subteam^{group}>" in said["text"] and f"<@{carol}>" in said["text"]
    assert len(dms(bot, "carol", "no commander")) == 1
    assert {carol, dave, erin} <= set(emu.channel(channel)["members"])
    assert len(posts(bot, managers, "no commander")) == 1
    [event] = events(bot, incident, "escalated")
    assert event.is_key
    clock.advance(hours=2)
    run_due(bot)
    assert len(posts(bot, channel, "no commander")) == 1


def test_taking_command_in_time_stops_the_escalation_and_minor_incidents_do_not_escalate(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(after=timedelta(minutes=15)))
    major, minor = declare(bot), declare(bot, title="Typo on the status page")
    command(bot, "alice", major, "severity sev2")
    wait_post(bot, major.channel_id or "", "→ *SEV2*")
    assert jobs(bot, major.id)["escalation"].state == "pending" and "escalation" not in jobs(bot, minor.id)
    command(bot, "bob", major, "commander me")
    wait_post(bot, major.channel_id or "", "took the commander role")
    assert jobs(bot, major.id)["escalation"].state == "cancelled"
    clock.advance(hours=1)
    run_due(bot)
    assert posts(bot, major.channel_id or "", "no commander") == []
    assert posts(bot, minor.channel_id or "", "no commander") == []


def test_a_missed_sla_target_is_posted_once_recorded_and_shown_on_the_card(make_bot: Any) -> None:
    clock = Clock()
    sla = {"SEV3": SlaTargets(acknowledge=timedelta(minutes=10), resolve=timedelta(hours=1))}
    bot: Harness = make_bot(clock=clock, incident=config(sla=sla))
    incident = declare(bot)
    clock.advance(minutes=10, seconds=1)
    run_due(bot)
    run_due(bot)
    channel = incident.channel_id or ""
    [breach] = posts(bot, channel, "SLA missed: Incident")
    assert "acknowledged within 10m" in breach["text"]
    wait_card(bot, incident, "SLA missed: acknowledge")
    assert fresh(bot, incident).sla_breaches == "acknowledge"
    command(bot, "bob", incident, "commander me")
    wait_post(bot, channel, "took the commander role")
    command(bot, "bob", incident, "status monitoring")
    wait_post(bot, channel, "→ *monitoring*")
    clock.advance(hours=1)
    run_due(bot)
    assert len(posts(bot, channel, "SLA missed: Incident")) == 2
    assert [(e.data or {}).get("target") for e in events(bot, incident, "sla_breached")] == ["acknowledge", "resolve"]
    clock.advance(hours=1)
    run_due(bot)
    assert len(posts(bot, channel, "SLA missed: Incident")) == 2


def test_the_postmortem_lists_each_sla_target_and_whether_it_was_met(make_bot: Any) -> None:
    clock = Clock()
    sla = {"SEV3": SlaTargets(acknowledge=timedelta(minutes=10), resolve=timedelta(hours=1))}
    bot: Harness = make_bot(clock=clock, incident=config(sla=sla))
    incident = declare(bot)
    clock.advance(minutes=5)
    command(bot, "bob", incident, "commander me")
    wait_post(bot, incident.channel_id or "", "took the commander role")
    clock.advance(hours=1)
    run_due(bot)
    text = postmortem_text(bot.runtime.settings, incident.number, "md")
    assert "## SLA" in text
    assert "- Acknowledge within 10 min: met" in text and "- Resolve within 1 h: missed" in text
