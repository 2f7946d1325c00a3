"""What reminders need from chat, in incident words. Methods raise ChatStepFailed.

`mark` names one firing of one job (`update_reminder:12@1767225600`): a post carries it, so a job taken
over after its holder died (`retry`) looks for it before posting again."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from bot.incidents.snapshots import IncidentSnapshot


class ReminderChat(Protocol):
    """Nudges, escalations and SLA breaches in chat."""

    def nudge(self, incident: IncidentSnapshot, person: str | None, every: timedelta, mark: str, *,
              retry: bool) -> None:
        """Say in the incident channel that an update is due, naming `person` (None: nobody holds a role)."""

    def prompt_update(self, incident: IncidentSnapshot, person: str, every: timedelta) -> None:
        """Ask `person` privately (a DM with a Post update button) for an update."""

    def escalate(self, incident: IncidentSnapshot, targets: tuple[str, ...], after: timedelta, mark: str, *,
                 retry: bool) -> None:
        """No commander after `after`: tell the incident channel and each target (people, groups, a channel)."""

    def breach(self, incident: IncidentSnapshot, target: str, limit: timedelta, mark: str, *, retry: bool) -> None:
        """Say in the incident channel that an SLA target was missed."""

    def refresh_card(self, incident: IncidentSnapshot) -> None:
        """Show the incident as it now stands on its card."""
