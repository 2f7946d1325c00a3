"""What the incident domain needs from a chat platform, in incident words."""

from __future__ import annotations

from typing import Protocol

from bot.incidents.news import News, RoleChange
from bot.incidents.snapshots import IncidentSnapshot


class IncidentChat(Protocol):
    """The incident's presence in chat. Methods raise ChatStepFailed (or ChannelNameTaken)."""

    def open_channel(self, name: str, *, private: bool) -> str:
        """Create the incident channel; returns its id. Raises ChannelNameTaken on a clash."""

    def set_topic(self, incident: IncidentSnapshot) -> None:
        """Show severity, status and title in the channel's topic."""

    def set_purpose(self, incident: IncidentSnapshot) -> None:
        """Say what the channel is for."""

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        """Bring people into the incident channel (already-present people are fine)."""

    def post_card(self, incident: IncidentSnapshot) -> str:
        """Post the incident card in its channel; returns the message ts."""

    def pin(self, channel_id: str, ts: str) -> None:
        """Pin a message (the incident card) in its channel."""

    def announce(self, incident: IncidentSnapshot) -> tuple[str, str] | None:
        """Tell the announcement channel; returns (channel id, ts), or None when there is none."""

    # Looking before acting when a set-up cut short is resumed (never on a first run).

    def find_channel(self, name: str) -> str | None:
        """The id of the channel called `name` if the bot made it, else None."""

    def find_card(self, channel_id: str, number: int) -> str | None:
        """The ts of incident `number`'s card among the channel's recent messages, if it is there."""

    def find_announcement(self, number: int) -> tuple[str, str] | None:
        """(channel id, ts) of incident `number`'s announcement, if the announcement channel has it."""

    # Catching up with changes made while the card or the announcement was on its way.

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """Show the incident as it now stands on its card in the channel (edited in place)."""

    def refresh_announcement(self, incident: IncidentSnapshot) -> None:
        """Show the incident as it now stands on its announcement card (edited in place)."""

    def thread_under_announcement(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """Tell the announcement channel, as a reply under the incident's announcement card."""

    def say_setup_problem(self, incident: IncidentSnapshot, problem: str) -> None:
        """Say in the incident channel what the bot could not set up."""

    def tell_declarer(self, incident: IncidentSnapshot, text: str) -> None:
        """Tell the person who declared (a direct message): used when nobody is waiting for an answer."""


class IncidentNews(Protocol):
    """Keeping everyone current after a change. Methods raise ChatStepFailed."""

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """Show the incident as it now stands on its card in the channel (edited in place)."""

    def refresh_topic(self, incident: IncidentSnapshot) -> None:
        """Show the current severity and status in the channel's topic."""

    def refresh_announcement(self, incident: IncidentSnapshot) -> None:
        """Show the incident as it now stands on its announcement card (edited in place)."""

    def post_in_channel(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """Tell everyone in the incident channel what changed."""

    def thread_under_announcement(self, incident: IncidentSnapshot, news: list[News]) -> None:
        """Tell the announcement channel, as a reply under the incident's announcement card."""

    def tell_person(self, incident: IncidentSnapshot, user_id: str, news: RoleChange) -> None:
        """Tell one person privately (a direct message), e.g. the duties of the role they took."""

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        """Bring people into the incident channel (already-present people are fine)."""

    def group_members(self, group_id: str) -> set[str]:
        """The people in a user group (for admins configured as a group)."""


class RunbookShelf(Protocol):
    """The runbooks that apply to an incident, put on screen (implemented by `bot.runbooks.posting`)."""

    def post_matching(self, incident_id: int, reason: str) -> list[tuple[str, str]]:
        """Post every runbook that now applies and is not in the channel yet (`reason`, e.g. "on declare",
        is shown on the checklist); returns (runbook name, why) for each one that could not be posted."""
