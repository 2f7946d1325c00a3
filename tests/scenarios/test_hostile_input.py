"""Hostile input: whatever arrives, the answer is a 2xx/4xx a person can read, never a 500, a stack
trace or half an incident. Property-based where the input space is large (fixed budget, derandomized)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.incidents.enums import SetupState
from bot.web.wsgi import make_wsgi
from tests.conftest import SIGNING_SECRET, Harness
from tests.scenarios.test_declare import fill, open_modal

FUZZ = settings(max_examples=10, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
APOLOGY = "something went wrong on our side"
# every character class a person (or a paste) can produce: control characters, RTL marks, emoji, CJK
HOSTILE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300) | st.sampled_from([
    "payload", "declare payload service down", "payload=1", "declare &payload={}", "\x00\x01\x1b[31m",
    "declare " + "ü" * 2000, "declare <script>", "declare %s%n", "declare \u202eevil", "declare 🔥" * 50,
])


def said_to_users(bot: Harness) -> list[str]:
    """Everything the bot said to anyone: responses, ephemerals, messages in every channel."""
    out = [json.dumps(r["body"], ensure_ascii=False) for r in bot.emu.responses()]
    out += [e.get("text", "") for e in bot.emu.ephemerals()]
    for channel in bot.emu.channels():
        out += [m.get("text", "") for m in bot.emu.messages(channel["id"])]
    return out


ACCEPTED: dict[int, int] = {}  # declarations the bot acknowledged, per emulator (examples share the bot)


def accepted(bot: Harness) -> None:
    ACCEPTED[id(bot.emu)] = ACCEPTED.get(id(bot.emu), 0) + 1


def assert_no_partial_incident(bot: Harness) -> None:
    """Once every accepted declaration is recorded and settled, each incident has its channel and is
    ready, and every channel the bot created belongs to an incident."""
    def settled() -> bool:
        incidents = bot.incidents()
        made = {c.response["channel"]["id"] for c in bot.emu.calls("conversations.create") if c.response.get("ok")}
        return (len(incidents) == ACCEPTED.get(id(bot.emu), 0)
                and all(i.setup_state != SetupState.OPENING for i in incidents)
                and made <= {i.channel_id for i in incidents})

    bot.emu.wait_for(settled, timeout=10)
    for incident in bot.incidents():
        assert incident.channel_id is not None and incident.setup_state == SetupState.READY


def signed_headers(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post_chunked(bot: Harness, chunks: list[bytes], content_type: str) -> int:
    """POST a body with Transfer-Encoding: chunked (no Content-Length), signed; returns the status."""
    assert bot.emu.app_url
    url = urlsplit(bot.emu.app_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        headers = {"Content-Type": content_type, "Transfer-Encoding": "chunked", **signed_headers(b"".join(chunks))}
        conn.request("POST", url.path, body=iter(chunks), headers=headers, encode_chunked=True)
        return conn.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        return 0  # waitress answers 413 and closes while the body is still being sent
    finally:
        conn.close()


def command_body(bot: Harness, text: str) -> bytes:
    emu = bot.emu
    return urlencode({"token": "legacy", "team_id": emu.team_id, "team_domain": "acme", "channel_id":
                      emu.channel_id("general"), "channel_name": "general", "user_id": emu.user_id("alice"),
                      "user_name": "alice", "command": "/incident", "text": text, "api_app_id": "A0001",
                      "response_url": f"{emu.api_url.rstrip('/').rsplit('/api', 1)[0]}/_responses/none",
                      "trigger_id": f"1.{time.time_ns()}.x"}).encode()


def test_the_word_payload_in_a_command_declares_as_typed(bot: Harness) -> None:
    emu = bot.emu
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident",
                          "declare payload service down")
    assert r.status == 200 and "payload service down" in r.json()["text"]
    assert bot.wait_ready(1).title == "payload service down"
    r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", "payload")
    assert r.status == 200 and "I don't know `/incident payload`" in r.json()["text"]


def test_a_forged_command_with_payload_in_it_is_still_refused(bot: Harness) -> None:
    r = bot.emu.send_raw(command_body(bot, "declare payload x"), "application/x-www-form-urlencoded",
                         signature="v0=" + "1" * 64)
    assert r.status == 401 and bot.incidents() == []


def test_a_chunked_command_without_content_length_is_served(bot: Harness) -> None:
    body = command_body(bot, "list")
    assert post_chunked(bot, [body[:10], body[10:]], "application/x-www-form-urlencoded") == 200


def test_bodies_over_the_limit_are_refused_with_413_chunked_or_not(bot: Harness) -> None:
    big = b"text=" + b"x" * (1024 * 1024 + 10)
    refused = (0, 413)  # 413, or the connection closed after it while the client was still sending
    assert bot.emu.send_raw(big, "application/x-www-form-urlencoded").status in refused
    assert post_chunked(bot, [big[i:i + 65536] for i in range(0, len(big), 65536)],
                        "application/x-www-form-urlencoded") in refused
    assert bot.incidents() == []


def test_the_app_itself_refuses_a_body_without_length_over_the_limit(bot: Harness) -> None:
    """Behind a server that passes a chunked body through undecoded, the WSGI app enforces the limit."""
    statuses: list[str] = []
    environ = {"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/json",
               "wsgi.input": io.BytesIO(b"{" + b" " * (1024 * 1024 + 1) + b"}")}
    wsgi = make_wsgi(bot.runtime.app, bot.runtime.engine)
    body = b"".join(wsgi(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["413 Content Too Large"] and b"too large" in body


def test_unparseable_signed_bodies_get_400_not_500(bot: Harness) -> None:
    for body, kind in [(b"{not json", "application/json"), (b"[1, 2]", "application/json"),
                       (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
                       (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
                       (b'{"type": "event_callback", "event": "x", "authorizations": "y"}', "application/json")]:
        r = bot.emu.send_raw(body, kind)
        assert r.status in (200, 400, 404), (body, r.status)


@FUZZ
@given(text=HOSTILE_TEXT)
def test_any_command_text_gets_a_readable_answer(bot: Harness, text: str) -> None:
    emu = bot.emu
    for typed in (text, "declare " + text):
        r = emu.slash_command(emu.user_id("alice"), emu.channel_id("general"), "/incident", typed)
        assert r.status == 200, (typed, r.status, r.body[:200])
        answer = (r.json() or {}).get("text", "")
        assert "Traceback" not in r.body.decode("utf-8", "replace") and APOLOGY not in answer
        if answer.startswith("Declaring"):
            accepted(bot)
    bot.runtime.timeline.writer.wait_idle()
    assert not [t for t in said_to_users(bot) if APOLOGY in t or "Traceback" in t]
    assert_no_partial_incident(bot)


FIELD = st.none() | HOSTILE_TEXT | st.text(min_size=2900, max_size=3100)


@FUZZ
@given(title=FIELD, description=FIELD, service=FIELD, severity=st.sampled_from([None, "SEV1", "bogus", ""]))
def test_any_declare_form_values_are_refused_in_place_or_declared(bot: Harness, title: str | None,
                                                                    description: str | None, service: str | None,
                                                                    severity: str | None) -> None:
    emu = bot.emu
    bob = emu.user_id("bob")
    emu.slash_command(bob, emu.channel_id("general"), "/incident", "declare")
    view = open_modal(bot, bob)
    r = emu.submit_view(view["id"], fill(bot, view, title=title, description=description, service=service,
                                         severity=severity), user_id=bob)
    assert r.status == 200
    answer: dict[str, Any] = r.json() if r.body.strip() else {}
    if answer.get("response_action") == "errors":
        assert all(isinstance(v, str) and v for v in answer["errors"].values())
        emu.close_view(view["id"], user_id=bob)
    else:
        accepted(bot)
    assert not [t for t in said_to_users(bot) if APOLOGY in t or "Traceback" in t]
    assert_no_partial_incident(bot)


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | HOSTILE_TEXT,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                    max_size=3), max_leaves=8)


@FUZZ
@given(event=st.fixed_dictionaries({"type": st.sampled_from(["message", "reaction_added", "member_joined_channel",
                                                             "app_home_opened", "reaction_removed", "tokens_revoked"])},
                                   optional={"text": JSONISH, "user": JSONISH, "ts": JSONISH, "subtype": JSONISH,
                                             "thread_ts": JSONISH, "item": JSONISH, "message": JSONISH,
                                             "previous_message": JSONISH, "files": JSONISH, "channel": JSONISH}))
def test_any_event_payload_is_acknowledged(bot: Harness, event: dict[str, Any]) -> None:
    envelope = {"token": "legacy", "team_id": bot.emu.team_id, "api_app_id": "A0001", "type": "event_callback",
                "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
                "event": {"channel": bot.emu.channel_id("general"), **event}}
    r = bot.emu.send_raw(json.dumps(envelope).encode(), "application/json")
    # acknowledged, or (fields of impossible types, which Bolt cannot even route) a reasoned 400; never a 5xx
    assert r.status in (200, 400), (event, r.status, r.body[:200])
    bot.runtime.timeline.writer.wait_idle()
