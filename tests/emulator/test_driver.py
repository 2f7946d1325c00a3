"""The driver's signed requests, payload shapes, response_urls, view acks and emitted events."""

from __future__ import annotations

import json
import time

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.emulator import SlackEmulator

from .conftest import FakeApp, Received

BUTTONS = [{"type": "actions", "block_id": "acts", "elements": [
    {"type": "button", "action_id": "ack", "text": {"type": "plain_text", "text": "Ack"}, "value": "inc-1"},
    {"type": "static_select", "action_id": "sev", "options": [
        {"text": {"type": "plain_text", "text": "SEV1"}, "value": "SEV1"},
        {"text": {"type": "plain_text", "text": "SEV2"}, "value": "SEV2"}]}]}]


def test_slash_command_is_signed_and_complete(emu: SlackEmulator, app: FakeApp) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
    text = f"declare {emu.mention(alice)} in {emu.channel_mention(cid)}: a < b & c > d"
    resp = emu.slash_command(alice, cid, "/incident", text)
    assert resp.status == 200
    [req] = app.received
    assert req.verified and req.headers["content-type"] == "application/x-www-form-urlencoded"
    form = req.form
    assert list(form) == ["token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
                          "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id"]
    assert form["text"] == f"declare <@{alice}|alice> in <#{cid}|incidents>: a &lt; b &amp; c &gt; d"
    assert form["channel_name"] == "incidents" and form["user_name"] == "alice" and form["command"] == "/incident"
    assert form["response_url"].startswith(emu.base_url + "/_responses/")
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
    assert client.views_open(trigger_id=form["trigger_id"], view=modal)["ok"]


def test_response_url_semantics(emu: SlackEmulator, app: FakeApp) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
    emu.slash_command(alice, cid, "/incident", "help")
    hook = WebhookClient(app.received[0].form["response_url"])
    assert hook.send(text="only you").status_code == 200
    assert hook.send(text="everyone", response_type="in_channel").status_code == 200
    assert emu.messages(cid)[-1]["text"] == "everyone" and emu.messages(cid)[-1]["bot_id"] == emu.bot_id
    for _ in range(3):
        hook.send(text="more")
    sixth = hook.send(text="too many")
    assert sixth.status_code == 404 and sixth.body == "used_up"
    posts = emu.responses(kind="command")
    assert len(posts) == 5 and posts[0]["body"] == {"text": "only you"} and posts[0]["user"] == alice
    assert posts[0]["channel"] == cid


def test_response_url_expires_after_30_minutes(emu: SlackEmulator, app: FakeApp) -> None:
    emu.slash_command(emu.user_id("alice"), emu.channel_id("incidents"), "/incident", "help")
    url = app.received[0].form["response_url"]
    hook = WebhookClient(url)
    with emu.ws.lock:  # age it: 29 minutes is still fine, 31 is not
        emu.ws.response_urls[url.rsplit("/", 1)[-1]].created -= 29 * 60
    assert hook.send(text="still in time").status_code == 200
    with emu.ws.lock:
        emu.ws.response_urls[url.rsplit("/", 1)[-1]].created -= 2 * 60
    late = hook.send(text="too late")
    assert late.status_code == 404 and late.body == "expired_url"


