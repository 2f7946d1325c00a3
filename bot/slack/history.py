"""The timeline's ChannelHistory port on the Slack Web API: conversations.history and .replies, paginated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack import capture
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
            yield from capture.from_history(message, channel_id, self.key_reaction)
            if message.get("reply_count") and (since is None or ts_key(message.get("latest_reply")) > ts_key(since)):
                for reply in self._pages("conversations_replies", channel=channel_id, ts=message["ts"]):
                    if reply.get("ts") != message["ts"]:
                        yield from capture.from_history(reply, channel_id, self.key_reaction)

    def _pages(self, method: str, **args: Any) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            try:
                response = getattr(self.client, method)(limit=PAGE, cursor=cursor, **args)
            except SlackApiError as exc:
                raise HistoryUnavailable(f"{method}: {exc.response.get('error')}") from exc
            except (SlackClientError, OSError) as exc:
                raise HistoryUnavailable(f"{method}: Slack could not be reached ({exc.__class__.__name__})") from exc
            yield from clean(response.get("messages") or [])  # as for live events: storable text
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return
