"""Resolve, follow-ups, close and the postmortem, end to end through the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.config import IncidentConfig
from bot.followups.models import Followup
from bot.incidents.models import Incident
from bot.postmortem.models import Postmortem
from bot.timeline.models import TimelineMessage
from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, text_of, wait_post, wait_reply


class Clock:
    """A clock the test moves, so durations in the postmortem are exact."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def resolve_form(bot: Harness, user: str, **values: str | None) -> dict[str, Any]:
    uid = bot.emu.user_id(user)
    view = bot.emu.wait_for(lambda: [v for v in bot.emu.views(user=uid)
                                     if v["callback_id"] == "incident_resolve_modal"])[-1]
    state = {block: {f"{block}_input": {"type": "plain_text_input", "value": values.get(block)}}
             for block in ("summary", "impact", "root_cause")}
    return {"view": view, "state": state}


def stored_messages(bot: Harness, incident_id: int) -> int:
    with bot.runtime.sessions() as s:
        return len(s.scalars(select(TimelineMessage).where(TimelineMessage.incident_id == incident_id)).all())


def run_incident(bot: Harness, clock: Clock) -> tuple[Incident, str]:
    """A scripted incident: roles, a severity change, a conversation with an edit, a deletion and a pinned
    key event, an update, resolve, a follow-up, close. Returns (incident, postmortem markdown)."""
    emu = bot.emu
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    incident = declare(bot, title="Checkout API returning 500s")
    channel = incident.channel_id or ""
    clock.advance(minutes=4)
    command(bot, "alice", incident, f"commander {emu.mention(alice)}")
    wait_post(bot, channel, "took the commander role")
    clock.advance(minutes=1)
    command(bot, "alice", incident, f"investigator {emu.mention(bob)}")
    wait_post(bot, channel, "is now investigator")
    clock.advance(minutes=2)
    command(bot, "alice", incident, "severity sev1 checkout fully down")
    wait_post(bot, channel, "changed the severity")
    first = emu.post_message(bob, channel, "Errors started right after deploy 4521")
    typo = emu.post_message(alice, channel, "Rolling bakc now")
    secret = emu.post_message(bob, channel, "db password is hunter2-secret")
    emu.post_message(alice, channel, "Rollback running", thread_ts=first)
    emu.wait_for(lambda: stored_messages(bot, incident.id) == 4)
    emu.edit_message(alice, channel, typo, "Rolling back now")
    emu.delete_message(channel, secret)
    emu.add_reaction(alice, channel, first, "pushpin")
    clock.advance(minutes=3)
    command(bot, "alice", incident, "status monitoring")
    wait_post(bot, channel, "monitoring")
    command(bot, "bob", incident, "update Rollback done, error rate falling")
    wait_post(bot, channel, "Rollback done")
    clock.advance(minutes=20)
    r = command(bot, "alice", incident, "resolve")
    assert r.status == 200
    form = resolve_form(bot, "alice", summary="Rolled back deploy 4521", impact="12% of checkouts failed",
                        root_cause="A missing index")
    emu.submit_view(form["view"]["id"], form["state"], user_id=alice)
    wait_post(bot, channel, "Resolved")
    r = command(bot, "bob", incident, f"followup Add an index check to CI {emu.mention(bob)} due 2026-04-01")
    wait_post(bot, channel, "Follow-up added")
    clock.advance(days=1)
    r = command(bot, "alice", incident, "close")
    assert "Closing" in r.json()["text"]
    markdown = emu.wait_for(lambda: _stored(bot, incident.id), timeout=15)
    assert markdown is not None  # wait_for returns only a truthy value
    emu.wait_for(lambda: bot.incident(incident.number).postmortem_permalink, timeout=10)
    return bot.incident(incident.number), markdown


def _stored(bot: Harness, incident_id: int) -> str | None:
    with bot.runtime.sessions() as s:
        row = s.scalar(select(Postmortem).where(Postmortem.incident_id == incident_id))
        return row.markdown if row else None