def test_click_payload_and_replace_original(emu: SlackEmulator, app: FakeApp) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    cid, bob = emu.channel_id("incidents"), emu.user_id("bob")
    ts = client.chat_postMessage(channel=cid, text="Incident", blocks=BUTTONS)["ts"]
    emu.drain()
    emu.click(bob, cid, ts, "ack")
    payload = app.received[-1].payload
    assert app.received[-1].verified and payload["type"] == "block_actions"
    assert payload["container"] == {"type": "message", "message_ts": ts, "channel_id": cid, "is_ephemeral": False}
    assert payload["message"]["ts"] == ts and payload["channel"] == {"id": cid, "name": "incidents"}
    [action] = payload["actions"]
    assert action["type"] == "button" and action["value"] == "inc-1" and action["block_id"] == "acts"
    assert action["text"]["text"] == "Ack" and payload["user"]["id"] == bob and payload["trigger_id"]
    emu.click(bob, cid, ts, "sev", value="SEV2")
    assert app.of_type("block_actions")[-1]["actions"][0]["selected_option"]["value"] == "SEV2"
    emu.click(bob, cid, ts, "sev", selected_option={"value": "SEV1", "text": {"type": "plain_text", "text": "S"}})
    assert app.of_type("block_actions")[-1]["actions"][0]["selected_option"]["value"] == "SEV1"
    hook = WebhookClient(app.of_type("block_actions")[-1]["response_url"])
    hook.send(text="Acknowledged by bob", replace_original=True)
    assert emu.messages(cid)[-1]["text"] == "Acknowledged by bob" and "blocks" not in emu.messages(cid)[-1]
    hook.send(delete_original=True)
    assert emu.messages(cid) == []
    assert [r["kind"] for r in emu.responses()] == ["action", "action"]


def _ack(body: dict | None):
    def respond(req: Received) -> tuple[int, str, bytes]:
        if body is None:
            return 200, "text/plain", b""
        return 200, "application/json", json.dumps(body).encode()
    return respond


def _open_form(emu: SlackEmulator) -> str:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    with emu.ws.lock:
        trigger = emu.ws.new_trigger(emu.user_id("alice"))
    blocks = [
        {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "T"},
         "element": {"type": "plain_text_input", "action_id": "v", "initial_value": "Checkout down"}},
        {"type": "input", "block_id": "sev", "label": {"type": "plain_text", "text": "S"},
         "element": {"type": "static_select", "action_id": "v", "options": [
             {"text": {"type": "plain_text", "text": "SEV1"}, "value": "SEV1"}],
             "initial_option": {"text": {"type": "plain_text", "text": "SEV1"}, "value": "SEV1"}}},
        {"type": "input", "block_id": "lead", "optional": True, "label": {"type": "plain_text", "text": "L"},
         "element": {"type": "users_select", "action_id": "v"}},
        {"type": "input", "block_id": "tags", "optional": True, "label": {"type": "plain_text", "text": "G"},
         "element": {"type": "multi_static_select", "action_id": "v", "options": [
             {"text": {"type": "plain_text", "text": "db"}, "value": "db"}]}},
        {"type": "input", "label": {"type": "plain_text", "text": "auto ids"},
         "element": {"type": "plain_text_input"}},
    ]
    view = {"type": "modal", "callback_id": "declare", "private_metadata": "pm", "notify_on_close": True,
            "title": {"type": "plain_text", "text": "Declare"}, "submit": {"type": "plain_text", "text": "Go"},
            "blocks": blocks}
    return client.views_open(trigger_id=trigger, view=view)["view"]["id"]


def test_submit_view_values_and_acks(emu: SlackEmulator, app: FakeApp) -> None:
    vid = _open_form(emu)
    app.responder = _ack({"response_action": "errors", "errors": {"title": "too short"}})
    resp = emu.submit_view(vid, {"lead": {"v": {"type": "users_select", "selected_user": emu.user_id("bob")}}})
    assert resp.json()["response_action"] == "errors" and emu.views()[0]["id"] == vid
    payload = app.received[-1].payload
    assert payload["type"] == "view_submission" and payload["view"]["type"] == "modal"
    assert payload["view"]["callback_id"] == "declare" and payload["view"]["private_metadata"] == "pm"
    assert payload["trigger_id"] and payload["response_urls"] == [] and payload["view"]["hash"]
    values = payload["view"]["state"]["values"]
    assert values["title"] == {"v": {"type": "plain_text_input", "value": "Checkout down"}}
    assert values["sev"]["v"]["selected_option"]["value"] == "SEV1"
    assert values["lead"]["v"] == {"type": "users_select", "selected_user": emu.user_id("bob")}
    assert values["tags"]["v"] == {"type": "multi_static_select", "selected_options": []}
    assert len(values) == 5  # the block without ids got Slack-style generated ones
    app.responder = _ack({"response_action": "update", "view": {
        "type": "modal", "title": {"type": "plain_text", "text": "Done"}, "blocks": []}})
    emu.submit_view(vid)
    assert emu.views()[0]["title"]["text"] == "Done"
    app.responder = _ack(None)
    emu.submit_view(vid)
    assert emu.views() == []


