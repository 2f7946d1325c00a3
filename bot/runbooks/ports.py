"""What the runbook domain needs from a chat platform, in incident words."""

from __future__ import annotations

from typing import Protocol

from bot.runbooks.snapshots import ChecklistSnapshot


class ChecklistChat(Protocol):
    """Checklists in the incident channel. Methods raise ChatStepFailed when the platform refuses."""

    def post_checklist(self, channel_id: str, checklist: ChecklistSnapshot) -> str:
        """Post the checklist as an interactive message; returns the message ts."""

    def update_checklist(self, channel_id: str, message_ts: str, checklist: ChecklistSnapshot) -> None:
        """Show the checklist's current state in its message, in place."""
