"""Calls that must not be repeated blindly: a 5xx or a dropped connection may come after Slack did the work.

`chat.postMessage`, `conversations.create` and `files.completeUploadExternal` are not idempotent: a retry
after a lost answer posts a second card or meets `name_taken`. For those the client looks first:

- a post carries a key in its message metadata (`event_payload.post_key`); the channel's recent history
  (or the thread's replies) is searched for it;
- a channel is looked up by name: one the bot created since the call started is the one it asked for;
- an upload is read back with files.info: a file Slack knows is a completed upload.

What is found is answered as Slack would have; when nothing is found the call is tried again, and when
the look itself fails the step fails (the callers' own resume-by-looking paths take it from there).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

log = logging.getLogger(__name__)
LIST_PAGE = 200  # conversations.list page size: Slack requires under 1000 and recommends 200 at most
NOT_REPEATABLE = frozenset({"chat.postMessage", "conversations.create", "files.completeUploadExternal"})
POST_KEY = "post_key"
POST_EVENT = "incident_bot_post"  # the metadata event type of posts that carry no metadata of their own
LOOK_BACK = 50                    # recent messages searched for a post's key


def uncertain(exc: Exception) -> bool:
    """Whether Slack may have done the work although the call failed (5xx, dropped or timed-out connection)."""
    if isinstance(exc, SlackApiError):
        return exc.response is not None and exc.response.status_code >= 500
    return isinstance(exc, (OSError, SlackClientError))


def with_post_key(kwargs: dict[str, Any]) -> str:
    """Mark a chat.postMessage (its `json` or `params` body) with a fresh key in its metadata; returns it."""
    body: dict[str, Any] = kwargs["json"] if isinstance(kwargs.get("json"), dict) else kwargs.setdefault("params", {})
    key = uuid.uuid4().hex
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    if isinstance(metadata, dict):
        body["metadata"] = {**metadata, "event_payload": {**(metadata.get("event_payload") or {}), POST_KEY: key}}
    else:
        body["metadata"] = {"event_type": POST_EVENT, "event_payload": {POST_KEY: key}}
    return key


def _args(kwargs: dict[str, Any]) -> dict[str, Any]:
    for name in ("json", "data", "params"):
        if isinstance(kwargs.get(name), dict):
            return dict(kwargs[name])
    return {}


def _answer(client: WebClient, method: str, data: dict[str, Any]) -> SlackResponse:
    return SlackResponse(client=client, http_verb="POST", api_url=f"{client.base_url}{method}", req_args={},
                         data={"ok": True, **data}, headers={}, status_code=200)


def find_post(client: WebClient, args: dict[str, Any], key: str) -> SlackResponse | None:
    """The post carrying `key`, if Slack made it."""
    channel, thread_ts = str(args.get("channel") or ""), args.get("thread_ts")
    if channel.startswith(("U", "W")):  # a DM: reading it back would need im:write and im:history, which the
        return None                        # bot does not ask for; a rare second DM is the lesser harm
    if thread_ts:
        page = client.conversations_replies(channel=channel, ts=str(thread_ts), limit=200, include_all_metadata=True)
    else:
        page = client.conversations_history(channel=channel, limit=LOOK_BACK, include_all_metadata=True)
    for message in page.get("messages") or []:
        if ((message.get("metadata") or {}).get("event_payload") or {}).get(POST_KEY) == key:
            return _answer(client, "chat.postMessage", {"channel": channel, "ts": message["ts"], "message": message})
    return None


def find_created_channel(client: WebClient, args: dict[str, Any], since: float) -> SlackResponse | None:
    """The channel called `args["name"]` that the bot created since `since`, if Slack made it."""
    bot_user = client.auth_test().get("user_id")
    cursor: str | None = None
    while True:
        page = client.conversations_list(types="public_channel,private_channel", limit=LIST_PAGE,
                                         cursor=cursor)
        for channel in page.get("channels") or []:
            if (channel.get("name") == args.get("name") and channel.get("creator") == bot_user
                    and float(channel.get("created") or 0) >= int(since) - 1):
                return _answer(client, "conversations.create", {"channel": channel})
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None


def find_completed_upload(client: WebClient, args: dict[str, Any]) -> SlackResponse | None:
    """The uploads of a files.completeUploadExternal, if Slack completed them."""
    files = args.get("files")
    wanted = json.loads(files) if isinstance(files, str) else list(files or [])
    found = []
    for f in wanted:
        try:
            info = client.files_info(file=str(f.get("id")))["file"]
        except SlackApiError:
            return None
        found.append({"id": info["id"], "title": info.get("title")})
    return _answer(client, "files.completeUploadExternal", {"files": found}) if found else None


def call_looking_first(client: WebClient, method: str, kwargs: dict[str, Any], attempt: Callable[[], SlackResponse],
                       *, tries: int, backoff: float = 0.5) -> SlackResponse:
    """`attempt()` a non-idempotent call; after an uncertain failure, look for its effect before trying again."""
    key = with_post_key(kwargs) if method == "chat.postMessage" else ""
    args, since = _args(kwargs), time.time()
    for n in range(tries):
        try:
            return attempt()
        except (SlackApiError, SlackClientError, OSError) as exc:
            if not uncertain(exc) or n == tries - 1:
                raise
            try:
                found = (find_post(client, args, key) if method == "chat.postMessage"
                         else find_created_channel(client, args, since) if method == "conversations.create"
                         else find_completed_upload(client, args))
            except (SlackApiError, SlackClientError, OSError) as look:
                log.warning("%s failed (%s) and could not be checked (%s): not repeated", method, exc, look)
                raise exc from look
            if found is not None:
                log.info("%s failed (%s) but Slack had done it: not repeated", method, exc.__class__.__name__)
                return found
            time.sleep(backoff * 2 ** n)
    raise AssertionError("unreachable")
