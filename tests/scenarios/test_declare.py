"""Declaring an incident, end to end: signed requests in, Slack calls out to the emulator, rows in the database."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from sqlalchemy import select

from bot.timeline.models import TimelineEvent
from tests.conftest import Harness

VALID_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: its text and the text inside its blocks."""
    return message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def replies_to(bot: Harness, user: str) -> list[str]:
    """What the bot told `user` privately: response_url posts, ephemerals, DMs."""
    out = [r["body"].get("text", "") for r in bot.emu.responses()]
    out += [e["text"] for e in bot.emu.ephemerals(user=user)]
    out += [m.get("text", "") for m in bot.emu.dms(user)]
    return out


def test_inline_declare_opens_a_ready_channel_and_announces_it(bot: Harness) -> None:
    emu = bot.emu
    alice, general = emu.user_id("alice"), emu.channel_id("general")

    r = emu.slash_command(alice, general, "/incident", "declare Checkout API returning 500s")

    assert r.status == 200
    assert "Declaring incident *Checkout API returning 500s* (SEV3)" in r.json()["text"]
    incident = bot.wait_ready(1)
    assert incident.setup_state == "ready", incident.setup_error
    assert (incident.title, incident.severity, incident.status) == ("Checkout API returning 500s", "SEV3",
                                                                     "investigating")
    assert incident.reporter_id == alice and not incident.is_private and not incident.is_drill
    assert incident.channel_id
    channel = emu.channel(incident.channel_id)
    assert channel["name"] == "inc-1-checkout-api-returning-500s" == incident.channel_name
    assert channel["topic"]["value"] == "SEV3 · investigating · Checkout API returning 500s"
    assert "Incident #1" in channel["purpose"]["value"]
    assert alice in channel["members"]
    card = next(m for m in emu.messages(incident.channel_id) if m.get("bot_id"))
    assert "Incident #1: Checkout API returning 500s" in text_of(card)
    assert "*Commander*: _unassigned_" in text_of(card)
    assert incident.card_ts == card["ts"]
    announcement = emu.messages(emu.channel_id("incidents"))[-1]
    assert f"<#{incident.channel_id}>" in text_of(announcement) and "Checkout API returning 500s" in text_of(
        announcement)
    assert (incident.announcement_channel_id, incident.announcement_ts) == (emu.channel_id("incidents"),
                                                                            announcement["ts"])
    emu.wait_for(lambda: any(f"<#{incident.channel_id}>" in t for t in replies_to(bot, alice)))
    with bot.runtime.sessions() as s:
        kinds = s.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident.id)).all()
    assert kinds[0] == "declared" and "channel_opened" in kinds


def test_a_declaration_makes_few_slack_calls(bot: Harness) -> None:
    emu = bot.emu
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Disk full on db-1")
    bot.wait_ready(1)
    emu.wait_for(lambda: emu.responses())
    methods = [c.method for c in emu.calls() if c.method != "auth.test"]
    assert sorted(methods) == sorted(["conversations.create", "conversations.setTopic", "conversations.setPurpose",
                                      "conversations.invite", "chat.postMessage", "chat.postMessage", "pins.add"])


