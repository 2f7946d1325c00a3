"""Key events: `/incident note`, the *Add to timeline* shortcut, `/incident timeline`, and the CLI export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Harness
from tests.scenarios.timeline_helpers import declare, events, row, settle, wait_row


def _answer(bot: Harness, user: str, command: str) -> str:
    r = bot.emu.slash_command(user, bot.incidents()[0].channel_id or "", "/incident", command)
    assert r.status == 200
    return str(r.json()["text"])


def test_a_note_is_a_key_event_and_the_timeline_lists_the_key_events(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    pinned = emu.post_message(bob, channel, "Root cause: cert expired on <https://lb-2.example.com|lb-2>")
    emu.post_message(bob, channel, "not important")
    emu.add_reaction(alice, channel, pinned, "pushpin")
    settle(bot)

    answer = _answer(bot, alice, "note Rolled back deploy 4521 & <b>purged</b> cache")

    assert "Noted in the timeline of Incident #1" in answer
    assert "Rolled back deploy 4521 &amp; &lt;b&gt;purged&lt;/b&gt; cache" in answer
    note = events(bot, incident.id, "note")
    assert [(n.text, n.actor_id, n.is_key) for n in note] == [
        ("Rolled back deploy 4521 & <b>purged</b> cache", alice, True)]

    timeline = _answer(bot, bob, "timeline")
    assert timeline.startswith("*Key events of Incident #1* (3)")
    lines = timeline.splitlines()
    assert "_declared_" in lines[1] and "Checkout API returning 500s" in lines[1]
    assert f"<@{bob}>: Root cause: cert expired on <https://lb-2.example.com|lb-2>" in lines[2]
    assert "_note_" in lines[3] and "Rolled back deploy 4521" in lines[3]
    assert "not important" not in timeline
    assert not emu.messages(channel)[-1].get("text", "").startswith("Rolled back")  # ephemeral: nothing posted


def test_note_and_timeline_outside_an_incident_channel_say_where_to_type_them(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    general, alice = emu.channel_id("general"), emu.user_id("alice")
    for command in ("note something", "timeline"):
        answer = emu.slash_command(alice, general, "/incident", command).json()["text"]
        assert "works inside an incident channel" in answer and f"<#{incident.channel_id}>" in answer
    empty = emu.slash_command(alice, incident.channel_id or "", "/incident", "note").json()["text"]
    assert "Say what to note" in empty
    assert events(bot, incident.id, "note") == []
    help_text = emu.slash_command(alice, general, "/incident", "help").json()["text"]
    assert "/incident note &lt;text&gt;" in help_text and "/incident timeline" in help_text


def test_the_add_to_timeline_shortcut_marks_a_message_as_a_key_event(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, carol = incident.channel_id, emu.user_id("carol")
    assert channel is not None
    ts = emu.post_message(emu.user_id("dave"), channel, "Customer reports resolved on their side")
    settle(bot)

    r = emu.message_shortcut(carol, channel, ts, "add_to_timeline")

    assert r.status == 200
    marked = wait_row(bot, channel, ts, lambda m: m.is_key)
    assert marked.key_marked_by == carol
    answer = emu.wait_for(lambda: [x["body"]["text"] for x in emu.responses(user=carol)])
    assert "Added to the timeline of Incident #1" in answer[-1]


def test_the_shortcut_refuses_bot_posts_and_other_channels(bot: Harness) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, carol, general = incident.channel_id, emu.user_id("carol"), emu.channel_id("general")
    assert channel is not None
    card = next(m for m in emu.messages(channel) if m.get("bot_id"))
    emu.message_shortcut(carol, channel, card["ts"], "add_to_timeline")
    elsewhere = emu.post_message(carol, general, "unrelated")
    emu.message_shortcut(carol, general, elsewhere, "add_to_timeline")

    answers = emu.wait_for(lambda: (lambda a: a if len(a) == 2 else None)(
        [x["body"]["text"] for x in emu.responses(user=carol)]))
    assert answers is not None  # wait_for returns only a truthy value
    assert "Only people's messages" in answers[0]
    assert "works on messages in an incident channel" in answers[1]
    assert row(bot, channel, card["ts"]) is None and row(bot, general, elsewhere) is None


def _cli(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def test_the_cli_exports_the_full_timeline_as_markdown_and_json(bot: Harness, tmp_path: Path) -> None:
    emu = bot.emu
    incident = declare(bot)
    channel, alice, bob = incident.channel_id, emu.user_id("alice"), emu.user_id("bob")
    assert channel is not None
    parent = emu.post_message(alice, channel, "Checking <https://status.example.com|status page>")
    reply = emu.post_message(bob, channel, "Looks green", thread_ts=parent)
    edited = emu.post_message(bob, channel, "ETA 5")
    emu.edit_message(bob, channel, edited, "ETA 10")
    gone = emu.post_message(bob, channel, "password=swordfish")
    emu.delete_message(channel, gone)
    emu.post_message(bob, channel, "dump", files=[{"name": "dump.txt", "content": "x"}])
    emu.add_reaction(alice, channel, parent, "pushpin")
    emu.slash_command(alice, channel, "/incident", "note Escalated to the network team")
    settle(bot)
    url = bot.runtime.settings.database_url

    md = _cli(["timeline", "1"], url, tmp_path)
    assert md.returncode == 0, md.stderr
    text = md.stdout
    assert text.startswith("# Incident #1: Checkout API returning 500s")
    key_section, full = text.split("## Full timeline")
    assert "Checking [status page](https://status.example.com)" in key_section and "Escalated" in key_section
    assert "ETA 10" not in key_section
    assert "↳" in full and "Looks green" in full
    assert "ETA 10 _(edited)_" in full and "before the edit" in full and "ETA 5" in full
    assert "message deleted" in full and "swordfish" not in text
    assert "[dump.txt](" in full

    out = tmp_path / "timeline.json"
    js = _cli(["timeline", "1", "--format", "json", "--output", str(out)], url, tmp_path)
    assert js.returncode == 0, js.stderr
    doc = json.loads(out.read_text())
    assert doc["incident"]["number"] == 1 and doc["incident"]["channel_id"] == channel
    messages = {e["ts"]: e for e in doc["entries"] if e["kind"] == "message"}
    assert set(messages) >= {parent, reply, edited, gone}
    assert messages[reply]["thread_ts"] == parent
    assert messages[edited]["text"] == "ETA 10" and [r["text"] for r in messages[edited]["revisions"]] == ["ETA 5"]
    assert messages[gone]["text"] is None and messages[gone]["deleted_at"]
    assert messages[parent]["links"] == ["https://status.example.com"] and messages[parent]["is_key"]
    assert {e["kind"] for e in doc["key_events"]} >= {"declared", "note", "message"}
    assert "swordfish" not in out.read_text()

    missing = _cli(["timeline", "99"], url, tmp_path)
    assert missing.returncode == 1 and "no incident #99" in missing.stderr


def test_timeline_help_describes_the_command(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "timeline", "--help"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    assert "usage: incident-bot timeline" in result.stdout and "--format {md,json}" in result.stdout
