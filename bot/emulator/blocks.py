"""Block Kit validation (server-side limits) and view state values."""

from __future__ import annotations

import json
import secrets
from typing import Any

from .args import ApiError, invalid_arguments

BLOCK_TYPES = {
    "actions", "context", "context_actions", "divider", "file", "header", "image", "input",
    "markdown", "rich_text", "section", "video", "call", "table", "plan", "task_card",
}

# element type -> (state value key, initial_* field, empty value)
STATE_FIELDS: dict[str, tuple[str, str, Any]] = {
    "plain_text_input": ("value", "initial_value", None),
    "email_text_input": ("value", "initial_value", None),
    "url_text_input": ("value", "initial_value", None),
    "number_input": ("value", "initial_value", None),
    "rich_text_input": ("rich_text_value", "initial_value", None),
    "static_select": ("selected_option", "initial_option", None),
    "external_select": ("selected_option", "initial_option", None),
    "radio_buttons": ("selected_option", "initial_option", None),
    "multi_static_select": ("selected_options", "initial_options", []),
    "multi_external_select": ("selected_options", "initial_options", []),
    "checkboxes": ("selected_options", "initial_options", []),
    "users_select": ("selected_user", "initial_user", None),
    "multi_users_select": ("selected_users", "initial_users", []),
    "conversations_select": ("selected_conversation", "initial_conversation", None),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", []),
    "channels_select": ("selected_channel", "initial_channel", None),
    "multi_channels_select": ("selected_channels", "initial_channels", []),
    "datepicker": ("selected_date", "initial_date", None),
    "timepicker": ("selected_time", "initial_time", None),
    "datetimepicker": ("selected_date_time", "initial_date_time", None),
    "file_input": ("files", "", []),
}


def _text_of(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def block_errors(blocks: Any, pointer: str, max_blocks: int) -> list[str]:
    """Problems with a blocks array, in Slack's "reason [json-pointer:/path]" form."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{pointer}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{at}]")
            continue
        kind = block["type"]
        if kind not in BLOCK_TYPES:
            errors.append(f"unsupported type: {kind} [json-pointer:{at}/type]")
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if len(block_id) > 255:
                errors.append(f"must be less than 256 characters [json-pointer:{at}/block_id]")
            if block_id in seen:
                errors.append(f"duplicate block_id: {block_id} [json-pointer:{at}/block_id]")
            seen.add(block_id)
        errors.extend(_block_kind_errors(block, kind, at))
    return errors


def _block_kind_errors(block: dict[str, Any], kind: str, at: str) -> list[str]:
    errors: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide either text or fields [json-pointer:{at}]")
        if len(_text_of(block.get("text"))) > 3000:
            errors.append(f"must be less than 3001 characters [json-pointer:{at}/text/text]")
        fields = block.get("fields") or []
        if len(fields) > 10:
            errors.append(f"no more than 10 items allowed [json-pointer:{at}/fields]")
        for j, f in enumerate(fields):
            if len(_text_of(f)) > 2000:
                errors.append(f"must be less than 2001 characters [json-pointer:{at}/fields/{j}/text]")
    elif kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            errors.append(f"must be a plain_text text object [json-pointer:{at}/text]")
        elif len(_text_of(text)) > 150:
            errors.append(f"must be less than 151 characters [json-pointer:{at}/text/text]")
    elif kind == "actions" and len(block.get("elements") or []) > 25:
        errors.append(f"no more than 25 items allowed [json-pointer:{at}/elements]")
    elif kind == "context" and len(block.get("elements") or []) > 10:
        errors.append(f"no more than 10 items allowed [json-pointer:{at}/elements]")
    elif kind == "input":
        if not isinstance(block.get("element"), dict):
            errors.append(f"missing required field: element [json-pointer:{at}]")
        if not isinstance(block.get("label"), dict):
            errors.append(f"missing required field: label [json-pointer:{at}]")
    return errors


def check_message_blocks(blocks: Any) -> None:
    """Raise invalid_blocks / invalid_blocks_format as chat.postMessage does."""
    if not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    errors = block_errors(blocks, "/blocks", 50)
    if errors:
        raise ApiError("invalid_blocks", errors=errors,
                       response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})


def _plain_text_errors(obj: Any, field_name: str, limit: int, required: bool) -> list[str]:
    at = f"/view/{field_name}"
    if obj is None:
        return [f"missing required field: {field_name} [json-pointer:/view]"] if required else []
    if not isinstance(obj, dict) or obj.get("type") != "plain_text":
        return [f"must be a plain_text text object [json-pointer:{at}]"]
    if len(_text_of(obj)) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}/text]"]
    return []


def check_view(view: Any, expect_type: str | None = None) -> dict[str, Any]:
    """Validate a modal/home view; raises invalid_arguments (or view_too_large)."""
    if not isinstance(view, dict):
        raise invalid_arguments("[ERROR] must be an object [json-pointer:/view]")
    if len(json.dumps(view)) > 250_000:
        raise ApiError("view_too_large")
    errors: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home") or (expect_type and kind != expect_type):
        errors.append(f"must be {expect_type or 'modal or home'} [json-pointer:/view/type]")
    blocks = view.get("blocks", [])
    errors.extend(block_errors(blocks, "/view/blocks", 100))
    if kind == "modal":
        errors.extend(_plain_text_errors(view.get("title"), "title", 24, True))
        has_input = isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        errors.extend(_plain_text_errors(view.get("submit"), "submit", 24, has_input))
        errors.extend(_plain_text_errors(view.get("close"), "close", 24, False))
    if len(str(view.get("private_metadata") or "")) > 3000:
        errors.append("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    for name in ("callback_id", "external_id"):
        if len(str(view.get(name) or "")) > 255:
            errors.append(f"must be less than 256 characters [json-pointer:/view/{name}]")
    if errors:
        raise invalid_arguments(*[f"[ERROR] {e}" for e in errors])
    return view


def element_state(element: dict[str, Any]) -> dict[str, Any] | None:
    """The state.values entry for an element holding its initial value, or None if stateless."""
    kind = element.get("type", "")
    spec = STATE_FIELDS.get(kind)
    if spec is None:
        return None
    key, initial, empty = spec
    value = element.get(initial) if initial else None
    return {"type": kind, key: value if value is not None else (list(empty) if isinstance(empty, list) else empty)}


def initial_values(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """state.values for every input block of a view, from the elements' initial values."""
    values: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        state = element_state(element)
        if state is not None:
            values.setdefault(block.get("block_id", ""), {})[element.get("action_id", "")] = state
    return values


def find_element(blocks: list[dict[str, Any]], action_id: str,
                 block_id: str | None = None) -> tuple[str | None, dict[str, Any] | None]:
    """Locate an interactive element by action_id (and block_id); returns (block_id, element)."""
    for block in blocks or []:
        if not isinstance(block, dict) or (block_id and block.get("block_id") != block_id):
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return block_id, None


def fill_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give blocks and interactive elements the random block_id/action_id Slack assigns."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    for block in blocks:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", "".join(secrets.choice(alphabet) for _ in range(5)))
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                elements.append(block[key])
        for element in elements:
            if isinstance(element, dict) and (element.get("type") in STATE_FIELDS or element.get("type") in (
                    "button", "overflow")):
                element.setdefault("action_id", "".join(secrets.choice(alphabet) for _ in range(5)))
    return blocks
