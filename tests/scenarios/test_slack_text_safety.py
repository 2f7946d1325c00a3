"""Hostile titles and texts: whatever a person types, nothing the bot sends can ping a crowd.

`@channel` typed in Slack arrives as `<!channel>`; a user group as `<!subteam^S…>`. Slack notifies
from a message's `text` (the fallback used for notifications) and its mrkdwn blocks, so both are checked
in every call the bot made, as Slack received it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, replies, submit_resolve_form, wait_post

BROADCAST = re.compile(r"<!(?:channel|here|everyone|subteam\^)")
HOSTILE = "<!channel> checkout down <!here> <!subteam^S0ONCALL|@oncall> <!everyone>"
SENDING = ("chat.postMessage", "chat.update", "chat.postEphemeral")


def _mrkdwn(value: Any) -> list[str]:
    """Every mrkdwn text inside blocks (plain_text cannot ping and is left out)."""
    if isinstance(value, list):
        return [t for v in value for t in _mrkdwn(v)]
    if not isinstance(value, dict):
        return []
    found = [value["text"]] if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str) else []
    return found + [t for k, v in value.items() if k != "text" or not isinstance(v, str) for t in _mrkdwn(v)]


def sent_texts(bot: Harness) -> list[tuple[str, str]]:
    """(method, text) for every text Slack received from the bot: fallback texts, mrkdwn blocks, responses."""
    out: list[tuple[str, str]] = []
    for method in SENDING:
        for call in bot.emu.calls(method):
            blocks = call.args.get("blocks")
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            out += [(method, str(call.args.get("text") or ""))] + [(method, t) for t in _mrkdwn(blocks or [])]
    for response in bot.emu.responses():
        out += [("response_url", str(response["body"].get("text") or ""))]
        out += [("response_url", t) for t in _mrkdwn(response["body"].get("blocks") or [])]
    return out


def assert_nobody_pinged(bot: Harness) -> None:
    pings = [(method, text) for method, text in sent_texts(bot) if BROADCAST.search(text)]
    assert not pings, pings


def test_a_title_typed_as_at_channel_pings_nobody_in_card_announcement_or_news(bot: Harness) -> None:
    incident = declare(bot, title=HOSTILE)
    channel = incident.channel_id or ""
    assert incident.title.startswith("<!channel>")  # kept as typed; only its display is escaped
    command(bot, "alice", incident, "commander me")
    wait_post(bot, channel, "took the commander role")
    command(bot, "alice", incident, "severity sev1 <!here> it spreads")
    wait_post(bot, channel, "changed the severity")
    wait_post(bot, bot.emu.channel_id("incidents"), "changed the severity")
    assert_nobody_pinged(bot)
    # what people read: the title shown as typed, not as a mention
    card = next(c for c in bot.emu.calls("chat.postMessage") if c.args.get("channel") == channel)
    assert "&lt;!channel&gt; checkout down" in str(card.args["text"])


def test_updates_notes_resolve_and_close_with_broadcasts_in_them_ping_nobody(bot: Harness) -> None:
    incident = declare(bot, title="Search is slow")
    channel = incident.channel_id or ""
    command(bot, "alice", incident, f"update {HOSTILE}")
    wait_post(bot, channel, "checkout down")
    command(bot, "alice", incident, f"note {HOSTILE}")
    assert "Key events" in command(bot, "alice", incident, "timeline").json()["text"]
    command(bot, "alice", incident, f"followup {HOSTILE}")
    wait_post(bot, channel, "Follow-up added")
    command(bot, "alice", incident, "resolve")
    submit_resolve_form(bot, "alice", summary=HOSTILE)
    wait_post(bot, channel, "Resolved")
    command(bot, "alice", incident, "close")
    wait_post(bot, channel, "is closed")
    assert_nobody_pinged(bot)


def test_help_and_usage_lines_are_escaped(bot: Harness) -> None:
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident", "help")
    text = r.json()["text"]
    assert "`/incident declare &lt;title&gt;`" in text
    assert "&lt;@person&gt;" in text
    assert not re.search(r"<(?!#|@U|!date|https?:)[^>]*>", text), text
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident", "list")
    assert "<title>" not in r.json()["text"]


def test_an_unreachable_slack_never_shows_internal_exception_text(bot: Harness) -> None:
    incident = declare(bot, title="Search is slow")
    bot.emu.inject("views.open", drop=True, times=10)
    r = command(bot, "alice", incident, "resolve")
    assert r.status == 200
    bot.emu.wait_for(lambda: [t for t in replies(bot, "alice") if "Sorry" in t or "reached" in t], timeout=20)
    for text in replies(bot, "alice"):
        assert "Errno" not in text and "urlopen" not in text and "Traceback" not in text, text
