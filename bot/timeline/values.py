"""What the timeline captures, as plain values: the transport parses chat payloads into these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class FileRef:
    """A file shared with a message: enough to find it again, never its content."""

    name: str
    type: str
    permalink: str | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON stored in `timeline_messages.files`."""
        return {"name": self.name, "type": self.type, "permalink": self.permalink}


@dataclass(frozen=True)
class Posted:
    """A person's message as it stands: new, or seen again (a retry, catch-up, the shortcut).

    `edit_ts` is set when the message was already edited when we saw it.
    """

    channel_id: str
    ts: str
    user_id: str | None
    text: str
    thread_ts: str | None = None
    files: tuple[FileRef, ...] = ()
    links: tuple[str, ...] = ()
    edit_ts: str | None = None


@dataclass(frozen=True)
class Edited:
    """A message was edited: its newest content, and the text before this edit when the chat says it."""

    message: Posted
    previous_text: str | None = None

    @property
    def channel_id(self) -> str:
        """Where the message is."""
        return self.message.channel_id


@dataclass(frozen=True)
class Deleted:
    """A message was deleted: its text must go, a tombstone stays (who wrote it, who deleted it, when)."""

    channel_id: str
    ts: str
    user_id: str | None
    deleted_by: str | None
    deleted_ts: str | None


@dataclass(frozen=True)
class KeyMark:
    """Someone marked (or unmarked) a message as a key event."""

    channel_id: str
    ts: str
    user_id: str
    marked: bool
    at_ts: str | None = None


Capture = Posted | Edited | Deleted | KeyMark


def ts_key(ts: str | None) -> Decimal:
    """A Slack ts (`"1700000000.000100"`) as an exact number, for ordering; unparseable ones sort first."""
    try:
        return Decimal(ts) if ts else Decimal(-1)
    except InvalidOperation:
        return Decimal(-1)


def ts_time(ts: str | None) -> datetime | None:
    """The moment a Slack ts names, in UTC, to the microsecond."""
    if not ts:
        return None
    whole, _, fraction = ts.partition(".")
    try:
        seconds = int(whole)
        micros = int((fraction + "000000")[:6]) if fraction else 0
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