def test_view_action_and_close(emu: SlackEmulator, app: FakeApp) -> None:
    vid = _open_form(emu)
    emu.view_action(emu.user_id("alice"), vid, "v", "lead", selected_user=emu.user_id("carol"))
    payload = app.received[-1].payload
    assert payload["container"] == {"type": "view", "view_id": vid} and payload["view"]["id"] == vid
    assert payload["actions"][0]["selected_user"] == emu.user_id("carol")
    emu.submit_view(vid)
    assert app.received[-1].payload["view"]["state"]["values"]["lead"]["v"]["selected_user"] == emu.user_id("carol")
    vid = _open_form(emu)
    resp = emu.close_view(vid)
    assert resp is not None and app.received[-1].payload["type"] == "view_closed" and emu.views() == []


def test_shortcuts(emu: SlackEmulator, app: FakeApp) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("general")
    emu.global_shortcut(alice, "declare_incident")
    glob = app.received[-1].payload
    assert glob["type"] == "shortcut" and glob["callback_id"] == "declare_incident" and "response_url" not in glob
    ts = emu.post_message(alice, cid, "it's broken")
    emu.message_shortcut(emu.user_id("bob"), cid, ts, "from_message")
    msg = app.of_type("message_action")[0]
    assert msg["message"]["text"] == "it's broken" and msg["message_ts"] == ts and msg["response_url"]


def test_bot_actions_emit_events(emu: SlackEmulator, app: FakeApp) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    cid = client.conversations_create(name="inc-ev")["channel"]["id"]
    client.conversations_invite(channel=cid, users=emu.user_id("alice"))
    client.chat_postMessage(channel=cid, text="echo")
    client.conversations_setTopic(channel=cid, topic="t")
    emu.drain()
    joined = app.of_type("member_joined_channel")
    assert [(e["user"], e.get("inviter")) for e in joined] == [(emu.bot_user_id, None),
                                                               (emu.user_id("alice"), emu.bot_user_id)]
    messages = app.of_type("message")
    echo = next(m for m in messages if m.get("text") == "echo")
    assert echo["bot_id"] == emu.bot_id and echo["channel"] == cid and echo["channel_type"] == "channel"
    assert any(m.get("subtype") == "channel_topic" for m in messages)
    envelope = next(r.payload for r in app.received if r.payload["event"].get("text") == "echo")
    assert envelope["type"] == "event_callback" and envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == emu.bot_user_id and envelope["team_id"] == emu.team_id
    assert all(d["status"] == 200 for d in emu.deliveries())
    assert len({d["event_id"] for d in emu.deliveries()}) == len(emu.deliveries())


def test_subscriptions_and_emit_switch(emu: SlackEmulator, app: FakeApp) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    emu.subscribed_events = {"member_joined_channel"}
    client.conversations_create(name="inc-sub")
    client.chat_postMessage(channel=emu.channel_id("general"), text="not subscribed")
    emu.drain()
    assert {r.payload["event"]["type"] for r in app.received} == {"member_joined_channel"}
    emu.emit_events = False
    client.conversations_create(name="inc-quiet")
    emu.drain()
    assert len(app.received) == 1


