"""People by handle: `@bob` typed in a form's plain text becomes `<@U…>`, looked up with users.list."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient

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
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    with _lock:
        _directories[key] = (time.monotonic(), handles)
    return handles
