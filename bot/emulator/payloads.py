"""Builders for the request bodies Slack sends: commands, shortcuts, block_actions, views."""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from .blocks import STATE_FIELDS, element_state, find_element
from .state import Channel, ResponseUrl, View, Workspace

KEEP_ESCAPED = re.compile(r"<[@#!][^<>]*>|<(?:https?|mailto):[^<>]*>")


def escape_text(text: str) -> str:
    """Escape & < > like Slack does, keeping <@U..|x>, <#C..|x>, <!here> and <http..> tokens."""
    out: list[str] = []
    pos = 0
    for match in KEEP_ESCAPED.finditer(text):
        out.append(_escape(text[pos:match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def action_ts() -> str:
    """An action_ts like "1596530385.194939"."""
    return f"{time.time():.6f}"


def user_obj(ws: Workspace, user_id: str) -> dict[str, Any]:
    """The "user" object of interactive payloads."""
    user = ws.users.get(user_id)
    name = user.name if user else user_id
    return {"id": user_id, "username": name, "name": name, "team_id": ws.team_id}


def team_obj(ws: Workspace) -> dict[str, Any]:
    """The "team" object of interactive payloads."""
    return {"id": ws.team_id, "domain": ws.domain}


def channel_name(ch: Channel | None) -> str:
    """channel_name as slash commands report it."""
    if ch is None:
        return ""
    if ch.is_im:
        return "directmessage"
    if ch.is_mpim:
        return "mpdm"
    return "privategroup" if ch.is_private and not ch.name else ch.name


def new_response_url(ws: Workspace, kind: str, user: str, channel: str | None,
                     message_ts: str | None = None) -> str:
    """Register a loopback response_url and return it."""
    rid = f"{ws.team_id}-{ws.new_id('R')}"
    ws.response_urls[rid] = ResponseUrl(rid, kind, user, channel, message_ts, time.time())
    return f"{ws.base_url}/_responses/{rid}"


def interactive_base(ws: Workspace, kind: str, user_id: str) -> dict[str, Any]:
    """Fields common to every interactive payload."""
    return {"type": kind, "user": user_obj(ws, user_id), "api_app_id": ws.app_id, "token": "verification-token",
            "team": team_obj(ws), "enterprise": None, "is_enterprise_install": False}


def build_action(element: dict[str, Any] | None, action_id: str, block_id: str | None,
                 value: str | None, selected: dict[str, Any]) -> dict[str, Any]:
    """One actions[] entry, filled from the element definition where known."""
    el = element or {}
    kind = el.get("type") or ("static_select" if "selected_option" in selected else
                              "users_select" if "selected_user" in selected else "button")
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id or "", "type": kind}
    if kind == "button":
        if "text" in el:
            action["text"] = copy.deepcopy(el["text"])
        if value is not None or "value" in el:
            action["value"] = value if value is not None else el["value"]
        if "style" in el:
            action["style"] = el["style"]
    elif value is not None and not selected:
        option = _option_by_value(el, value)
        if kind in ("static_select", "external_select", "radio_buttons", "overflow") and option:
            action["selected_option"] = option
        elif kind == "users_select":
            action["selected_user"] = value
        elif kind == "conversations_select":
            action["selected_conversation"] = value
        elif kind == "channels_select":
            action["selected_channel"] = value
        else:
            action["value"] = value
    if "placeholder" in el and kind != "button":
        action["placeholder"] = copy.deepcopy(el["placeholder"])
    action.update(copy.deepcopy(selected))
    action["action_ts"] = action_ts()
    return action


def _option_by_value(element: dict[str, Any], value: str) -> dict[str, Any] | None:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if isinstance(option, dict) and option.get("value") == value:
            return copy.deepcopy(option)
    return None


def action_state(action: dict[str, Any]) -> dict[str, Any] | None:
    """The view state entry an action leaves behind (None for buttons and the like)."""
    spec = STATE_FIELDS.get(action.get("type", ""))
    if spec is None:
        return None
    key = spec[0]
    return {"type": action["type"], key: copy.deepcopy(action.get(key))}


def submission_values(view: View, values: dict[str, dict[str, dict[str, Any]]] | None) -> dict[str, Any]:
    """state.values for a view_submission: defaults, then view_action state, then `values`."""
    out: dict[str, dict[str, Any]] = {}
    for block in view.spec.get("blocks", []):
        if isinstance(block, dict) and block.get("type") == "input":
            element = block.get("element") or {}
            state = element_state(element)
            if state is not None:
                out.setdefault(block.get("block_id", ""), {})[element.get("action_id", "")] = state
    for source in (view.values, values or {}):
        for block_id, actions in source.items():
            for action_id, state in actions.items():
                _, element = find_element(view.spec.get("blocks", []), action_id, block_id)
                base = out.setdefault(block_id, {}).get(action_id) or {}
                merged = {**base, **copy.deepcopy(state)}
                merged.setdefault("type", (element or {}).get("type", "plain_text_input"))
                out[block_id][action_id] = merged
    return out