def test_human_activity_events(emu: SlackEmulator, app: FakeApp) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
    ts = emu.post_message(alice, cid, "checkout is down")
    event = app.received[-1].payload["event"]
    assert event["type"] == "message" and event["user"] == alice and event["client_msg_id"] and event["ts"] == ts
    reply = emu.post_message(emu.user_id("bob"), cid, "on it", thread_ts=ts, reply_broadcast=True)
    event = app.received[-1].payload["event"]
    assert event["subtype"] == "thread_broadcast" and event["thread_ts"] == ts and event["root"]["ts"] == ts
    emu.post_message(alice, cid, "logs", files=[{"name": "log.txt", "content": "boom"}])
    event = app.received[-1].payload["event"]
    assert event["subtype"] == "file_share" and event["files"][0]["name"] == "log.txt"
    emu.edit_message(alice, cid, ts, "checkout is DOWN")
    event = app.received[-1].payload["event"]
    assert event["subtype"] == "message_changed" and event["message"]["text"] == "checkout is DOWN"
    assert event["previous_message"]["text"] == "checkout is down" and "user" not in event
    emu.add_reaction(alice, cid, reply, "eyes")
    event = app.received[-1].payload["event"]
    assert event["type"] == "reaction_added" and event["item"] == {"type": "message", "channel": cid, "ts": reply}
    emu.remove_reaction(alice, cid, reply, "eyes")
    assert app.received[-1].payload["event"]["type"] == "reaction_removed"
    emu.delete_message(cid, reply)
    event = app.received[-1].payload["event"]
    assert event["subtype"] == "message_deleted" and event["deleted_ts"] == reply


def test_send_event_retry_headers_and_raw_signatures(emu: SlackEmulator, app: FakeApp) -> None:
    resp = emu.send_event({"type": "app_mention", "user": emu.user_id("alice"), "text": "hi"},
                          retry_num=2, retry_reason="http_timeout", event_id="Ev123")
    assert resp.status == 200
    req = app.received[-1]
    assert req.headers["x-slack-retry-num"] == "2" and req.headers["x-slack-retry-reason"] == "http_timeout"
    assert req.payload["event_id"] == "Ev123" and req.payload["event"]["event_ts"]
    body = b'{"type":"url_verification","challenge":"c"}'
    assert emu.send_raw(body, "application/json").status == 200
    assert emu.send_raw(body, "application/json", signature="v0=bad").status == 401
    stale = str(int(time.time()) - 600)
    assert emu.send_raw(body, "application/json", timestamp=stale).status == 401
    assert emu.send_raw(body, "application/json", timestamp=str(int(time.time()) - 60)).status == 200


def test_no_events_from_channels_the_bot_is_not_in(emu: SlackEmulator, app: FakeApp) -> None:
    alice = emu.user_id("alice")
    outside = emu.add_channel("watercooler", members=[alice], bot_member=False)
    emu.post_message(alice, outside, "gossip")
    WebClient(token=emu.bot_token, base_url=emu.api_url).chat_postMessage(channel=outside, text="public post")
    emu.drain()
    assert app.received == [] and len(emu.messages(outside)) == 2


def test_in_channel_command_ack_is_posted(emu: SlackEmulator, app: FakeApp) -> None:
    app.responder = _ack({"response_type": "in_channel", "text": "Incident declared"})
    cid = emu.channel_id("incidents")
    resp = emu.slash_command(emu.user_id("alice"), cid, "/incident", "declare x")
    assert resp.json() == {"response_type": "in_channel", "text": "Incident declared"}
    assert emu.messages(cid)[-1]["text"] == "Incident declared"
    app.responder = lambda r: (200, "text/plain; charset=utf-8", b"just for you")
    assert emu.slash_command(emu.user_id("alice"), cid, "/incident", "help").json() == {"text": "just for you"}
    assert len(emu.messages(cid)) == 1


def test_a_chosen_option_shows_until_the_message_is_edited(emu: SlackEmulator, app: FakeApp) -> None:
    client = WebClient(token=emu.bot_token, base_url=emu.api_url)
    cid, bob, carol = emu.channel_id("incidents"), emu.user_id("bob"), emu.user_id("carol")
    ts = client.chat_postMessage(channel=cid, text="Incident", blocks=BUTTONS)["ts"]
    assert emu.shown_option(bob, cid, ts, "sev") is None  # the placeholder
    emu.click(bob, cid, ts, "sev", value="SEV2")
    assert emu.shown_option(bob, cid, ts, "sev") == "SEV2" and emu.shown_option(carol, cid, ts, "sev") is None
    client.chat_update(channel=cid, ts=ts, text="Incident", blocks=BUTTONS)  # the same blocks, re-rendered
    assert emu.shown_option(bob, cid, ts, "sev") is None
