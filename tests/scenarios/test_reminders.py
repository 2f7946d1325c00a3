"""Update reminders: the card's due time, one nudge naming the communicator (and a DM), an update resets
the clock, a severity change re-plans it, snoozing pauses it, resolving and declining stop it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.config import IncidentConfig
from bot.config.reminders import ReminderConfig
from tests.conftest import Harness
from tests.scenarios.reminder_helpers import Clock, config, dms, jobs, posts, run_due
from tests.scenarios.steering_helpers import (
    command,
    declare,
    events,
    fresh,
    open_view,
    text_of,
    wait_card,
    wait_post,
    wait_reply,
)

NUDGE = "an update on"


def test_a_due_update_nudges_the_communicator_once_and_an_update_resets_the_clock(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(every={"SEV3": timedelta(minutes=30)}))
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id or ""
    due = incident.declared_at + timedelta(minutes=30)
    assert fresh(bot, incident).update_due_at == due
    command(bot, "alice", incident, f"communicator <@{emu.user_id('bob')}>")
    card = wait_card(bot, incident, "next update due")
    assert f"<!date^{int(due.timestamp())}^" in card

    clock.advance(minutes=29)
    run_due(bot)
    assert posts(bot, channel, NUDGE) == []
    clock.advance(minutes=1, seconds=1)
    run_due(bot)
    run_due(bot)
    [nudge] = posts(bot, channel, NUDGE)
    assert f"<@{emu.user_id('bob')}>" in text_of(nudge) and "snooze 30m" in text_of(nudge)
    [dm] = dms(bot, "bob", "update on")
    assert "reminder_post_update" in text_of(dm)
    assert len(events(bot, incident, "reminder_sent")) == 1

    clock.advance(minutes=10)
    command(bot, "bob", incident, "update Rolling back")
    wait_post(bot, channel, "Rolling back")
    row = fresh(bot, incident)
    assert row.last_update_at and row.update_due_at == row.last_update_at + timedelta(minutes=30)
    clock.advance(minutes=29)
    run_due(bot)
    assert len(posts(bot, channel, NUDGE)) == 1
    clock.advance(minutes=2)
    run_due(bot)
    assert len(posts(bot, channel, NUDGE)) == 2

    emu.click(emu.user_id("bob"), dm_channel(bot, "bob"), dm["ts"], "reminder_post_update")
    assert open_view(bot, "bob", "incident_update_modal")


def dm_channel(bot: Harness, user: str) -> str:
    """The id of the bot's IM with `user`."""
    with bot.emu.ws.lock:
        return bot.emu.ws.ims[bot.emu.user_id(user)]


def test_without_a_communicator_the_commander_is_named_and_a_severity_change_replans(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(every={"SEV3": timedelta(hours=1),
                                                                "SEV1": timedelta(minutes=15)}))
    emu = bot.emu
    incident = declare(bot)
    command(bot, "alice", incident, f"commander <@{emu.user_id('carol')}>")
    wait_post(bot, incident.channel_id or "", "is now commander")
    clock.advance(minutes=20)
    command(bot, "carol", incident, "severity sev1")
    wait_post(bot, incident.channel_id or "", "SEV1")
    assert fresh(bot, incident).update_due_at == clock() + timedelta(minutes=15)
    clock.advance(minutes=15, seconds=1)
    run_due(bot)
    [nudge] = posts(bot, incident.channel_id or "", NUDGE)
    assert f"<@{emu.user_id('carol')}>" in text_of(nudge)
    assert dms(bot, "carol", "update on")
    command(bot, "carol", incident, "severity sev4")  # no update_every at SEV4: no more reminders
    wait_post(bot, incident.channel_id or "", "SEV4")
    assert fresh(bot, incident).update_due_at is None and jobs(bot, incident.id)["update_reminder"].state == "cancelled"
    clock.advance(hours=3)
    run_due(bot)
    assert len(posts(bot, incident.channel_id or "", NUDGE)) == 1


def test_snooze_pauses_the_reminder_and_bad_lengths_say_what_to_type(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(every={"SEV3": timedelta(minutes=30)}))
    incident = declare(bot)
    channel = incident.channel_id or ""
    for typed in ("snooze forever", "snooze 0s", "snooze", "snooze 30 minutes"):
        r = command(bot, "alice", incident, typed)
        assert "/incident snooze 30m" in r.json()["text"], typed
    clock.advance(minutes=20)
    r = command(bot, "alice", incident, "snooze 1h")
    assert "snoozed update reminders" in r.json()["text"] and r.json()["response_type"] == "in_channel"
    assert fresh(bot, incident).update_due_at == clock() + timedelta(hours=1)
    wait_card(bot, incident, f"<!date^{int((clock() + timedelta(hours=1)).timestamp())}^")
    assert len(events(bot, incident, "reminders_snoozed")) == 1
    clock.advance(minutes=59)
    run_due(bot)
    assert posts(bot, channel, NUDGE) == []
    clock.advance(minutes=2)
    run_due(bot)
    [nudge] = posts(bot, channel, NUDGE)
    bot.emu.click(bot.emu.user_id("dave"), channel, nudge["ts"], "reminder_snooze")
    wait_reply(bot, "dave", "snoozed")
    assert fresh(bot, incident).update_due_at == clock() + timedelta(minutes=30)
    clock.advance(minutes=29)
    run_due(bot)
    assert len(posts(bot, channel, NUDGE)) == 1


def test_declining_stops_the_reminder_and_nothing_fires_afterwards(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config(every={"SEV3": timedelta(minutes=30)}))
    incident = declare(bot)
    command(bot, "alice", incident, "status declined")
    wait_post(bot, incident.channel_id or "", "→ *declined*")
    assert jobs(bot, incident.id)["update_reminder"].state == "cancelled"
    card = wait_card(bot, incident, "Declined")
    assert "next update due" not in card
    clock.advance(hours=5)
    run_due(bot)
    assert posts(bot, incident.channel_id or "", NUDGE) == []
    r = command(bot, "alice", incident, "snooze 30m")
    assert "no update reminders" in r.json()["text"]


def test_reminders_fire_on_the_real_clock_too(make_bot: Any) -> None:
    bot: Harness = make_bot(incident=IncidentConfig(reminders=ReminderConfig(
        update_every=(("SEV3", timedelta(seconds=2)),))))
    incident = declare(bot)
    nudge = bot.emu.wait_for(lambda: posts(bot, incident.channel_id or "", NUDGE), timeout=15)
    assert len(nudge) >= 1
    assert "Nobody holds" in text_of(nudge[0])
