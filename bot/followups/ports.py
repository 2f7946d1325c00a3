"""What follow-up nudges and the digest need from chat, in incident words. Methods raise ChatStepFailed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class FollowupView:
    """One follow-up as chat shows it, detached from the session. `n` is its place in `/incident followups`."""

    id: int
    n: int
    text: str
    owner_id: str | None
    due_on: date | None
    incident_label: str
    incident_title: str
    channel_id: str | None
    is_private: bool

    def overdue(self, today: date) -> bool:
        """Whether its due date has passed."""
        return self.due_on is not None and self.due_on < today


class FollowupChat(Protocol):
    """Nudging owners and posting the digest."""

    def remind_owner(self, item: FollowupView) -> None:
        """Tell the owner privately (a DM with Done and Won't do buttons) that the follow-up is due."""

    def post_digest(self, channel: str, items: list[FollowupView], today: date, hidden: int, mark: str, *,
                    retry: bool) -> None:
        """Post the digest of open follow-ups (`hidden` of private incidents are only counted); `mark`
        names this firing, so a retry after a crash looks for it before posting again."""
