"""views.* : trigger_id rules, modal validation, update/hash, push limit, publish."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator


def modal(title: str = "Declare", **extra) -> dict:
    return {"type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Go"},
            "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
                        "element": {"type": "plain_text_input", "action_id": "value"}}], **extra}


def error_of(call, **kwargs) -> dict:
    with pytest.raises(SlackApiError) as exc:
        call(**kwargs)
    return exc.value.response.data


def trigger(emu: SlackEmulator, user: str) -> str:
    with emu.ws.lock:
        return emu.ws.new_trigger(user)


def test_open_shape_and_single_use(client: WebClient, emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    tid = trigger(emu, alice)
    view = client.views_open(trigger_id=tid, view=modal(private_metadata="42"))["view"]
    assert view["id"].startswith("V") and view["root_view_id"] == view["id"] and view["previous_view_id"] is None
    assert view["type"] == "modal" and view["private_metadata"] == "42" and view["hash"]
    assert view["state"] == {"values": {"title": {"value": {"type": "plain_text_input", "value": None}}}}
    assert view["app_id"] == emu.app_id and view["bot_id"] == emu.bot_id
    assert emu.views(alice)[0]["id"] == view["id"] and emu.views(alice)[0]["callback_id"] == "declare"
    assert error_of(client.views_open, trigger_id=tid, view=modal())["error"] == "exchanged_trigger_id"
    assert error_of(client.views_open, trigger_id="123.456.abc", view=modal())["error"] == "invalid_trigger_id"


def test_trigger_expires() -> None:
    with SlackEmulator(trigger_ttl=0.05) as emu:
        client = WebClient(token=emu.bot_token, base_url=emu.api_url)
        tid = trigger(emu, emu.user_id("bob"))
        time.sleep(0.1)
        assert error_of(client.views_open, trigger_id=tid, view=modal())["error"] == "expired_trigger_id"


@pytest.mark.parametrize(("view", "pointer"), [
    (modal(title="t" * 25), "/view/title/text"),
    ({**modal(), "submit": None}, "missing required field: submit"),
    (modal(private_metadata="m" * 3001), "/view/private_metadata"),
    ({**modal(), "blocks": [{"type": "divider"}] * 101}, "/view/blocks"),
    ({**modal(), "title": {"type": "mrkdwn", "text": "x"}}, "/view/title"),
])
def test_open_validation(client: WebClient, emu: SlackEmulator, view: dict, pointer: str) -> None:
    view = {k: v for k, v in view.items() if v is not None}
    tid = trigger(emu, emu.user_id("alice"))
    body = error_of(client.views_open, trigger_id=tid, view=view)
    assert body["error"] == "invalid_arguments"
    assert any(pointer in m for m in body["response_metadata"]["messages"])
    assert client.views_open(trigger_id=tid, view=modal())["ok"]  # a rejected view does not burn the trigger


def test_update_hash_and_external_id(client: WebClient, emu: SlackEmulator) -> None:
    view = client.views_open(trigger_id=trigger(emu, emu.user_id("alice")), view=modal(external_id="ext-1"))["view"]
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=modal(title="Step 2"))["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert updated["title"]["text"] == "Step 2"
    assert error_of(client.views_update, view_id=view["id"], hash=view["hash"], view=modal())["error"] == \
        "hash_conflict"
    assert client.views_update(view_id=view["id"], view=modal(title="No hash", external_id="ext-1"))["ok"]
    assert error_of(client.views_update, view_id="V404", view=modal())["error"] == "not_found"
    assert client.views_update(external_id="ext-1", view=modal(title="By ext", external_id="ext-1"))["ok"]
    assert emu.views()[0]["title"]["text"] == "By ext"


def test_push_limit_and_publish(client: WebClient, emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    root = client.views_open(trigger_id=trigger(emu, alice), view=modal())["view"]
    second = client.views_push(trigger_id=trigger(emu, alice), view=modal(title="2"))["view"]
    assert second["previous_view_id"] == root["id"] and second["root_view_id"] == root["id"]
    client.views_push(trigger_id=trigger(emu, alice), view=modal(title="3"))
    assert error_of(client.views_push, trigger_id=trigger(emu, alice), view=modal(title="4"))["error"] == \
        "push_limit_reached"
    assert [v["title"]["text"] for v in emu.views(alice)] == ["Declare", "2", "3"]
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    published = client.views_publish(user_id=alice, view=home)["view"]
    assert published["type"] == "home" and (emu.home_view(alice) or {})["id"] == published["id"]
    assert error_of(client.views_publish, user_id=alice, view=home, hash="stale")["error"] == "hash_conflict"
