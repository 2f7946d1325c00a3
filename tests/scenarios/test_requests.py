"""What any request meets first: signatures, help for unknown input, health, events acknowledged."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.db import make_engine
from bot.web.server import HttpServer
from bot.web.wsgi import make_wsgi
from tests.conftest import Harness


def test_a_bad_signature_is_refused_with_401(bot: Harness) -> None:
    r = bot.emu.send_raw(b"command=%2Fincident&text=list", "application/x-www-form-urlencoded",
                         signature="v0=" + "0" * 64)
    assert r.status == 401


def test_a_stale_signature_is_refused_with_401(bot: Harness) -> None:
    r = bot.emu.send_raw(b"command=%2Fincident&text=list", "application/x-www-form-urlencoded",
                         timestamp=int(time.time()) - 600)
    assert r.status == 401


def test_a_request_signed_with_another_secret_is_refused(bot: Harness) -> None:
    from bot.emulator import SlackEmulator

    with SlackEmulator(signing_secret="not-the-bots-secret") as other:
        other.app_url = bot.emu.app_url
        r = other.slash_command(other.user_id("alice"), other.channel_id("general"), "/incident", "list")
    assert r.status == 401
    assert bot.incidents() == []


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "?"])
def test_empty_text_and_help_answer_with_usage(bot: Harness, text: str) -> None:
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident", text)
    assert r.status == 200
    answer = r.json()["text"]
    for usage in ("/incident declare", "/incident declare &lt;title&gt;", "/incident list", "/incident help"):
        assert usage in answer
    assert r.json().get("response_type", "ephemeral") == "ephemeral"


def test_an_unknown_subcommand_is_named_and_answered_with_usage(bot: Harness) -> None:
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident",
                              "frobnicate <b>now</b>")
    answer = r.json()["text"]
    assert "I don't know `/incident frobnicate`" in answer and "/incident declare &lt;title&gt;" in answer


def test_an_unknown_declare_flag_says_what_to_type(bot: Harness) -> None:
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident",
                              "declare --sev1 Checkout down")
    assert "`--sev1` is not an option" in r.json()["text"] and "--drill" in r.json()["text"]
    assert bot.incidents() == []


def test_a_title_over_the_limit_is_refused_before_anything_happens(bot: Harness) -> None:
    r = bot.emu.slash_command(bot.emu.user_id("alice"), bot.emu.channel_id("general"), "/incident",
                              "declare " + "x" * 1200)
    assert "keep it under 1000" in r.json()["text"]
    assert bot.incidents() == [] and bot.emu.calls("conversations.create") == []


def test_list_shows_open_incidents_with_their_channels(bot: Harness) -> None:
    emu = bot.emu
    alice, general = emu.user_id("alice"), emu.channel_id("general")
    assert "No open incidents" in emu.slash_command(alice, general, "/incident", "list").json()["text"]
    emu.slash_command(alice, general, "/incident", "declare Checkout & cart down")
    incident = bot.wait_ready(1)
    answer = emu.slash_command(alice, general, "/incident", "list").json()["text"]
    assert "*#1* Checkout &amp; cart down · SEV3 · investigating" in answer
    assert f"<#{incident.channel_id}>" in answer


def test_health_answers_ok_when_the_database_answers(bot: Harness) -> None:
    server = bot.runtime.server
    assert server is not None
    with urllib.request.urlopen(f"{server.url}/healthz") as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok"}


def test_health_answers_503_when_the_database_is_gone(bot: Harness) -> None:
    url = bot.runtime.engine.url
    gone = url.set(database="/nonexistent/dir/x.db") if url.get_backend_name() == "sqlite" else url.set(port=1)
    broken = HttpServer(make_wsgi(bot.runtime.app, make_engine(gone.render_as_string(hide_password=False))),
                        "127.0.0.1", 0).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{broken.url}/healthz")
        assert err.value.code == 503
    finally:
        broken.stop()


def test_unknown_paths_and_methods_get_a_reasoned_4xx(bot: Harness) -> None:
    server = bot.runtime.server
    assert server is not None
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.url}/nope")
    assert err.value.code == 404 and b"no such page" in err.value.read()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.url}/slack/events")
    assert err.value.code == 405


@pytest.mark.parametrize("event", [
    {"type": "message", "subtype": "channel_join", "user": "U1", "text": "joined", "ts": "1.1"},
    {"type": "message", "subtype": "channel_topic", "user": "U1", "topic": "x", "text": "set", "ts": "1.2"},
    {"type": "reaction_added", "user": "U1", "reaction": "pushpin", "item": {"type": "message", "ts": "1.1"}},
    {"type": "reaction_removed", "user": "U1", "reaction": "pushpin", "item": {"type": "message", "ts": "1.1"}},
    {"type": "member_joined_channel", "user": "U1", "channel_type": "C"},
    {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
])
def test_every_subscribed_event_is_acknowledged(bot: Harness, event: dict[str, Any]) -> None:
    event = {**event, "channel": event.get("channel", bot.emu.channel_id("general")), "event_ts": "1.3"}
    if event["type"].startswith("reaction"):
        event["item"] = {**event["item"], "channel": bot.emu.channel_id("general")}
    r = bot.emu.send_event(event)
    assert r.status == 200


def test_url_verification_echoes_the_challenge(bot: Harness) -> None:
    body = json.dumps({"token": "t", "challenge": "abc123", "type": "url_verification"}).encode()
    r = bot.emu.send_raw(body, "application/json")
    assert r.status == 200 and r.json() == {"challenge": "abc123"}
