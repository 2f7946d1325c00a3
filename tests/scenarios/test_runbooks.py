"""Runbooks, end to end: checklists posted on declare and on re-classification, ticked by responders,
listed and posted on demand, and what the postmortem will read."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.config import IncidentConfig
from bot.db import utcnow
from bot.incidents.models import Incident
from bot.runbooks import posting
from bot.runbooks.models import RunbookChecklist, RunbookStepState
from bot.runbooks.queries import runbook_steps
from bot.slack.adapters.checklists import SlackChecklists
from bot.timeline.models import TimelineEvent
from tests.conftest import Harness
from tests.scenarios.test_declare import fill, open_modal, replies_to, text_of

DONE = [{"value": "done", "text": {"type": "plain_text", "text": "Done"}}]


def declare(bot: Harness, user: str = "alice", **fields: Any) -> Incident:
    """Declare through the modal, as a person would, and wait until the channel is ready."""
    emu = bot.emu
    uid = emu.user_id(user)
    number = len(bot.incidents()) + 1
    emu.slash_command(uid, emu.channel_id("general"), "/incident", "declare")
    view = open_modal(bot, uid)
    emu.submit_view(view["id"], fill(bot, view, **{"title": "Orders failing", **fields}), user_id=uid)
    incident = bot.wait_ready(number)
    assert incident.setup_state == "ready", incident.setup_error
    emu.wait_for(lambda: any(f"<#{incident.channel_id}>" in t for t in replies_to(bot, uid)))
    return incident


def checklists_in(bot: Harness, channel_id: str) -> dict[str, dict[str, Any]]:
    """The checklist messages in a channel, by runbook name (from the context line)."""
    out = {}
    for m in bot.emu.messages(channel_id):
        if m.get("text", "").startswith("📋 Runbook:"):
            context = m["blocks"][-1]["elements"][0]["text"]
            out[context.split("`")[1]] = m
    return out


def rows(bot: Harness, incident: Incident) -> dict[str, RunbookChecklist]:
    with bot.runtime.sessions() as s:
        found = s.scalars(select(RunbookChecklist).where(RunbookChecklist.incident_id == incident.id)).all()
        return {c.runbook: c for c in found}


def wait_posted(bot: Harness, incident: Incident, *names: str) -> dict[str, dict[str, Any]]:
    """Wait until the named runbooks are posted and recorded; the channel's checklists by name."""
    bot.emu.wait_for(lambda: all((c := rows(bot, incident).get(n)) and c.message_ts for n in names))
    return checklists_in(bot, incident.channel_id or "")


def events(bot: Harness, incident: Incident, *kinds: str) -> list[TimelineEvent]:
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident.id,
                                                          TimelineEvent.kind.in_(kinds)).order_by(TimelineEvent.id)))


def step_block(message: dict[str, Any], step: int) -> dict[str, Any]:
    return next(b for b in message["blocks"] if b.get("block_id", "").endswith(f":{step}")
                and b["block_id"].startswith("runbook_step:"))


def command(bot: Harness, user: str, channel_id: str, text: str) -> str:
    r = bot.emu.slash_command(bot.emu.user_id(user), channel_id, "/incident", text)
    assert r.status == 200
    return str(r.json().get("text", "")) if r.body.strip() else ""


def test_the_matching_runbooks_are_posted_when_an_incident_is_declared(bot: Harness) -> None:
    incident = declare(bot, severity="SEV2", category="database")

    posted = wait_posted(bot, incident, "database-outage", "major-incident")
    assert set(posted) == {"database-outage", "major-incident"}
    database = posted["database-outage"]
    assert "📋 Runbook: Database outage or severe degradation" in text_of(database)
    assert "0/21 done" in text_of(database) and "posted on declare" in text_of(database)
    first = step_block(database, 0)
    assert first["accessory"]["type"] == "checkboxes" and "initial_options" not in first["accessory"]
    assert first["text"]["text"].startswith("*Triage*\n1. Page the database on-call")
    messages = bot.emu.messages(incident.channel_id or "")
    card = next(m for m in messages if m["ts"] == incident.card_ts)
    assert all(float(card["ts"]) < float(m["ts"]) for m in posted.values())  # after the card, off the critical path
    saved = rows(bot, incident)
    assert {n: c.message_ts for n, c in saved.items()} == {n: m["ts"] for n, m in posted.items()}
    assert len(saved["database-outage"].steps) == 21
    assert [e.text for e in events(bot, incident, "runbook_posted")] == [
        "Runbook posted: Database outage or severe degradation (on declare)",
        "Runbook posted: Major incident (SEV1/SEV2) command checklist (on declare)"]


