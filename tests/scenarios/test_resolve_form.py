"""The resolve form asks what the postmortem needs (summary, impact window, detection, trigger, counts), through
the emulator: the postmortem shows it; a bad value stays in the form with the field marked, nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.config import IncidentConfig
from bot.followups.models import Followup
from bot.postmortem.printing import postmortem_text
from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare
from tests.scenarios.test_postmortem import Clock, _stored


def postmortem(bot: Harness, incident_id: int) -> str:
    """The stored Markdown, once close has written it."""
    return str(bot.emu.wait_for(lambda: _stored(bot, incident_id), timeout=15))


def open_resolve_form(bot: Harness, user: str) -> dict[str, Any]:
    uid = bot.emu.user_id(user)
    return bot.emu.wait_for(lambda: [v for v in bot.emu.views(user=uid)
                                     if v["callback_id"] == "incident_resolve_modal"])[-1]


def initial(view: dict[str, Any], block_id: str) -> Any:
    element = next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]
    return element.get("initial_value", element.get("initial_date_time"))


def state(*, began: datetime | None = None, ended: datetime | None = None, detection: str | None = None,
          **texts: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The values a person leaves in the resolve form (the rest keep their defaults)."""
    out: dict[str, dict[str, dict[str, Any]]] = {
        block: {f"{block}_input": {"type": "number_input" if block in ("users_affected", "tickets")
                                   else "plain_text_input", "value": text}} for block, text in texts.items()}
    for block, at in (("impact_began", began), ("impact_ended", ended)):
        if at is not None:
            out[block] = {f"{block}_input": {"type": "datetimepicker", "selected_date_time": int(at.timestamp())}}
    if detection is not None:
        out["detection"] = {"detection_input": {"type": "static_select", "selected_option": {
            "value": detection, "text": {"type": "plain_text", "text": detection}}}}
    return out


def test_the_resolve_form_prefills_and_the_postmortem_shows_what_it_was_told(make_bot: Any) -> None:
    clock = Clock()
    bot = make_bot(clock=clock, incident=IncidentConfig(timezone="Europe/Berlin"))
    emu, alice = bot.emu, bot.emu.user_id("alice")
    incident = declare(bot, title="Checkout API returning 500s")
    declared = clock.now
    clock.advance(minutes=12)
    command(bot, "alice", incident, "status monitoring")
    emu.wait_for(lambda: bot.incident(1).mitigated_at)
    clock.advance(minutes=18)
    command(bot, "alice", incident, "resolve")
    view = open_resolve_form(bot, "alice")
    # defaults: the summary the postmortem would write, impact from the declaration to mitigation
    assert initial(view, "overview") == ("Checkout API returning 500s. Customers were affected for 12 min. "
                                         "Resolved after 30 min.")
    assert initial(view, "impact_began") == int(declared.timestamp())
    assert initial(view, "impact_ended") == int((declared + timedelta(minutes=12)).timestamp())
    r = emu.submit_view(view["id"], state(
        overview="One checkout in eight failed for 20 minutes after deploy 4521.", summary="Rolled back 4521",
        impact="12% of checkouts failed", trigger="Deploy 4521 dropped an index", users_affected="1200",
        tickets="14", began=declared - timedelta(minutes=5), ended=declared + timedelta(minutes=15),
        detection="customer"), user_id=alice)
    assert r.status == 200 and not r.body.strip()
    emu.wait_for(lambda: bot.incident(1).status == "resolved")
    row = bot.incident(1)
    assert (row.users_affected, row.tickets, row.detection) == (1200, 14, "customer")
    assert row.impact_started_at == declared - timedelta(minutes=5)
    command(bot, "alice", incident, "close")
    md = postmortem(bot, incident.id)
    summary = md.split("## Summary\n\n", 1)[1].split("\n", 1)[0]
    assert summary == "One checkout in eight failed for 20 minutes after deploy 4521."
    assert "Customers were affected for" not in md  # the generated summary only when none was written
    for line in ("| Began | 2026-03-04 09:55 CET |", "| Ended | 2026-03-04 10:15 CET |", "| Lasted | 20 min |",
                 "| Users affected | 1,200 |", "| Support tickets | 14 |", "Detected by: **A customer report**.",
                 "## Trigger\n\nDeploy 4521 dropped an index\n", "## Resolution\n\nRolled back 4521\n",
                 "| 09:55 | **Impact began** |  |", "| 10:15 | **Impact ended** |  |"):
        assert line in md, line
    html = postmortem_text(bot.runtime.settings, 1, "html")
    for piece in ("<p>One checkout in eight failed for 20 minutes after deploy 4521.</p>",
                  "<tr><th>Users affected</th><td>1,200</td></tr>", "<tr><th>Support tickets</th><td>14</td></tr>",
                  "Detected by: <strong>A customer report</strong>", "Deploy 4521 dropped an index",
                  "<tr><th>Began</th><td>2026-03-04 09:55 CET</td></tr>"):
        assert piece in html, piece


