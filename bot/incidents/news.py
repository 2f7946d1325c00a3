"""What changed in an incident, as the chat side needs to tell it: one small record per kind of change.

The domain decides *what* is said and *where* (channel, announcement thread, a person's DMs); the chat
adapter decides how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RoleChange:
    """`user_id` took `role` (None: the role was left empty); `previous` held it before, if anyone."""

    role: str
    user_id: str | None
    previous: str | None
    by: str
    duties: str

    announced = False
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class LevelChange:
    """Severity or priority moved from `old` to `new`; `crossed_major` when it entered or left a major level."""

    field: str  # "severity" | "priority"
    old: str | None
    new: str
    by: str
    reason: str | None = None
    crossed_major: bool = False
    now_major: bool = False

    in_channel = True

    @property
    def announced(self) -> bool:
        """A change into or out of a major severity is told under the announcement too."""
        return self.crossed_major

    @property
    def in_topic(self) -> bool:
        """The topic shows severity, not priority."""
        return self.field == "severity"


@dataclass(frozen=True)
class StatusChange:
    """The status moved from `old` to `new`; `reopened` when it went back from resolved."""

    old: str
    new: str
    by: str
    reopened: bool = False
    milestone: bool = False  # resolved, closed, declined or reopened: told under the announcement too

    in_topic = True
    in_channel = True

    @property
    def announced(self) -> bool:
        """Resolves, closes and reopens reach the announcement thread."""
        return self.milestone or self.reopened


@dataclass(frozen=True)
class StatusUpdate:
    """A status update written by a responder."""

    text: str
    by: str
    at: datetime
    severity: str
    status: str
    public: bool = False  # also published on the status page

    announced = True
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class Resolution:
    """How the incident was resolved (the resolve form): told in the channel and under the announcement."""

    summary: str
    by: str
    impact: str | None = None
    root_cause: str | None = None

    announced = True
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class FollowupAdded:
    """An action item was recorded."""

    text: str
    by: str
    owner: str | None = None
    due_on: str | None = None  # ISO date
    action_type: str | None = None  # mitigate, prevent, process
    priority: str | None = None     # P1 … P4

    announced = False
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class FollowupClosed:
    """A follow-up was done or dropped (`outcome` "done" | "wont_do"); `n` is its place in the list."""

    text: str
    by: str
    outcome: str
    n: int

    announced = False
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class PostmortemPublished:
    """The postmortem was posted as a file."""

    permalink: str | None
    by: str

    announced = True
    in_topic = False
    in_channel = True


@dataclass(frozen=True)
class Reclassified:
    """The category or the affected service changed (`field` is "category" or "service"; None is none)."""

    field: str
    old: str | None
    new: str | None
    by: str

    announced = False
    in_topic = False
    in_channel = False  # the command's own answer says it in the channel

    @property
    def label(self) -> str:
        """How people call the field."""
        return "affected service" if self.field == "service" else self.field


@dataclass(frozen=True)
class RemindersSnoozed:
    """Update reminders paused until `until` (the command's own answer says it in the channel)."""

    until: datetime
    by: str

    announced = False
    in_topic = False
    in_channel = False


News = (Reclassified | RoleChange | LevelChange | StatusChange | StatusUpdate | Resolution | FollowupAdded
        | FollowupClosed | PostmortemPublished | RemindersSnoozed)
