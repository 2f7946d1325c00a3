"""Status updates: in the channel, threaded under the announcement, whose card is edited in place."""

from __future__ import annotations

from tests.conftest import Harness
from tests.scenarios.steering_helpers import (
    command,
    declare,
    events,
    fresh,
    open_view,
    text_of,
    wait_announcement,
    wait_post,
)


def test_an_update_is_posted_in_the_channel_and_threaded_under_the_one_announcement_card(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.announcement_channel_id
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    command(bot, "alice", incident, f"commander <@{bob}>")
    wait_post(bot, incident.channel_id, "is now commander")
    emu.clear_calls()

    r = command(bot, "bob", incident, f"update Fix deployed by <@{carol}|carol> & errors <dropping> <!channel>")

    assert r.status == 200
    post = wait_post(bot, incident.channel_id, "*Update* from")
    body = text_of(post)
    assert f"<@{bob}>" in body and f"<@{carol}|carol>" in body and "&amp; errors &lt;dropping&gt;" in body
    assert "<!channel>" not in body and "&lt;!channel&gt;" in body
    reply = wait_post(bot, incident.announcement_channel_id, "*Update* from", thread_ts=incident.announcement_ts)
    assert "Fix deployed" in text_of(reply)
    card = wait_announcement(bot, incident, "Last update")
    assert "SEV3" in card and "investigating" in card and f"Commander: <@{bob}>" in card
    # the call log is written as the answer goes out, just after the state the card shows
    assert emu.wait_for(lambda: any(c.args.get("ts") == incident.announcement_ts for c in emu.calls("chat.update")))
    top_level = [m for m in emu.messages(incident.announcement_channel_id, include_replies=False)
                 if incident.channel_id in text_of(m)]
    assert [m["ts"] for m in top_level] == [incident.announcement_ts]
    row = fresh(bot, incident)
    assert row.last_update_at is not None
    [event] = events(bot, incident, "update_posted")
    assert event.actor_id == bob and event.is_key and "Fix deployed" in event.text


def test_the_card_button_opens_the_update_form_and_a_blank_update_is_refused_in_place(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id and incident.card_ts and incident.announcement_channel_id
    dave = emu.user_id("dave")

    emu.click(dave, incident.channel_id, incident.card_ts, "open_update_form")

    view = open_view(bot, "dave", "incident_update_modal")
    blank = emu.submit_view(view["id"], {"update": {"update_input": {"type": "plain_text_input", "value": "  "}}},
                            user_id=dave)
    assert blank.json()["response_action"] == "errors" and "Write the update" in blank.json()["errors"]["update"]
    emu.submit_view(view["id"], {"update": {"update_input": {"type": "plain_text_input",
                                                             "value": "Rolled back release 42"}}}, user_id=dave)
    wait_post(bot, incident.channel_id, "Rolled back release 42")
    wait_post(bot, incident.announcement_channel_id, "Rolled back release 42", thread_ts=incident.announcement_ts)


def test_update_without_text_opens_the_form_and_outside_an_incident_says_where(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    command(bot, "carol", incident, "update")
    assert open_view(bot, "carol", "incident_update_modal")
    r = emu.slash_command(emu.user_id("carol"), emu.channel_id("general"), "/incident", "update all good")
    assert "`/incident update` works inside an incident channel" in r.json()["text"]
    assert f"<#{incident.channel_id}>" in r.json()["text"]


def test_updates_of_a_private_incident_stay_in_its_channel(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, flags="--private")
    assert incident.channel_id
    before = emu.messages(emu.channel_id("incidents"))
    command(bot, "alice", incident, "update Still digging")
    wait_post(bot, incident.channel_id, "Still digging")
    emu.drain()
    assert emu.messages(emu.channel_id("incidents")) == before


def test_the_incident_card_is_pinned_and_kept_current(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    assert incident.channel_id
    assert [c.response["ok"] for c in emu.calls("pins.add")
            if c.args.get("timestamp") == incident.card_ts and c.args.get("channel") == incident.channel_id] == [True]
    command(bot, "alice", incident, "update First findings")
    wait_post(bot, incident.channel_id, "First findings")
    emu.wait_for(lambda: any(c.args.get("ts") == incident.card_ts for c in emu.calls("chat.update")))