def test_the_postmortem_of_a_scripted_incident_has_every_section(make_bot: Any) -> None:
    clock = Clock()
    bot = make_bot(clock=clock, incident=IncidentConfig(timezone="Europe/Berlin"))
    incident, md = run_incident(bot, clock)
    assert incident.status == "closed"
    Path("/tmp/pm13-scripted.md").write_text(md) if os.environ.get("PM13_DUMP") else None
    for section in ("# Postmortem: Incident #1: Checkout API returning 500s", "## Summary", "## Impact",
                    "12% of checkouts failed", "## Detection", "## Trigger", "## Resolution", "Rolled back deploy 4521",
                    "## Root cause and contributing factors", "A missing index", "## Timeline", "## Action items",
                    "### What went well", "### Five whys", "## Updates sent", "## Message log", "## Runbooks"):
        assert section in md, section
    # the owner is the commander; times in the configured zone, once; human durations
    assert "All times in this document are Europe/Berlin." in md and "+01:00" not in md
    assert "| Declared by | Alice, 2026-03-04 10:00 CET |" in md.replace("alice", "Alice")
    assert "| Acknowledged | 2026-03-04 10:04 CET | 4 min |" in md  # the first commander
    assert "| Mitigated | 2026-03-04 10:10 CET | 10 min |" in md      # monitoring
    assert "| Resolved | 2026-03-04 10:30 CET | 30 min |" in md
    assert "| Closed | 2026-03-05 10:30 CET | 1 day |" in md
    assert "| Lasted | 10 min |" in md                                   # impact: declared → mitigated
    assert "| SEV3 | 10:00 | 10:07 | 7 min |" in md and "| SEV1 | 10:07 | 10:30 | 23 min |" in md
    assert "Customers were affected for 10 min. Resolved after 30 min." in md
    # one timeline: each change once, labelled, the severity's reason kept
    timeline = md.split("## Timeline")[1].split("## People")[0]
    assert timeline.count("SEV1") == 1 and "checkout fully down" in timeline
    assert "**📌 Pinned**: Errors started right after deploy 4521" in timeline
    assert "**📣 Update**: Rollback done, error rate falling" in timeline
    assert "**✅ Resolved**: Rolled back deploy 4521" in timeline and "→ resolved" not in timeline
    assert "(impact began)" in timeline and "(impact ended)" in timeline
    assert "## Key events" not in md and "## Severity and priority" not in md
    # people by role, by name; the updates sent
    assert "**Commander**: " in md and "**Investigator**: " in md
    assert "Rollback done, error rate falling" in md.split("## Updates sent")[1]
    # the message log, folded: edited text newest, deleted text absent, the reply under its parent
    log = md.split("## Message log")[1]
    assert "<details>" in log and "Rolling back now" in log and "Rolling bakc" not in md and "_(edited)_" in log
    assert "hunter2" not in md
    parent = log.index("Errors started right after deploy 4521")
    assert log.index("\n    - ", parent) < log.index("Rollback running") < log.index("Rolling back now")
    assert "| Add an index check to CI |  |  | " in md and " | 2026-04-01 | open |" in md  # no type or priority


def test_close_uploads_the_postmortem_through_the_three_step_file_api_and_links_it(bot: Harness) -> None:
    clock_free_incident = declare(bot, title="Search is slow")
    emu = bot.emu
    command(bot, "alice", clock_free_incident, "close")
    emu.wait_for(lambda: emu.files() and emu.files()[0]["channels"], timeout=15)  # shared a moment after
    methods = [c.method for c in emu.calls()]
    for step in ("files.getUploadURLExternal", "files.completeUploadExternal"):
        assert step in methods
    upload = emu.files()[0]
    assert upload["name"].startswith("postmortem-inc-1-search-is-slow") and upload["name"].endswith(".md")
    assert b"# Postmortem: Incident #1: Search is slow" in upload["content"]
    assert clock_free_incident.channel_id in upload["channels"]
    incident = emu.wait_for(lambda: (i := bot.incident(1)).postmortem_permalink and i)
    assert incident and incident.postmortem_permalink  # wait_for returns only a truthy value
    permalink = incident.postmortem_permalink  # narrowed, for the lambda below
    assert incident.status == "closed" and incident.resolved_at is not None  # closing resolved it first
    announcement = next(m for m in emu.messages(incident.announcement_channel_id or "")
                        if m["ts"] == incident.announcement_ts)
    emu.wait_for(lambda: permalink in text_of(
        next(m for m in emu.messages(incident.announcement_channel_id or "") if m["ts"] == incident.announcement_ts)))
    assert announcement is not None
    r = command(bot, "alice", incident, "status investigating")
    assert "closed" in r.json()["text"]  # nothing leaves closed


def test_a_large_incident_is_uploaded_whole(bot: Harness) -> None:
    incident = declare(bot, title="Storm of chatter")
    emu = bot.emu
    for n in range(150):
        emu.post_message(emu.user_id("bob"), incident.channel_id or "", f"line {n} " + "x" * 400)
    emu.wait_for(lambda: stored_messages(bot, incident.id) == 150, timeout=20)
    command(bot, "alice", incident, "close")
    upload = emu.wait_for(lambda: emu.files(), timeout=20)[0]
    assert len(upload["content"]) > 60_000 and b"line 149 " in upload["content"]


def test_resolve_form_refuses_a_blank_summary_and_resolve_outside_an_incident_is_explained(bot: Harness) -> None:
    incident = declare(bot, title="Queue backlog")
    emu = bot.emu
    command(bot, "alice", incident, "resolve")
    form = resolve_form(bot, "alice", summary="   ")
    r = emu.submit_view(form["view"]["id"], form["state"], user_id=emu.user_id("alice"))
    assert r.json()["response_action"] == "errors" and "summary" in r.json()["errors"]
    assert bot.incident(1).status == "investigating"
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "resolve")
    assert "works inside an incident channel" in r.json()["text"]
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "close")
    assert "works inside an incident channel" in r.json()["text"]