def test_an_incident_no_runbook_applies_to_gets_none(bot: Harness) -> None:
    incident = declare(bot, severity="SEV3")
    assert checklists_in(bot, incident.channel_id or "") == {} and rows(bot, incident) == {}
    assert not any(c.method == "chat.postMessage" and c.args.get("channel") == incident.channel_id
                   and "Runbook" in str(c.args.get("text")) for c in bot.emu.calls())


def test_a_category_change_posts_the_runbook_that_now_applies_once(bot: Harness) -> None:
    incident = declare(bot, severity="SEV3", category="database")
    channel = incident.channel_id or ""
    wait_posted(bot, incident, "database-outage")

    r = bot.emu.slash_command(bot.emu.user_id("bob"), channel, "/incident", "category security")
    assert r.json()["response_type"] == "in_channel"  # everyone in the channel sees the change
    wait_posted(bot, incident, "security-breach")
    said = [m["text"] for m in bot.emu.messages(channel) if "changed the category" in m.get("text", "")]
    assert said == [f"<@{bot.emu.user_id('bob')}> changed the category: database → *security*"]
    assert bot.incident(1).category == "security"
    assert set(rows(bot, incident)) == {"database-outage", "security-breach"}
    assert "posted category changed to security" in text_of(checklists_in(bot, channel)["security-breach"])
    assert [e.text for e in events(bot, incident, "category_changed")] == ["Category changed: database → security"]

    assert "already is *security*" in command(bot, "bob", channel, "category security")
    command(bot, "bob", channel, "category database")  # back again: the database runbook is not posted twice
    bot.emu.wait_for(lambda: bot.incident(1).category == "database")
    bot.emu.wait_for(lambda: len(events(bot, incident, "category_changed")) == 2)
    assert len(checklists_in(bot, channel)) == 2 and len(rows(bot, incident)) == 2

    answer = command(bot, "bob", channel, "category datbase")
    assert "`datbase` is not a category" in answer and "application, infrastructure" in answer
    assert "works inside an incident channel" in command(bot, "bob", bot.emu.channel_id("general"),
                                                         "category security")


def test_a_service_change_posts_the_runbook_for_that_service(make_bot: Any, tmp_path: Path) -> None:
    (tmp_path / "payments.md").write_text(
        "---\ntitle: Payments degraded\nservices: [\"payments-*\"]\n---\n- [ ] Check the PSP dashboard\n")
    (tmp_path / "orders-sev1.md").write_text(
        "---\ntitle: Orders down\nservices: orders-db\nseverities: [sev1]\n---\n- [ ] Fail over orders-db\n")
    bot = make_bot(incident=IncidentConfig(runbooks_dir=tmp_path))
    incident = declare(bot, severity="SEV1", service="Payments-API")
    channel = incident.channel_id or ""
    wait_posted(bot, incident, "payments")

    command(bot, "carol", channel, "service orders-db")
    wait_posted(bot, incident, "orders-sev1")
    assert bot.incident(1).service == "orders-db"
    assert set(rows(bot, incident)) == {"payments", "orders-sev1"}
    assert [e.text for e in events(bot, incident, "service_changed")] == [
        "Affected service changed: Payments-API → orders-db"]


def test_a_severity_change_posts_what_now_applies_through_the_domain_function(bot: Harness) -> None:
    incident = declare(bot, severity="SEV3")
    channel = incident.channel_id or ""
    with bot.runtime.sessions.begin() as s:  # what issue 3's severity change does, then it calls post_matching
        s.get_one(Incident, incident.id).severity = "SEV1"
    chat = SlackChecklists(bot.runtime.slack_client)

    result = posting.post_matching(bot.runtime.sessions, bot.config, chat, incident.id, utcnow,
                                   reason="severity changed to SEV1")
    again = posting.post_matching(bot.runtime.sessions, bot.config, chat, incident.id, utcnow,
                                  reason="severity changed to SEV1")

    assert [c.runbook for c in result.posted] == ["major-incident"] and result.failed == []
    assert again.posted == [] and again.failed == []
    assert list(checklists_in(bot, channel)) == ["major-incident"]
    assert "posted severity changed to SEV1" in text_of(checklists_in(bot, channel)["major-incident"])


