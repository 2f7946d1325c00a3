"""What the timeline needs from the chat platform, in timeline words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from bot.timeline.values import Capture


class ChannelHistory(Protocol):
    """A channel's messages as they stand now, read back from the chat platform (for catch-up)."""

    def read(self, channel_id: str, since: str | None) -> Iterable[Capture]:
        """Every person's message in the channel, thread replies of threads active after `since` (all
        threads when None), and a key mark for each one carrying the key reaction. Raises
        HistoryUnavailable when the channel cannot be read."""


class HistoryUnavailable(Exception):
    """The channel's history could not be read (the bot is not in it, Slack is unreachable, …)."""
