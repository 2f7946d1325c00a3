"""Slack misbehaving: 429s and 5xx on every method still end with all the work done; posts to one
channel are paced below Slack's limit; a revoked token stops Slack work and shows in /healthz."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.conftest import Harness
from tests.scenarios.steering_helpers import command, declare, wait_card, wait_post


def run_an_incident(bot: Harness) -> None:
    """Declare, raise the severity, post an update; assert everyone sees all of it."""
    incident = declare(bot, title="Payments failing")
    assert incident.card_ts and incident.announcement_ts
    command(bot, "alice", incident, "severity sev2 card declines spiking")
    wait_post(bot, incident.channel_id or "", "SEV2")
    wait_card(bot, incident, "SEV2")
    command(bot, "alice", incident, "update rolled back the deploy")
    wait_post(bot, incident.channel_id or "", "rolled back the deploy")
    topic = bot.emu.channel(incident.channel_id or "")["topic"]["value"]
    assert "SEV2" in topic
    assert len(bot.incidents()) == 1 and len([c for c in bot.emu.calls("conversations.create")
                                              if c.response.get("ok")]) == 1


METHODS = ["conversations.create", "conversations.setTopic", "conversations.setPurpose", "conversations.invite",
           "chat.postMessage", "chat.update", "pins.add", "conversations.history", "conversations.replies"]


@pytest.mark.parametrize("fault", [dict(status=429, retry_after=0), dict(status=503)])
def test_faults_on_every_method_still_end_with_all_work_done(bot: Harness, fault: dict[str, Any]) -> None:
    for method in METHODS:
        bot.emu.inject(method, times=2, **fault)  # the first two calls of each method fail
    run_an_incident(bot)
    met = {c.method for c in bot.emu.calls() if c.status == fault["status"]}
    assert {"conversations.create", "chat.postMessage", "chat.update", "conversations.setTopic"} <= met


def test_a_burst_of_posts_to_one_channel_is_paced_below_the_limit(bot: Harness) -> None:
    emu = bot.emu
    emu.rate_limits = True  # chat.postMessage: 1/s per channel after a burst of 5, else 429
    channel = emu.channel_id("general")
    for i in range(7):
        bot.runtime.slack_client.chat_postMessage(channel=channel, text=f"news {i}")
    posts = emu.calls("chat.postMessage")
    assert len(posts) == 7 and all(c.status == 200 for c in posts)


def health(bot: Harness) -> tuple[int, dict[str, Any]]:
    server = bot.runtime.server
    assert server is not None
    try:
        with urllib.request.urlopen(f"{server.url}/healthz") as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def wait_unhealthy(bot: Harness) -> tuple[int, dict[str, Any]]:
    """/healthz once it answers 503."""
    def unhealthy() -> tuple[int, dict[str, Any]] | None:
        answer = health(bot)
        return answer if answer[0] == 503 else None
    answer = bot.emu.wait_for(unhealthy)
    assert answer is not None  # wait_for returns only a truthy value
    return answer


def test_a_revoked_token_stops_slack_work_and_shows_in_health(bot: Harness) -> None:
    emu = bot.emu
    declare(bot, title="Before revocation")
    assert health(bot) == (200, {"status": "ok"})
    emu.revoke(emu.bot_token)  # Slack also sends tokens_revoked
    _, body = wait_unhealthy(bot)
    assert body["slack"] == "Slack refused the bot token (token_revoked)"
    calls_before = len(emu.calls())
    alice, general = emu.user_id("alice"), emu.channel_id("general")
    emu.slash_command(alice, general, "/incident", "declare After revocation")
    emu.wait_for(lambda: any("could not be declared" in r["body"].get("text", "") for r in emu.responses()))
    assert len(emu.calls()) == calls_before  # nothing more was sent to Slack with the dead token
    assert [i.title for i in bot.incidents()] == ["Before revocation"]


def test_a_token_refused_on_a_call_is_noticed_without_the_event(bot: Harness) -> None:
    emu = bot.emu
    emu.inject("conversations.create", error="invalid_auth", times=1)
    alice, general = emu.user_id("alice"), emu.channel_id("general")
    emu.slash_command(alice, general, "/incident", "declare Auth gone")
    _, body = wait_unhealthy(bot)
    assert body["slack"] == "Slack refused the bot token (invalid_auth)"
    emu.wait_for(lambda: any("could not be declared" in r["body"].get("text", "") for r in emu.responses()))
    assert bot.incidents() == []