def test_ticking_and_unticking_a_step_updates_the_message_and_the_timeline(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, severity="SEV3", category="third-party")
    channel = incident.channel_id or ""
    message = wait_posted(bot, incident, "third-party-outage")["third-party-outage"]
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    block = step_block(message, 1)

    r = emu.click(alice, channel, message["ts"], "runbook_step", block_id=block["block_id"], selected_options=DONE)
    assert r.status == 200
    ticked = emu.wait_for(lambda: (m := checklists_in(bot, channel)["third-party-outage"]) and "1/13 done" in
                          text_of(m) and m)
    assert ticked  # wait_for returns only a truthy value
    shown = step_block(ticked, 1)
    assert shown["accessory"]["initial_options"][0]["value"] == "done"
    assert f":white_check_mark: <@{alice}>" in shown["text"]["text"]
    assert ticked["ts"] == message["ts"]  # updated in place
    done = events(bot, incident, "runbook_step_done")
    assert [(e.actor_id, e.data) for e in done] == [
        (alice, {"checklist_id": rows(bot, incident)["third-party-outage"].id, "runbook": "third-party-outage",
                 "step": 1, "done": True})]
    assert done[0].text.startswith("Runbook step done: Third-party provider outage · 2. Confirm from our side")

    emu.click(bob, channel, message["ts"], "runbook_step", block_id=block["block_id"], selected_options=[])
    unticked = emu.wait_for(lambda: (m := checklists_in(bot, channel)["third-party-outage"]) and "0/13 done" in
                            text_of(m) and m)
    assert unticked  # wait_for returns only a truthy value
    assert "initial_options" not in step_block(unticked, 1)["accessory"]
    assert "white_check_mark" not in step_block(unticked, 1)["text"]["text"]
    assert [e.actor_id for e in events(bot, incident, "runbook_step_undone")] == [bob]
    with bot.runtime.sessions() as s:
        state = s.scalars(select(RunbookStepState)).one()
    assert (state.step, state.done, state.changed_by) == (1, False, bob)

    emu.click(bob, channel, message["ts"], "runbook_step", block_id=block["block_id"], selected_options=[])
    emu.wait_for(lambda: len([c for c in emu.calls("chat.update")]) >= 3)
    assert len(events(bot, incident, "runbook_step_done", "runbook_step_undone")) == 2  # no change, no entry


