"""Follow-up nudges: the owner gets one DM when a follow-up falls due (its due date at the configured time,
in the configured time zone), none before, none twice, none once it is closed; Done and Won't do (buttons
or `/incident followup done|wontdo <n>`) record who and when, edit the DM and tell the channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from tests.conftest import Harness
from tests.scenarios.followup_helpers import config, dm_channel, followups
from tests.scenarios.reminder_helpers import Clock, dms, run_due
from tests.scenarios.steering_helpers import command, declare, events, replies, text_of, wait_post

DUE = "is due (2026-03-05)"


def test_the_owner_gets_one_dm_at_the_due_time_and_done_closes_it(make_bot: Any) -> None:
    clock = Clock()  # Wednesday 2026-03-04 09:00 UTC
    bot: Harness = make_bot(clock=clock, incident=config(timezone="Europe/Berlin", at=time(9, 30)))
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id or ""
    command(bot, "alice", incident, f"followup Alert on queue depth <@{emu.user_id('bob')}> due 2026-03-05")
    wait_post(bot, channel, "Follow-up added")

    clock.now = datetime(2026, 3, 5, 8, 29, tzinfo=UTC)  # 09:29 in Berlin
    run_due(bot)
    assert dms(bot, "bob", DUE) == []
    clock.now = datetime(2026, 3, 5, 8, 30, 1, tzinfo=UTC)
    run_due(bot)
    run_due(bot)
    [dm] = dms(bot, "bob", DUE)
    assert all(s in text_of(dm) for s in ("Alert on queue depth", "followup_done", "followup_wont_do"))

    clock.advance(hours=2)
    emu.click(emu.user_id("bob"), dm_channel(bot, "bob"), dm["ts"], "followup_done")
    wait_post(bot, channel, "Follow-up 1 done, closed by")
    edited = emu.wait_for(lambda: [text_of(m) for m in emu.dms(emu.user_id("bob"))
                                   if m["ts"] == dm["ts"] and "closed as *done*" in text_of(m)])
    assert "followup_done" not in edited[0] and "<!date^" in edited[0]  # the buttons gone; when, in the reader's zone
    [row] = followups(bot, incident.id)
    assert (row.outcome, row.done_by, row.done_at) == ("done", emu.user_id("bob"), clock.now)
    assert len(events(bot, incident, "followup_closed")) == 1

    clock.advance(days=3)
    run_due(bot)
    assert len(emu.dms(emu.user_id("bob"))) == 1  # the one DM, edited; nothing new
    assert "✅ done" in command(bot, "bob", incident, "followups").json()["text"]


def test_closing_before_the_due_date_means_no_dm_and_bad_numbers_say_what_to_type(make_bot: Any) -> None:
    clock = Clock()
    bot: Harness = make_bot(clock=clock, incident=config())
    emu = bot.emu
    incident = declare(bot)
    channel = incident.channel_id or ""
    command(bot, "alice", incident, f"followup Rotate the keys <@{emu.user_id('bob')}> due 2026-03-05")
    command(bot, "alice", incident, "followup Write the runbook")  # no owner: never nudged
    emu.wait_for(lambda: len(followups(bot, incident.id)) == 2)

    answer = command(bot, "carol", incident, "followup done 3")
    assert "There is no follow-up 3 here (1 to 2)" in answer.json()["text"]
    answer = command(bot, "carol", incident, "followup wontdo")
    assert "followup wontdo <n>" in answer.json()["text"]

    command(bot, "carol", incident, "followup wontdo 1")
    wait_post(bot, channel, "Follow-up 1 dropped (won't do), closed by")
    command(bot, "carol", incident, "followup done 1")
    emu.wait_for(lambda: any("already closed as won't do" in r for r in replies(bot, "carol")))
    first = followups(bot, incident.id)[0]
    assert (first.outcome, first.done_by) == ("wont_do", emu.user_id("carol"))

    clock.now = datetime.combine(date(2026, 3, 6), time(12), tzinfo=UTC)
    run_due(bot)
    assert dms(bot, "bob", "is due") == []
