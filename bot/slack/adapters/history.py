"""The timeline's ChannelHistory port on the Slack Web API: conversations.history and .replies, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient

from bot.slack.adapters import messages
from bot.slack.adapters.calls import call
from bot.slack.sanitize import clean
from bot.timeline.ports import HistoryUnavailable
from bot.timeline.values import Capture, ts_key

PAGE = 200  # Slack's recommended page size for history methods (Tier 3)


class SlackChannelHistory:
    """Reads a channel back: every top-level message, and the replies of threads active since the last
    captured message (a reply to an old message only shows in its parent's `latest_reply`, so the
    top-level history is read whole; incident channels are short)."""

    def __init__(self, client: WebClient, key_reaction: str) -> None:
        self.client = client
        self.key_reaction = key_reaction

    def read(self, channel_id: str, since: str | None) -> Iterator[Capture]:
        """Every person's message and key mark, thread replies included."""
        for message in self._pages("conversations_history", channel=channel_id):
            yield from messages.from_history(message, channel_id, self.key_reaction)
            if message.get("reply_count") and (since is None or ts_key(message.get("latest_reply")) > ts_key(since)):
                for reply in self._pages("conversations_replies", channel=channel_id, ts=message["ts"]):
                    if reply.get("ts") != message["ts"]:
                        yield from messages.from_history(reply, channel_id, self.key_reaction)

    def _pages(self, method: str, **args: Any) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            response = call(method, lambda c=cursor: getattr(self.client, method)(  # type: ignore[misc]
                limit=PAGE, cursor=c, **args), fail=_unavailable)
            yield from clean(response.get("messages") or [])  # as for live events: storable text
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return


def _unavailable(method: str, reason: str) -> HistoryUnavailable:
    return HistoryUnavailable(f"{method}: {reason}")
