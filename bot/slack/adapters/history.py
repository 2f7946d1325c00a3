"""The timeline's ChannelHistory port on the Slack Web API: conversations.history and .replies, paginated."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from slack_sdk import WebClient

from bot.slack.adapters import messages
from bot.slack.adapters.calls import call
from bot.slack.sanitize import clean
from bot.timeline.ports import HistoryUnavailable
from bot.timeline.values import Capture, ts_key

PAGE = 200  # Slack's recommended page size for history methods (Tier 3)


class SlackChannelHistory:
    """Reads a channel back from `since` on (`oldest`, so a long channel costs a page, not its whole
    history), with the replies of the threads active since then: those read whose `latest_reply` is
    newer, and the older threads the caller names (a reply to an old message shows only in its parent)."""

    def __init__(self, client: WebClient, key_reaction: str) -> None:
        self.client = client
        self.key_reaction = key_reaction

    def read(self, channel_id: str, since: str | None, threads: Collection[str] = ()) -> Iterator[Capture]:
        """Every person's message and key mark after `since` (all when None), thread replies included."""
        window = {"oldest": since} if since else {}
        for message in self._pages("conversations_history", channel=channel_id, **window):
            yield from messages.from_history(message, channel_id, self.key_reaction)
            if message.get("reply_count") and (since is None or ts_key(message.get("latest_reply")) > ts_key(since)):
                yield from self._replies(channel_id, str(message["ts"]))
        for parent in threads:
            yield from self._replies(channel_id, parent, since)

    def _replies(self, channel_id: str, parent: str, since: str | None = None) -> Iterator[Capture]:
        window = {"oldest": since} if since else {}
        for reply in self._pages("conversations_replies", channel=channel_id, ts=parent, **window):
            if reply.get("ts") != parent:
                yield from messages.from_history(reply, channel_id, self.key_reaction)

    def _pages(self, method: str, **args: Any) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            response = call(method, lambda c=cursor: getattr(self.client, method)(  # type: ignore[misc]
                limit=PAGE, cursor=c, **args), fail=_unavailable, ignore=("thread_not_found",))
            if response is None:  # the thread's parent and replies are all gone
                return
            yield from clean(response.get("messages") or [])  # as for live events: storable text
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return


def _unavailable(method: str, reason: str) -> HistoryUnavailable:
    return HistoryUnavailable(f"{method}: {reason}")
