"""A real slack_bolt App against the emulator, over HTTP and over Socket Mode."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.emulator import SlackEmulator

from .conftest import SECRET


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build_app(emu: SlackEmulator, **kwargs: Any) -> App:
    app = App(client=WebClient(token=emu.bot_token, base_url=emu.api_url), token_verification_enabled=False,
              **kwargs)

    @app.command("/incident")
    def incident(ack: Any, command: dict, client: WebClient, respond: Any) -> None:
        ack("opening")
        client.views_open(trigger_id=command["trigger_id"], view={
            "type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": "Declare"},
            "submit": {"type": "plain_text", "text": "Go"},
            "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
                        "element": {"type": "plain_text_input", "action_id": "v"}}]})
        respond(f"declaring: {command['text']}")

    @app.view("declare")
    def declare(ack: Any, view: dict, client: WebClient) -> None:
        title = view["state"]["values"]["title"]["v"]["value"]
        if not title:
            ack(response_action="errors", errors={"title": "required"})
            return
        ack()
        name = "inc-" + title.lower().replace(" ", "-")
        client.conversations_create(name=name)

    @app.action("ack")
    def on_ack(ack: Any, respond: Any) -> None:
        ack()
        respond(text="acked", replace_original=True)

    @app.event("message")
    def on_message(event: dict, say: Any) -> None:
        if "incident" in event.get("text", ""):
            say("noted", thread_ts=event["ts"])

    @app.event("member_joined_channel")
    def joined() -> None:
        pass

    return app


@pytest.fixture
def http_bolt(emu: SlackEmulator) -> Iterator[App]:
    app = build_app(emu, signing_secret=SECRET)
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    emu.app_url = f"http://127.0.0.1:{server.server_port}/slack/events"
    yield app
    server.shutdown()
    server.server_close()


def test_bolt_over_http(emu: SlackEmulator, http_bolt: App) -> None:
    alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
    resp = emu.slash_command(alice, cid, "/incident", "checkout down")
    assert resp.status == 200 and resp.text == "opening" and resp.json() == {"text": "opening"}
    [view] = emu.wait_for(lambda: emu.views(alice))
    emu.wait_for(lambda: emu.responses(kind="command"))
    assert emu.responses()[0]["body"]["text"] == "declaring: checkout down"
    resp = emu.submit_view(view["id"])
    assert resp.status == 200 and resp.json() == {"response_action": "errors", "errors": {"title": "required"}}
    assert emu.views(alice)
    resp = emu.submit_view(view["id"], {"title": {"v": {"type": "plain_text_input", "value": "Checkout down"}}})
    assert resp.status == 200 and emu.views(alice) == []
    emu.wait_for(lambda: [c for c in emu.channels() if c["name"] == "inc-checkout-down"])
    ts = emu.post_message(alice, cid, "new incident here")
    reply = emu.wait_for(lambda: [m for m in emu.messages(cid) if m.get("thread_ts") == ts and m["ts"] != ts])
    assert reply[0]["text"] == "noted" and reply[0]["bot_id"] == emu.bot_id
    emu.drain()
    assert all(d["status"] == 200 for d in emu.deliveries()), emu.deliveries()  # the echo is acked, not 404
    assert emu.calls("auth.test")  # Bolt authorized lazily against the emulator


def test_bolt_over_socket_mode(emu: SlackEmulator) -> None:
    app = build_app(emu)
    handler = SocketModeHandler(app, emu.app_token)
    handler.connect()
    try:
        emu.wait_for(emu.socket_connected)
        alice, cid = emu.user_id("alice"), emu.channel_id("incidents")
        resp = emu.slash_command(alice, cid, "/incident", "payments slow")
        assert resp.status == 200 and resp.json() == {"text": "opening"}
        [view] = emu.wait_for(lambda: emu.views(alice))
        resp = emu.submit_view(view["id"], {"title": {"v": {"type": "plain_text_input", "value": "Payments"}}})
        assert resp.status == 200 and resp.body == b"" and emu.views(alice) == []
        emu.wait_for(lambda: [c for c in emu.channels() if c["name"] == "inc-payments"])
        client = WebClient(token=emu.bot_token, base_url=emu.api_url)
        ts = client.chat_postMessage(channel=cid, text="status", blocks=[{"type": "actions", "elements": [
            {"type": "button", "action_id": "ack", "text": {"type": "plain_text", "text": "Ack"}}]}])["ts"]
        assert emu.click(alice, cid, ts, "ack").status == 200
        emu.wait_for(lambda: emu.messages(cid)[-1]["text"] == "acked")
        ts = emu.post_message(alice, cid, "incident over socket")
        emu.wait_for(lambda: [m for m in emu.messages(cid) if m.get("thread_ts") == ts and m["ts"] != ts])
        assert emu.calls("apps.connections.open")[0].status == 200
    finally:
        handler.close()
    emu.wait_for(lambda: not emu.socket_connected())