def test_without_a_summary_the_postmortem_writes_one_and_optional_fields_stay_out(bot: Harness) -> None:
    incident = declare(bot, title="Queue backlog")
    command(bot, "alice", incident, "resolve")
    view = open_resolve_form(bot, "alice")
    bot.emu.submit_view(view["id"], state(overview="  ", summary="Drained the queue"), user_id=bot.emu.user_id("alice"))
    bot.emu.wait_for(lambda: bot.incident(1).status == "resolved")
    row = bot.incident(1)
    assert (row.overview, row.detection, row.trigger, row.users_affected, row.tickets) == (None,) * 5
    command(bot, "alice", incident, "close")
    md = postmortem(bot, incident.id)
    assert md.split("## Summary\n\n", 1)[1].startswith("Queue backlog. Customers were affected for")
    assert "Users affected" not in md and "Detected by" not in md and "_What set it off" in md


def test_bad_values_stay_in_the_form_with_the_field_marked_and_nothing_is_written(make_bot: Any) -> None:
    clock = Clock()
    bot = make_bot(clock=clock)
    emu, alice = bot.emu, bot.emu.user_id("alice")
    incident = declare(bot, title="Disk full")
    declared = clock.now
    clock.advance(minutes=30)
    command(bot, "alice", incident, "resolve")
    view = open_resolve_form(bot, "alice")
    cases = [
        (state(summary="Freed space", began=declared + timedelta(minutes=10), ended=declared), "impact_ended",
         "cannot end before it began"),
        (state(summary="Freed space", ended=clock.now + timedelta(hours=2)), "impact_ended", "in the future"),
        (state(summary="Freed space", began=clock.now + timedelta(hours=1), ended=clock.now + timedelta(hours=2)),
         "impact_began", "in the future"),
        (state(summary="Freed space", began=declared - timedelta(days=45)), "impact_began", "30 days"),
        (state(summary="Freed space", users_affected="-3"), "users_affected", "whole number"),
        (state(summary="Freed space", tickets="a few"), "tickets", "whole number"),
        (state(summary="Freed space", detection="telepathy"), "detection", "Choose one of"),
        (state(summary="Freed space", trigger="x" * 3001), "trigger", "under 3000 characters"),
        (state(summary=" "), "summary", "how service was restored"),
    ]
    for values, field, said in cases:
        r = emu.submit_view(view["id"], values, user_id=alice)
        answer = r.json()
        assert answer["response_action"] == "errors" and list(answer["errors"]) == [field], (field, answer)
        assert said in answer["errors"][field], (field, answer)
        assert view["id"] in {v["id"] for v in emu.views(user=alice)}  # the form stays open
    row = bot.incident(1)
    assert row.status == "investigating" and row.summary is None and row.impact_started_at is None
    assert row.users_affected is None and row.detection is None


def test_followups_take_a_type_and_a_priority_shown_in_the_list_and_the_postmortem(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot, title="Disk full")
    bob = emu.user_id("bob")
    for n, typed in enumerate([f"Alert on disk usage at 80% {emu.mention(bob)} due 2099-01-31 type:prevent P2",
                               "Clean the tmp folder P1 type:Mitigate",
                               f"Write the on-call guide {emu.mention(bob)}"], 1):  # the last: the old syntax
        command(bot, "alice", incident, f"followup {typed}")
        emu.wait_for(lambda: len(followups(bot)) == n)  # noqa: B023 (used at once)
    assert [(f.text, f.action_type, f.priority, f.owner_id) for f in followups(bot)] == [
        ("Alert on disk usage at 80%", "prevent", "P2", bob), ("Clean the tmp folder", "mitigate", "P1", None),
        ("Write the on-call guide", None, None, bob)]
    listing = command(bot, "carol", incident, "followups").json()["text"]
    assert f"1. Alert on disk usage at 80% · prevent · P2 · <@{bob}> · due 2099-01-31" in listing
    assert "2. Clean the tmp folder · mitigate · P1 · _no owner_" in listing
    r = command(bot, "alice", incident, "followup Rotate logs type:fix")
    assert "`type:fix` is not a type: write `type:mitigate`, `type:prevent` or `type:process`" in r.json()["text"]
    assert len(followups(bot)) == 3
    help_text = command(bot, "alice", incident, "help").json()["text"]
    assert "[type:mitigate|prevent|process] [P1…P4]" in help_text
    command(bot, "alice", incident, "close")
    items = postmortem(bot, incident.id).split("## Action items")[1].split("## Runbooks")[0]
    assert "| Action | Type | Priority | Owner | Due | Status |" in items
    assert "| Alert on disk usage at 80% | prevent | P2 | Bob | 2099-01-31 | open |" in items.replace("bob", "Bob")
    assert "| Clean the tmp folder | mitigate | P1 |  |  | open |" in items
    html = postmortem_text(bot.runtime.settings, 1, "html")
    assert "<td>Clean the tmp folder</td><td>mitigate</td><td>P1</td>" in html


def followups(bot: Harness) -> list[Followup]:
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(Followup).order_by(Followup.id)))
