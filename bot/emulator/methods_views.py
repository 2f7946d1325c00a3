"""views.* methods plus the modal stack operations the driver applies on acks."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from .args import ApiError, Args, Handler, invalid_arguments
from .blocks import check_view, fill_ids, initial_values
from .state import View, Workspace

STACK_LIMIT = 3


def new_hash() -> str:
    """A fresh view hash like "1596530361.3wRYuk3R"."""
    return f"{int(time.time())}.{secrets.token_urlsafe(6)}"


def view_object(ws: Workspace, view: View) -> dict[str, Any]:
    """The view object as views.* returns it and as payloads carry it."""
    spec = view.spec
    values = copy.deepcopy(initial_values(spec.get("blocks", [])))
    for block_id, actions in view.values.items():
        values.setdefault(block_id, {}).update(copy.deepcopy(actions))
    out: dict[str, Any] = {"id": view.id, "team_id": ws.team_id, "type": spec.get("type", "modal")}
    for key in ("title", "submit", "close"):
        if key in spec:
            out[key] = copy.deepcopy(spec[key])
    out.update({
        "blocks": copy.deepcopy(spec.get("blocks", [])),
        "private_metadata": spec.get("private_metadata", ""),
        "callback_id": spec.get("callback_id", ""), "external_id": spec.get("external_id", ""),
        "state": {"values": values}, "hash": view.hash,
        "clear_on_close": bool(spec.get("clear_on_close", False)),
        "notify_on_close": bool(spec.get("notify_on_close", False)),
        "root_view_id": view.root_view_id, "previous_view_id": view.previous_view_id,
        "app_id": ws.app_id, "app_installed_team_id": ws.team_id, "bot_id": ws.bot_id,
    })
    return out


def _check_external_id(ws: Workspace, spec: dict[str, Any], current: str | None = None) -> None:
    ext = spec.get("external_id")
    if ext and any(v.spec.get("external_id") == ext and v.id != current for v in ws.views.values()):
        raise ApiError("duplicate_external_id")


def create_view(ws: Workspace, user: str, spec: dict[str, Any], previous: str | None = None,
                root: str | None = None) -> View:
    """Store a new view (block ids filled in like Slack does)."""
    spec = copy.deepcopy(spec)
    fill_ids(spec.setdefault("blocks", []))
    vid = ws.new_id("V")
    view = View(vid, user, spec, new_hash(), root or vid, previous)
    ws.views[vid] = view
    return view


def replace_view(ws: Workspace, view: View, spec: dict[str, Any]) -> View:
    """Replace a view's content in place: same id, fresh hash, state kept for surviving inputs."""
    spec = copy.deepcopy(spec)
    fill_ids(spec.setdefault("blocks", []))
    view.spec = spec
    view.hash = new_hash()
    kept = initial_values(spec["blocks"])
    view.values = {b: {k: v for k, v in acts.items() if k in kept.get(b, {})}
                   for b, acts in view.values.items() if b in kept}
    return view


def push_view(ws: Workspace, user: str, spec: dict[str, Any]) -> View:
    """Push a view on the user's modal stack (push_limit_reached beyond 3)."""
    stack = ws.stacks.get(user) or []
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= STACK_LIMIT:
        raise ApiError("push_limit_reached")
    view = create_view(ws, user, spec, previous=stack[-1], root=stack[0])
    stack.append(view.id)
    return view


def close_view(ws: Workspace, view_id: str, clear: bool = False) -> None:
    """Pop a view (and everything above it), or the whole stack when clear is set."""
    view = ws.views.get(view_id)
    if view is None:
        return
    stack = ws.stacks.get(view.user, [])
    cut = 0 if clear or view_id not in stack else stack.index(view_id)
    for vid in stack[cut:]:
        ws.views.pop(vid, None)
    del stack[cut:]
    if not stack:
        ws.stacks.pop(view.user, None)


def _trigger(a: Args) -> str:
    trigger_id = a.str("trigger_id") or a.str("interactivity_pointer")
    if not trigger_id:
        raise invalid_arguments("[ERROR] missing required field: trigger_id")
    return trigger_id


def views_open(ws: Workspace, a: Args) -> dict[str, Any]:
    """views.open: trigger_id single use within the ttl; opens a new modal stack."""
    trigger_id = _trigger(a)
    spec = check_view(a.json("view"), "modal")
    trig = ws.consume_trigger(trigger_id)
    _check_external_id(ws, spec)
    for vid in ws.stacks.pop(trig.user, []):
        ws.views.pop(vid, None)
    view = create_view(ws, trig.user, spec)
    ws.stacks[trig.user] = [view.id]
    trig.used = True
    return {"ok": True, "view": view_object(ws, view)}


def views_push(ws: Workspace, a: Args) -> dict[str, Any]:
    """views.push onto the modal stack of the trigger's user."""
    trigger_id = _trigger(a)
    spec = check_view(a.json("view"), "modal")
    trig = ws.consume_trigger(trigger_id)
    _check_external_id(ws, spec)
    view = push_view(ws, trig.user, spec)
    trig.used = True
    return {"ok": True, "view": view_object(ws, view)}


def _find_view(ws: Workspace, a: Args) -> View:
    if a.has("view_id"):
        view = ws.views.get(a.str("view_id"))
    elif a.has("external_id"):
        view = next((v for v in ws.views.values() if v.spec.get("external_id") == a.str("external_id")), None)
    else:
        raise invalid_arguments("[ERROR] missing required field: view_id")
    if view is None:
        raise ApiError("not_found")
    return view


def views_update(ws: Workspace, a: Args) -> dict[str, Any]:
    """views.update by view_id or external_id; a stale hash gives hash_conflict."""
    spec = check_view(a.json("view"))
    view = _find_view(ws, a)
    if a.has("hash") and a.str("hash") != view.hash:
        raise ApiError("hash_conflict")
    _check_external_id(ws, spec, view.id)
    replace_view(ws, view, spec)
    return {"ok": True, "view": view_object(ws, view)}


def views_publish(ws: Workspace, a: Args) -> dict[str, Any]:
    """views.publish: the user's Home tab."""
    spec = check_view(a.json("view"), "home")
    user = a.str("user_id")
    if user not in ws.users:
        raise ApiError("user_not_found")
    current = ws.views.get(ws.home.get(user, ""))
    if current is not None:
        if a.has("hash") and a.str("hash") != current.hash:
            raise ApiError("hash_conflict")
        replace_view(ws, current, spec)
        return {"ok": True, "view": view_object(ws, current)}
    _check_external_id(ws, spec)
    view = create_view(ws, user, spec)
    ws.home[user] = view.id
    return {"ok": True, "view": view_object(ws, view)}


METHODS: dict[str, Handler] = {
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