def fill(bot: Harness, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """state.values for the declare modal, as Slack would send them."""
    def select_(value: str | None) -> dict[str, Any]:
        return {"type": "static_select",
                "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}} if value else None}
    options = [{"value": v, "text": {"type": "plain_text", "text": v}} for v in fields.get("options", [])]
    return {
        "title": {"title_input": {"type": "plain_text_input", "value": fields.get("title")}},
        "severity": {"severity_select": select_(fields.get("severity", "SEV3"))},
        "priority": {"priority_select": select_(fields.get("priority"))},
        "category": {"category_select": select_(fields.get("category"))},
        "service": {"service_input": {"type": "plain_text_input", "value": fields.get("service")}},
        "description": {"description_input": {"type": "plain_text_input", "value": fields.get("description")}},
        "options": {"options_checkboxes": {"type": "checkboxes", "selected_options": options}},
    }


def open_modal(bot: Harness, user: str) -> dict[str, Any]:
    views = bot.emu.wait_for(lambda: [v for v in bot.emu.views(user=user)
                                      if v["callback_id"] == "declare_incident_modal"])
    return views[-1]


def test_modal_declare_records_every_field_and_shows_them_on_the_card(bot: Harness) -> None:
    emu = bot.emu
    bob, general = emu.user_id("bob"), emu.channel_id("general")

    r = emu.slash_command(bob, general, "/incident", "declare")
    assert r.status == 200 and r.body in (b"", b"{}")
    view = open_modal(bot, bob)
    assert view["title"]["text"] == "Declare an incident"
    r = emu.submit_view(view["id"], fill(bot, view, title="Payments delayed", severity="SEV2", priority="P1",
                                         category="database", service="payments-api",
                                         description="Queue depth <b>growing</b> & retries failing"), user_id=bob)
    assert r.status == 200 and not r.body.strip(b"{}")

    incident = bot.wait_ready(1)
    assert (incident.title, incident.severity, incident.priority, incident.category, incident.service) == (
        "Payments delayed", "SEV2", "P1", "database", "payments-api")
    assert incident.description == "Queue depth <b>growing</b> & retries failing"
    assert incident.channel_id
    card = text_of(next(m for m in emu.messages(incident.channel_id) if m.get("bot_id")))
    for shown in ("Payments delayed", "SEV2 (major)", "P1", "database", "payments-api",
                  "Queue depth &lt;b&gt;growing&lt;/b&gt; &amp; retries failing"):
        assert shown in card, shown
    assert emu.views(user=bob) == []
    emu.wait_for(lambda: any(f"<#{incident.channel_id}>" in t for t in replies_to(bot, bob)))


def test_a_blank_title_in_the_modal_is_refused_in_place_and_nothing_is_recorded(bot: Harness) -> None:
    emu = bot.emu
    bob = emu.user_id("bob")
    emu.slash_command(bob, emu.channel_id("general"), "/incident", "declare")
    view = open_modal(bot, bob)
    r = emu.submit_view(view["id"], fill(bot, view, title="   ", severity="SEV2"), user_id=bob)
    assert r.json()["response_action"] == "errors"
    assert "title" in r.json()["errors"]
    assert bot.incidents() == []
    assert len(emu.views(user=bob)) == 1


def submission_payload(bot: Harness, view: dict[str, Any], user: str, values: dict[str, Any]) -> bytes:
    """A view_submission exactly as Slack sends it, to deliver twice (a double click on Submit)."""
    payload = {
        "type": "view_submission", "team": {"id": bot.emu.team_id, "domain": "acme"},
        "user": {"id": user, "username": "bob", "name": "bob", "team_id": bot.emu.team_id},
        "api_app_id": "A0001", "token": "legacy", "trigger_id": "1.2.double",
        "view": {**{k: view[k] for k in ("id", "callback_id", "private_metadata", "blocks", "title")},
                 "type": "modal", "team_id": bot.emu.team_id, "hash": view.get("hash", "1.1"),
                 "state": {"values": values}, "app_id": "A0001", "bot_id": bot.emu.bot_id,
                 "root_view_id": view["id"], "previous_view_id": None},
        "response_urls": [],
    }
    from urllib.parse import urlencode
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_double_submission_of_the_same_modal_creates_one_incident(bot: Harness) -> None:
    emu = bot.emu
    bob = emu.user_id("bob")
    emu.slash_command(bob, emu.channel_id("general"), "/incident", "declare")
    view = open_modal(bot, bob)
    body = submission_payload(bot, view, bob, fill(bot, view, title="Search is slow", severity="SEV3"))
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(
        emu.send_raw(body, "application/x-www-form-urlencoded").status)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200]
    bot.wait_ready(1)
    time.sleep(0.5)
    assert [i.title for i in bot.incidents()] == ["Search is slow"]
    assert len([c for c in emu.calls("conversations.create")]) == 1


def test_the_global_shortcut_opens_the_same_modal(bot: Harness) -> None:
    emu = bot.emu
    carol = emu.user_id("carol")
    r = emu.global_shortcut(carol, "declare_incident")
    assert r.status == 200
    view = open_modal(bot, carol)
    emu.submit_view(view["id"], fill(bot, view, title="VPN down", severity="SEV2"), user_id=carol)
    incident = bot.wait_ready(1)
    assert incident.title == "VPN down" and incident.severity == "SEV2"
    emu.wait_for(lambda: any(f"<#{incident.channel_id}>" in t for t in replies_to(bot, carol)))


def test_the_message_shortcut_takes_the_message_as_description_and_keeps_its_permalink(bot: Harness) -> None:
    emu = bot.emu
    dave, general = emu.user_id("dave"), emu.channel_id("general")
    ts = emu.post_message(dave, general, "Seeing 502s from the edge in eu-west-1 since 10:02")
    r = emu.message_shortcut(dave, general, ts, "declare_from_message")
    assert r.status == 200
    view = open_modal(bot, dave)
    description = next(b for b in view["blocks"] if b["block_id"] == "description")
    assert description["element"]["initial_value"] == "Seeing 502s from the edge in eu-west-1 since 10:02"
    emu.submit_view(view["id"], fill(bot, view, title="Edge 502s",
                                     description="Seeing 502s from the edge in eu-west-1 since 10:02"), user_id=dave)
    incident = bot.wait_ready(1)
    assert incident.description == "Seeing 502s from the edge in eu-west-1 since 10:02"
    assert incident.source_permalink and ts.replace(".", "") in incident.source_permalink
    assert incident.channel_id
    card = text_of(next(m for m in emu.messages(incident.channel_id) if m.get("bot_id")))
    assert incident.source_permalink in card


def test_a_private_incident_gets_a_private_channel_and_is_never_announced(bot: Harness) -> None:
    emu = bot.emu
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    before = len(emu.messages(emu.channel_id("incidents")))
    emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare --private Suspicious logins")
    incident = bot.wait_ready(1)
    assert incident.is_private and incident.setup_state == "ready"
    assert incident.channel_id
    assert emu.channel(incident.channel_id)["is_private"] is True
    assert len(emu.messages(emu.channel_id("incidents"))) == before
    assert not [c for c in emu.calls("chat.postMessage") if c.args.get("channel") == emu.channel_id("incidents")]
    assert "Suspicious logins" not in emu.slash_command(bob, emu.channel_id("general"), "/incident", "list").text
    assert "Suspicious logins" in emu.slash_command(alice, emu.channel_id("general"), "/incident", "list").text


def test_a_drill_runs_the_same_flow_labelled_drill(bot: Harness) -> None:
    emu = bot.emu
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident",
                      "declare --drill Failover rehearsal")
    incident = bot.wait_ready(1)
    assert incident.is_drill
    assert incident.channel_name == "inc-1-drill-failover-rehearsal"
    assert incident.channel_id
    card = text_of(next(m for m in emu.messages(incident.channel_id) if m.get("bot_id")))
    assert "DRILL #1" in card
    assert "DRILL" in text_of(emu.messages(emu.channel_id("incidents"))[-1])


