"""Auth, fault injection, rate limits, latency and the call log."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.emulator import SlackEmulator


def raw(emu: SlackEmulator, method: str, data: bytes = b"", token: str | None = None,
        content_type: str = "application/x-www-form-urlencoded", query: str = "") -> tuple[int, dict, dict]:
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(emu.api_url + method + query, data=data, headers=headers, method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


def test_auth_errors(emu: SlackEmulator) -> None:
    assert raw(emu, "auth.test")[2] == {"ok": False, "error": "not_authed"}
    assert raw(emu, "auth.test", token="xoxb-nope")[2] == {"ok": False, "error": "invalid_auth"}
    assert raw(emu, "auth.test", token=emu.app_token)[2]["error"] == "not_allowed_token_type"
    assert raw(emu, "apps.connections.open", token=emu.bot_token)[2]["error"] == "not_allowed_token_type"
    assert raw(emu, "apps.connections.open", token=emu.app_token)[2]["url"].startswith("ws://127.0.0.1:")
    status, _, body = raw(emu, "nope.method", token=emu.bot_token)
    assert status == 200 and body["error"] == "unknown_method"
    # token as a form field and args in the query string work too
    status, headers, body = raw(emu, "auth.test", f"token={emu.bot_token}".encode())
    assert body["user_id"] == emu.bot_user_id and "chat:write" in headers["x-oauth-scopes"]
    body = raw(emu, "conversations.info", token=emu.bot_token, query=f"?channel={emu.channel_id('general')}")[2]
    assert body["channel"]["name"] == "general"
    body = raw(emu, "chat.postMessage", json.dumps({"channel": emu.channel_id("general"), "text": "j",
                                                    "team_id": emu.team_id}).encode(), emu.bot_token,
               "application/json; charset=utf-8")[2]
    assert body["ok"] and body["message"]["text"] == "j"


def test_revoke(client: WebClient, emu: SlackEmulator) -> None:
    emu.revoke(emu.bot_token)
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response["error"] == "token_revoked"


def test_injected_429_retried_by_sdk(emu: SlackEmulator) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    emu.inject("conversations.create", status=429, retry_after=0)
    started = time.monotonic()
    created = client.conversations_create(name="after-429")
    assert created["ok"] and time.monotonic() - started < 2.5
    calls = emu.calls("conversations.create")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}
    assert [c["name"] for c in emu.channels()].count("after-429") == 1  # the fault had no side effect


def test_injected_429_without_handler(client: WebClient, emu: SlackEmulator) -> None:
    emu.inject("*", status=429, retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.auth_test()
        assert exc.value.response.status_code == 429
        assert int(exc.value.response.headers["Retry-After"]) == 7
    assert client.auth_test()["ok"]


def test_injected_errors_status_body_latency(client: WebClient, emu: SlackEmulator) -> None:
    emu.inject("conversations.create", error="name_taken")
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="fresh")
    assert exc.value.response.status_code == 200 and exc.value.response["error"] == "name_taken"
    assert "fresh" not in [c["name"] for c in emu.channels()]
    emu.inject("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=emu.channel_id("general"), text="x")
    assert exc.value.response.status_code == 503
    assert emu.messages(emu.channel_id("general")) == []
    emu.inject("auth.test", body={"ok": True, "custom": 1})
    assert client.auth_test()["custom"] == 1
    emu.inject("auth.test", latency=0.2)
    started = time.monotonic()
    assert client.auth_test()["user_id"] == emu.bot_user_id
    assert time.monotonic() - started >= 0.2
    assert emu.calls("auth.test")[-1].duration >= 0.2


def test_processed_faults_do_the_work_and_lose_the_answer(emu: SlackEmulator) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url, retry_handlers=[])  # sdk default retries drops
    general = emu.channel_id("general")
    emu.inject("chat.postMessage", status=500, processed=True)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=general, text="posted anyway")
    assert exc.value.response.status_code == 500
    assert [m["text"] for m in emu.messages(general)] == ["posted anyway"]
    emu.inject("conversations.create", drop=True, processed=True)
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        client.conversations_create(name="made-anyway")
    assert "made-anyway" in [c["name"] for c in emu.channels()]
    emu.inject("conversations.create", drop=True)  # dropped before Slack did anything
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        client.conversations_create(name="never-made")
    assert "never-made" not in [c["name"] for c in emu.channels()]
    assert client.conversations_create(name="never-made")["ok"]


def test_rate_limits_on_tier2(client: WebClient, emu: SlackEmulator) -> None:
    emu.rate_limits = True
    cid = emu.channel_id("general")
    for i in range(20):  # tier 2: 20 per minute
        client.conversations_setTopic(channel=cid, topic=f"t{i}")
    with pytest.raises(SlackApiError) as exc:
        client.conversations_setTopic(channel=cid, topic="one too many")
    assert exc.value.response.status_code == 429 and exc.value.response["error"] == "ratelimited"
    assert int(exc.value.response.headers["Retry-After"]) >= 1
    assert client.conversations_info(channel=cid)["channel"]["topic"]["value"] == "t19"  # other methods unaffected


def test_post_message_per_channel_limit(client: WebClient, emu: SlackEmulator) -> None:
    emu.rate_limits = True
    general, incidents = emu.channel_id("general"), emu.channel_id("incidents")
    statuses = []
    for _ in range(8):
        try:
            client.chat_postMessage(channel=general, text="burst")
            statuses.append(200)
        except SlackApiError as e:
            statuses.append(e.response.status_code)
    assert statuses[:5] == [200] * 5 and 429 in statuses
    assert client.chat_postMessage(channel=incidents, text="other channel is fine")["ok"]


def test_global_latency_and_call_log(client: WebClient, emu: SlackEmulator) -> None:
    emu.latency = 0.05
    client.auth_test()
    client.conversations_info(channel=emu.channel_id("general"))
    calls = emu.calls()
    assert [c.method for c in calls] == ["auth.test", "conversations.info"]
    assert all(c.duration >= 0.05 and c.status == 200 for c in calls)
    assert calls[1].args == {"channel": emu.channel_id("general")} and calls[1].response["ok"]
    emu.clear_calls()
    assert emu.calls() == []
