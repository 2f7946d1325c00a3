"""What alert triage needs from the outside, in its own words."""

from __future__ import annotations

from typing import Protocol

from bot.alerts.queries import TriageView


class TriageChat(Protocol):
    """Where triage messages live (the triage channel)."""

    def post(self, view: TriageView) -> tuple[str, str]:
        """Post the group's triage message; returns (channel id, message ts)."""

    def find(self, view: TriageView) -> tuple[str, str] | None:
        """The group's triage message if one was posted, (channel id, ts): looked for when its teller died."""

    def update(self, view: TriageView) -> None:
        """Edit the group's triage message in place to show `view`."""

    def notice(self, view: TriageView, text: str) -> None:
        """Say something under the group's triage message (a thread reply)."""

    def reporter(self) -> str:
        """Who declares an incident that an auto_declare rule opened (the bot's own user)."""
