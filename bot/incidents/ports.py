"""What the incident domain needs from a chat platform, in incident words."""

from __future__ import annotations

from typing import Protocol

from bot.incidents.views import IncidentView


class IncidentChat(Protocol):
    """The incident's presence in chat. Methods raise ChatStepFailed (or ChannelNameTaken)."""

    def open_channel(self, name: str, *, private: bool) -> str:
        """Create the incident channel; returns its id. Raises ChannelNameTaken on a clash."""

    def set_topic(self, incident: IncidentView) -> None:
        """Show severity, status and title in the channel's topic."""

    def set_purpose(self, incident: IncidentView) -> None:
        """Say what the channel is for."""

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        """Bring people into the incident channel (already-present people are fine)."""

    def post_card(self, incident: IncidentView) -> str:
        """Post the incident card in its channel; returns the message ts."""

    def announce(self, incident: IncidentView) -> tuple[str, str] | None:
        """Tell the announcement channel; returns (channel id, ts), or None when there is none."""
