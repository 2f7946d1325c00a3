"""People by handle: `@bob` typed in a form's plain text becomes `<@U…>`, looked up with users.list."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient

from bot import markup
from bot.errors import ChatStepFailed
from bot.markup import HANDLE, link_handles
from bot.slack.adapters.calls import call

log = logging.getLogger(__name__)
CACHE_SECONDS = 300.0  # users.list is Tier 2 (20 a minute): read the directory at most every 5 minutes
PAGE = 200

_lock = threading.Lock()
_directories: dict[str, tuple[float, dict[str, str]]] = {}  # bot token → (read at, handle → user id)


def with_mentions(client: WebClient, text: str) -> str:
    """`text` with each `@handle` of a known person (username or display name) as `<@U…>`; the rest as typed."""
    if not HANDLE.search(text):
        return text
    try:
        handles = _directory(client)
    except ChatStepFailed as exc:
        log.info("@handles left as typed: %s", exc.reason)
        return text
    return link_handles(text, lambda handle: handles.get(handle.lower()))


def readable(client: WebClient, text: str) -> str:
    """A message's Slack text for a plain-text field: entities undone, `<@U…>` as `@name` when the directory is
    already at hand (never a Slack call: this runs before a trigger_id expires), else as `@U…`; `with_mentions`
    turns either back into a mention."""
    names = _cached_names(client)
    return markup.readable(text, lambda user_id: names.get(user_id))


def prefetch(client: WebClient) -> None:
    """Read the directory now (after a modal opened), so the next `readable` can show names."""
    try:
        _directory(client)
    except ChatStepFailed as exc:
        log.info("people not read ahead: %s", exc.reason)


def _cached_names(client: WebClient) -> dict[str, str]:
    """user id → the handle to show (the username: read first), from the directory if it was read already."""
    with _lock:
        cached = _directories.get(client.token or "")
    names: dict[str, str] = {}
    for handle, user_id in (cached[1] if cached else {}).items():
        if handle != user_id.lower():
            names.setdefault(user_id, handle)
    return names


def _directory(client: WebClient) -> dict[str, str]:
    key = client.token or ""
    with _lock:
        cached = _directories.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    handles: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = call("look up people", lambda c=cursor: client.users_list(limit=PAGE, cursor=c))  # type: ignore[misc]
        for user in page.get("members") or []:
            if user.get("deleted"):
                continue
            for name in (user.get("name"), (user.get("profile") or {}).get("display_name")):
                if name:
                    handles.setdefault(str(name).lower(), str(user["id"]))
            handles.setdefault(str(user["id"]).lower(), str(user["id"]))  # `@U…`, as `readable` may show it
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    with _lock:
        _directories[key] = (time.monotonic(), handles)
    return handles