def test_ticks_from_several_people_at_once_all_land(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, severity="SEV2", category="application")
    channel = incident.channel_id or ""
    message = wait_posted(bot, incident, "deployment-rollback")["deployment-rollback"]
    users = [emu.user_id(n) for n in ("alice", "bob", "carol", "dave")]
    clicks = [(users[i % 4], i) for i in range(8)] + [(users[1], 0), (users[2], 0)]  # step 1 ticked thrice

    def tick(user: str, step: int) -> None:
        emu.click(user, channel, message["ts"], "runbook_step", block_id=step_block(message, step)["block_id"],
                  selected_options=DONE)

    threads = [threading.Thread(target=tick, args=c) for c in clicks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    final = emu.wait_for(lambda: (m := checklists_in(bot, channel)["deployment-rollback"]) and "8/13 done" in
                         text_of(m) and m, timeout=15)
    assert final  # wait_for returns only a truthy value
    assert all("initial_options" in step_block(final, i)["accessory"] for i in range(8))
    assert len(events(bot, incident, "runbook_step_done")) == 8  # the step ticked three times counts once
    with bot.runtime.sessions() as s:
        states = s.scalars(select(RunbookStepState).order_by(RunbookStepState.step)).all()
    assert [(st.step, st.done) for st in states] == [(i, True) for i in range(8)]
    assert states[0].changed_by in users


def test_the_runbook_command_lists_what_applies_and_posts_on_demand(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, severity="SEV3", category="database")
    channel = incident.channel_id or ""
    wait_posted(bot, incident, "database-outage")

    listing = command(bot, "alice", channel, "runbook")
    assert "*Runbooks for Incident #1*" in listing
    assert "`database-outage` *Database outage or severe degradation* (category database): posted" in listing
    assert "Other runbooks: `deployment-rollback`, `major-incident`, `security-breach`, `third-party-outage`" \
        in listing

    assert command(bot, "alice", channel, "runbook third-party-outage") == ""
    posted = wait_posted(bot, incident, "third-party-outage")["third-party-outage"]
    assert f"posted asked for by <@{emu.user_id('alice')}>" in text_of(posted)
    assert rows(bot, incident)["third-party-outage"].requested_by == emu.user_id("alice")
    listing = command(bot, "alice", channel, "runbook")
    assert "`third-party-outage` *Third-party provider outage*: posted in this channel" in listing

    command(bot, "bob", channel, "runbook Third-Party-Outage")
    emu.wait_for(lambda: any("already in this channel" in t for t in replies_to(bot, emu.user_id("bob"))))
    assert len(checklists_in(bot, channel)) == 2

    unknown = command(bot, "bob", channel, "runbook db-outage")
    assert unknown.startswith("There is no runbook called `db-outage`. Runbooks: `database-outage`, ")
    assert "works inside an incident channel" in command(bot, "bob", emu.channel_id("general"), "runbook")
    assert "`/incident runbook [&lt;name&gt;]`" in command(bot, "bob", channel, "help") or \
        "/incident runbook [<name>]" in command(bot, "bob", channel, "help")


def test_a_post_slack_refuses_is_released_and_can_be_asked_for_again(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, severity="SEV3")
    channel = incident.channel_id or ""

    emu.inject("chat.postMessage", error="msg_too_long", times=1)
    command(bot, "alice", channel, "runbook security-breach")
    emu.wait_for(lambda: any("could not be posted (msg_too_long)" in t for t in replies_to(bot, emu.user_id("alice"))))
    assert rows(bot, incident) == {}

    command(bot, "alice", channel, "runbook security-breach")
    wait_posted(bot, incident, "security-breach")
    assert list(checklists_in(bot, channel)) == ["security-breach"]


def test_the_postmortem_query_says_which_steps_were_done_by_whom_and_which_not(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, severity="SEV3", category="application")
    channel = incident.channel_id or ""
    message = wait_posted(bot, incident, "deployment-rollback")["deployment-rollback"]
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    clicks: tuple[tuple[str, int, list[Any]], ...] = ((alice, 0, DONE), (bob, 3, DONE), (bob, 4, DONE), (alice, 4, []))
    for n, (user, step, selected) in enumerate(clicks, start=1):
        emu.click(user, channel, message["ts"], "runbook_step", block_id=step_block(message, step)["block_id"],
                  selected_options=selected)

        def recorded(n: int = n) -> bool:  # a def: mypy cannot infer a lambda with a default argument here
            return len(events(bot, incident, "runbook_step_done", "runbook_step_undone")) == n
        emu.wait_for(recorded)

    with bot.runtime.sessions() as s:
        reports = runbook_steps(s, incident.id)

    assert [r.runbook for r in reports] == ["deployment-rollback"]
    report = reports[0]
    assert report.title == "Bad deploy: roll back first, debug later" and report.reason == "on declare"
    assert [(s.number, s.done_by) for s in report.done] == [(1, alice), (4, bob)]
    assert all(s.done_at is not None for s in report.done)
    assert [s.number for s in report.not_done] == [2, 3, *range(5, 14)]
    assert report.not_done[2].done_by is None  # step 5: ticked by bob, unticked by alice: not done
    assert report.steps[0].section == "Confirm the suspect"


def test_raising_the_severity_with_the_command_posts_the_major_incident_runbook_once(bot: Harness) -> None:
    incident = declare(bot, severity="SEV3")
    channel = incident.channel_id or ""
    alice = bot.emu.user_id("alice")
    bot.emu.slash_command(alice, channel, "/incident", "severity sev1 everything is down")
    posted = wait_posted(bot, incident, "major-incident")
    assert "posted severity changed to SEV1" in text_of(posted["major-incident"])
    bot.emu.slash_command(alice, channel, "/incident", "severity sev2")
    bot.emu.slash_command(alice, channel, "/incident", "severity sev1")
    bot.emu.wait_for(lambda: bot.incident(incident.number).severity == "SEV1")
    bot.emu.drain()
    assert list(checklists_in(bot, channel)) == ["major-incident"]
