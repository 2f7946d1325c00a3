"""What the postmortem needs from the chat platform."""

from __future__ import annotations

from typing import Protocol

from bot.incidents.snapshots import IncidentSnapshot


class PostmortemDesk(Protocol):
    """Names for people, the file upload (shared a moment later), archiving. Methods raise ChatStepFailed."""

    def names(self, user_ids: set[str]) -> dict[str, str]:
        """Display names of these people (unknown ones may be missing)."""

    def upload(self, incident: IncidentSnapshot, filename: str, markdown: str) -> tuple[str, str | None]:
        """Post the postmortem as a file in the incident channel; returns (file id, permalink)."""

    def wait_shared(self, channel_id: str, file_id: str) -> bool:
        """Wait (bounded) until the uploaded file is shown in the channel; False if it is not yet."""

    def archive(self, channel_id: str) -> None:
        """Archive the incident channel."""