def test_status_resolved_opens_the_same_resolve_form(bot: Harness) -> None:
    incident = declare(bot, title="Cache stampede")
    command(bot, "alice", incident, "status resolved")
    form = resolve_form(bot, "alice", summary="Warmed the cache")
    bot.emu.submit_view(form["view"]["id"], form["state"], user_id=bot.emu.user_id("alice"))
    bot.emu.wait_for(lambda: bot.incident(1).status == "resolved")
    assert bot.incident(1).summary == "Warmed the cache"


def test_followups_with_owner_and_due_date_and_the_bad_paths(bot: Harness) -> None:
    incident = declare(bot, title="Disk full")
    emu = bot.emu
    bob = emu.user_id("bob")
    command(bot, "alice", incident, f"followup Alert on disk usage at 80% {emu.mention(bob)} due 2099-01-31")
    wait_post(bot, incident.channel_id or "", "Follow-up added")
    r = command(bot, "alice", incident, "followup")
    assert "Say what should be done" in r.json()["text"]
    r = command(bot, "alice", incident, "followup Rotate logs due tomorrow")
    assert "`tomorrow` is not a date" in r.json()["text"]
    r = command(bot, "alice", incident, "followup Rotate logs due 2001-01-01")
    assert "in the past" in r.json()["text"]
    listing = command(bot, "carol", incident, "followups").json()["text"]
    assert "1. Alert on disk usage at 80%" in listing and f"<@{bob}>" in listing and "due 2099-01-31" in listing
    with bot.runtime.sessions() as s:
        rows = s.scalars(select(Followup)).all()
    assert [(f.text, f.owner_id, str(f.due_on)) for f in rows] == [("Alert on disk usage at 80%", bob, "2099-01-31")]


def test_the_followup_message_shortcut_records_the_message(bot: Harness) -> None:
    incident = declare(bot, title="Pager noise")
    emu = bot.emu
    ts = emu.post_message(emu.user_id("bob"), incident.channel_id or "", "We should dedupe these alerts")
    emu.message_shortcut(emu.user_id("alice"), incident.channel_id or "", ts, "add_followup")
    wait_reply(bot, "alice", "Added as a follow-up")
    with bot.runtime.sessions() as s:
        assert [f.text for f in s.scalars(select(Followup))] == ["We should dedupe these alerts"]


def test_the_cli_prints_the_postmortem_in_markdown_and_as_an_escaped_page(bot: Harness, tmp_path: Path) -> None:
    incident = declare(bot, title="Checkout <script>alert(1)</script> & more")
    command(bot, "alice", incident, "close")
    bot.emu.wait_for(lambda: bot.incident(1).postmortem_permalink, timeout=15)
    env = {**os.environ, "DATABASE_URL": bot.runtime.settings.database_url}
    md = subprocess.run([sys.executable, "-m", "bot", "postmortem", "1"], env=env, capture_output=True, text=True,
                        cwd=tmp_path, timeout=60)
    assert md.returncode == 0, md.stderr
    assert "# Postmortem: Incident #1: Checkout &lt;script&gt;" in md.stdout
    html = subprocess.run([sys.executable, "-m", "bot", "postmortem", "1", "--format", "html"], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert html.returncode == 0 and html.stdout.startswith("<!doctype html>")
    assert "<script>" not in html.stdout and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html.stdout
    missing = subprocess.run([sys.executable, "-m", "bot", "postmortem", "99"], env=env, capture_output=True,
                             text=True, cwd=tmp_path, timeout=60)
    assert missing.returncode == 1 and "There is no incident #99" in missing.stderr


def test_the_team_template_is_used_when_configured(make_bot: Any, tmp_path: Path) -> None:
    (tmp_path / "postmortem.md.j2").write_text("# Our review of {{ label }}\n{{ messages | length }} messages\n")
    bot = make_bot(incident=IncidentConfig(templates_dir=tmp_path))
    incident = declare(bot, title="Custom")
    command(bot, "alice", incident, "close")
    upload = bot.emu.wait_for(lambda: bot.emu.files(), timeout=15)[0]
    assert upload["content"].decode() == "# Our review of Incident #1\n0 messages\n"


def test_serve_refuses_a_broken_template_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "postmortem.md.j2").write_text("fine\n{{ incident.nonexistent_field }}\n")
    (tmp_path / "cfg.yml").write_text(f"templates_dir: {tmp_path}\n")
    env = {**os.environ, "INCIDENT_BOT_CONFIG": str(tmp_path / "cfg.yml"), "SLACK_BOT_TOKEN": "xoxb-1",
           "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-m", "bot", "serve"], env=env, capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert f"{tmp_path / 'postmortem.md.j2'}:2" in result.stderr and "Traceback" not in result.stderr


def test_archive_on_close_archives_after_the_upload(make_bot: Any) -> None:
    bot = make_bot(incident=IncidentConfig(archive_on_close=True))
    incident = declare(bot, title="Archive me")
    command(bot, "alice", incident, "close")
    bot.emu.wait_for(lambda: bot.emu.channel(incident.channel_id or "")["is_archived"], timeout=15)
    methods = [c.method for c in bot.emu.calls()]
    assert methods.index("files.completeUploadExternal") < methods.index("conversations.archive")
