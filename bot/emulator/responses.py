"""response_url handling: up to 5 posts in 30 minutes; replace/delete original; in_channel."""

from __future__ import annotations

import copy
import json
import time
from typing import TYPE_CHECKING, Any

from .args import ApiError
from .blocks import check_message_blocks, fill_ids
from .methods_chat import post_as_bot

if TYPE_CHECKING:
    from .emulator import SlackEmulator

MAX_USES = 5
MAX_AGE = 30 * 60


def handle_response_url(emu: SlackEmulator, rid: str, body: bytes) -> tuple[int, str]:
    """Record a post to a response_url and apply it; returns (status, text body)."""
    ws = emu.ws
    try:
        payload = json.loads(body.decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return 400, "invalid_payload"
    if not isinstance(payload, dict):
        return 400, "invalid_payload"
    with ws.lock:
        ru = ws.response_urls.get(rid)
        if ru is None:
            return 404, "no_service"
        if time.time() - ru.created > MAX_AGE:
            return 404, "expired_url"
        if ru.uses >= MAX_USES:
            return 404, "used_up"
        delete = bool(payload.get("delete_original"))
        if not delete and not (payload.get("text") or payload.get("blocks") or payload.get("attachments")):
            return 400, "no_text"
        if payload.get("blocks") is not None:
            try:
                check_message_blocks(payload["blocks"])
            except ApiError as e:
                return 400, e.error
        ru.uses += 1
        ws.response_posts.append({"url": f"{ws.base_url}/_responses/{rid}", "body": copy.deepcopy(payload),
                                  "kind": ru.kind, "user": ru.user, "channel": ru.channel,
                                  "message_ts": ru.message_ts, "at": time.time()})
        _apply(emu, ru.channel, ru.message_ts, payload)
        events = ws.take_outbox()
    emu._emit(events)
    return 200, "ok"


def _apply(emu: SlackEmulator, channel: str | None, message_ts: str | None, payload: dict[str, Any]) -> None:
    ws = emu.ws
    ch = ws.channels.get(channel or "")
    if ch is None:
        return
    original = ch.messages.get(message_ts or "")
    own = original is not None and original.get("bot_id") == ws.bot_id
    if payload.get("delete_original"):
        if own and original is not None:
            ws.remove_message(ch, original["ts"])
            ws.emit({"type": "message", "subtype": "message_deleted", "hidden": True, "channel": ch.id,
                     "channel_type": ch.channel_type, "ts": ws.next_ts(), "deleted_ts": original["ts"],
                     "previous_message": original})
        return
    content: dict[str, Any] = {"text": str(payload.get("text") or "")}
    if payload.get("blocks") is not None:
        content["blocks"] = fill_ids(copy.deepcopy(payload["blocks"]))
    if payload.get("replace_original") and own and original is not None:
        previous = copy.deepcopy(original)
        original.update(content)
        if "blocks" not in content:
            original.pop("blocks", None)
        original["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
        ws.emit({"type": "message", "subtype": "message_changed", "hidden": True, "channel": ch.id,
                 "channel_type": ch.channel_type, "ts": original["edited"]["ts"],
                 "message": copy.deepcopy(original), "previous_message": previous})
    elif payload.get("response_type") == "in_channel" and not ch.is_archived:
        post_as_bot(ws, ch, content, payload.get("thread_ts") or None)
