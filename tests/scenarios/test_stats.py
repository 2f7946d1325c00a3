"""`/incident stats`: figures over a seeded history (worked out by hand in tests/unit/reporting_history.py),
answered ephemerally through the real app; a period it cannot use is answered with what to type."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness
from tests.unit.reporting_history import NOW, seed


def _seeded(make_bot: Any) -> Harness:
    bot: Harness = make_bot(clock=lambda: NOW)
    with bot.runtime.sessions.begin() as session:  # after start-up, so catch-up never looks for these channels
        seed(session)
    return bot


def _stats(bot: Harness, text: str) -> dict[str, Any]:
    emu, alice = bot.emu, bot.emu.user_id("alice")
    ack = emu.slash_command(alice, emu.channel_id("general"), "/incident", text)
    assert ack.status == 200
    answers = emu.wait_for(lambda: [r["body"] for r in emu.responses(user=alice)])
    return dict(answers[-1])


def test_stats_answers_with_the_figures_of_the_last_30_days(make_bot: Any) -> None:
    bot = _seeded(make_bot)

    answer = _stats(bot, "stats")

    assert answer["response_type"] == "ephemeral"
    text = answer["text"]
    assert "*Incidents in the last 30d*: 5 (SEV1 3 · SEV2 2)" in text
    # acknowledge 60 120 180 240 300 s; resolve 1200 3000 3600 7200 s
    assert "*Time to acknowledge* (5): median 3m 0s · p90 5m 0s · mean 3m 0s" in text
    assert "*Time to mitigate* (4): median 22m 30s · p90 2h 0m 0s · mean 43m 45s" in text
    assert "*Time to resolve* (4): median 55m 0s · p90 2h 0m 0s · mean 1h 2m 30s" in text
    assert "no SLA targets are set" in text
    assert "*Follow-ups*: 1 of 3 done (33%); open ones median age 23h 50m 0s" in text
    blocks = answer["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Incidents, last 30d"}}
    note = blocks[-1]["elements"][0]["text"]
    assert "Left out: 1 drill, 1 declined (2 in all)." in note
    assert "Time to detect is 0 s" in note
    assert bot.emu.messages(bot.emu.channel_id("general")) == []  # nothing posted for others


def test_a_shorter_period_counts_less_and_a_bad_one_says_what_to_type(make_bot: Any) -> None:
    bot = _seeded(make_bot)
    emu, alice = bot.emu, bot.emu.user_id("alice")

    refused = emu.slash_command(alice, emu.channel_id("general"), "/incident", "stats forever").json()["text"]

    assert "`forever` is not a period" in refused and "`/incident stats 30d`" in refused
    assert emu.responses(user=alice) == []
    short = _stats(bot, "stats 7D")["text"]  # declared a day before NOW: still in
    assert "*Incidents in the last 7d*: 5" in short
    help_text = emu.slash_command(alice, emu.channel_id("general"), "/incident", "help").json()["text"]
    assert "/incident stats [7d|30d|90d|…]" in help_text
