"""What listeners need, wired once in `create_app` and handed to each `register`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig, Settings
from bot.slack.adapters import SlackIncidentChat


@dataclass(frozen=True)
class Deps:
    """Settings, the session factory, the clock, and the Slack-side adapter factory."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]

    @property
    def config(self) -> IncidentConfig:
        """The incident configuration."""
        return self.settings.incident

    def chat(self, client: WebClient) -> SlackIncidentChat:
        """The incident-chat adapter on the request's client."""
        return SlackIncidentChat(client, self.settings.incident, self.settings.announce_channel)

    def begin(self) -> Any:
        """A transaction for the edge to own: `with deps.begin() as session:`."""
        return self.sessions.begin()