def test_a_300_character_emoji_title_gets_a_valid_unique_name(bot: Harness) -> None:
    emu = bot.emu
    title = ("🔥💥" * 150)[:300]
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", f"declare {title}")
    emu.slash_command(emu.user_id("bob"), emu.channel_id("general"), "/incident", f"declare {title}")
    first, second = bot.wait_ready(1), bot.wait_ready(2)
    for incident in (first, second):
        assert incident.setup_state == "ready"
        assert VALID_NAME.match(incident.channel_name or "")
        assert incident.title == title
    assert first.channel_name and second.channel_name
    assert first.channel_name.startswith("inc-1-") and second.channel_name.startswith("inc-2-")


def test_a_taken_name_even_archived_gets_a_suffix_and_keeps_the_number(bot: Harness) -> None:
    emu = bot.emu
    emu.add_channel("inc-1-checkout-down", archived=True)
    emu.add_channel("inc-1-checkout-down-2")
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Checkout down")
    incident = bot.wait_ready(1)
    assert incident.channel_name == "inc-1-checkout-down-3"
    assert [c.response.get("error") for c in emu.calls("conversations.create")] == ["name_taken", "name_taken",
                                                                                   None]


def test_a_429_on_conversations_create_is_retried_and_the_incident_declared_once(bot: Harness) -> None:
    emu = bot.emu
    emu.inject("conversations.create", status=429, retry_after=0, times=1)
    emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "declare Rate limited day")
    incident = bot.wait_ready(1, timeout=15)
    assert incident.setup_state == "ready"
    statuses = [c.status for c in emu.calls("conversations.create")]
    assert statuses == [429, 200]
    assert len(bot.incidents()) == 1
    assert len([c for c in emu.channels() if c["name"].startswith("inc-1-")]) == 1


def test_when_slack_refuses_the_channel_nothing_is_left_behind(bot: Harness) -> None:
    emu = bot.emu
    alice = emu.user_id("alice")
    emu.inject("conversations.create", error="restricted_action", times=1)
    emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Cannot create")
    emu.wait_for(lambda: any("restricted_action" in t for t in replies_to(bot, alice)))
    assert bot.incidents() == []


def test_an_expired_trigger_id_gets_a_useful_answer(make_bot: Any, emu: Any) -> None:
    bot = make_bot()
    alice = emu.user_id("alice")
    emu.inject("views.open", error="expired_trigger_id", times=1)
    r = bot.emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare")
    assert r.status == 200
    answer = emu.wait_for(lambda: [t for t in replies_to(bot, alice) if "could not open in time" in t])[0]
    assert "/incident declare <title>" in answer
    assert bot.incidents() == []


def test_a_trigger_that_really_expired_gets_the_same_useful_answer(bot: Harness) -> None:
    emu = bot.emu
    emu.ws.trigger_ttl = 0.05                 # Slack's 3 s, shrunk
    emu.inject("views.open", latency=0.3)     # the form opens too late
    alice = emu.user_id("alice")
    r = emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare")
    assert r.status == 200
    answer = emu.wait_for(lambda: [t for t in replies_to(bot, alice) if "could not open in time" in t])[0]
    assert "expired_trigger_id" in answer and "/incident declare <title>" in answer
    assert emu.views(user=alice) == [] and bot.incidents() == []


def test_a_step_that_fails_for_good_is_said_in_the_channel_and_to_the_declarer(bot: Harness) -> None:
    emu = bot.emu
    alice = emu.user_id("alice")
    emu.inject("conversations.invite", error="restricted_action", times=1)
    emu.slash_command(alice, emu.channel_id("general"), "/incident", "declare Half furnished")
    emu.wait_for(lambda: any("could not invite the declarer" in t for t in replies_to(bot, alice)))
    incident = bot.wait_ready()
    assert incident.setup_state == "failed" and "restricted_action" in (incident.setup_error or "")
    assert incident.channel_id is not None and incident.card_ts is not None
    said = [m["text"] for m in emu.messages(incident.channel_id) if "incomplete" in m.get("text", "")]
    assert len(said) == 1 and "could not invite the declarer (restricted_action)" in said[0]
