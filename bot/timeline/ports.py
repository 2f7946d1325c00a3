"""What the timeline needs from outside, in timeline words: the chat platform's history, and which channels
are incidents' (the incident domain answers; the timeline sits below it and never imports it)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.timeline.values import Capture


class ChannelHistory(Protocol):
    """A channel's messages as they stand now, read back from the chat platform (for catch-up)."""

    def read(self, channel_id: str, since: str | None, threads: Collection[str] = ()) -> Iterable[Capture]:
        """Every person's message in the channel posted after `since` (all when None), the replies of
        threads active after it (those read whose newest reply is later, and the older threads named
        by their parent's ts in `threads`), and a key mark for each one carrying the key reaction.
        Raises HistoryUnavailable when the channel cannot be read."""


class HistoryUnavailable(Exception):
    """The channel's history could not be read (the bot is not in it, Slack is unreachable, …)."""


class IncidentChannels(Protocol):
    """Which channels belong to incidents (implemented by `bot.incidents.queries.IncidentChannels`)."""

    def incident_ids(self, session: Session, channel_ids: set[str]) -> dict[str, int]:
        """The incident id of each of these channels that is an incident's."""

    def open_channels(self, session: Session) -> list[str]:
        """Channels of incidents not closed or declined: what catch-up on start-up reads."""


class Heading(Protocol):
    """What an export says of the incident itself (an incident snapshot has all of it; read-only)."""

    @property
    def id(self) -> int: ...

    @property
    def number(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def priority(self) -> str | None: ...

    @property
    def status(self) -> str: ...

    @property
    def is_drill(self) -> bool: ...

    @property
    def is_private(self) -> bool: ...

    @property
    def channel_id(self) -> str | None: ...

    @property
    def channel_name(self) -> str | None: ...

    @property
    def declared_at(self) -> datetime: ...

    @property
    def label(self) -> str: ...
