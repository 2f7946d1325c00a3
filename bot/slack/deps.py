"""What listeners need, wired once in `create_app` and handed to each `register`."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.triage import TriageDesk
from bot.config import IncidentConfig, Settings
from bot.postmortem.render import Templates
from bot.runbooks.posting import Shelf
from bot.slack.adapters.chat import SlackIncidentChat
from bot.slack.adapters.checklists import SlackChecklists
from bot.slack.adapters.home import HomeRefreshingChat, HomeTabs
from bot.slack.errors import run_guarded
from bot.slack.replies import Reply
from bot.timeline.pipeline import TimelinePipeline


@dataclass(frozen=True)
class Deps:
    """Settings, the session factory, the clock, and the Slack-side adapter factory."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    jobs: Executor
    timeline: TimelinePipeline  # stores captured messages after the ack, catches up channels
    templates: Templates       # the postmortem templates (validated at start-up)
    triage: TriageDesk | None = None  # alert triage messages (bot/alerts/triage.py)

    def after_ack(self, reply: Reply, work: Callable[[], object], *, slow: bool = False) -> None:
        """The one way to do work after the ack: under the error handler, answering through `reply`.

        Slow work (declarations, close) runs on the jobs pool, so Bolt's listener threads stay free for
        acks: a storm of declarations waiting on Slack's rate limits queues there instead of starving
        commands, and the pool is drained on shutdown. Other work runs in the listener's own thread.
        """
        if slow:
            self.jobs.submit(run_guarded, reply, work)
        else:
            run_guarded(reply, work)

    @property
    def config(self) -> IncidentConfig:
        """The incident configuration."""
        return self.settings.incident

    def chat(self, client: WebClient) -> SlackIncidentChat:
        """The incident-chat adapter on the request's client (refreshing the Home tabs a change concerns)."""
        return HomeRefreshingChat(client, self.settings.incident, self.settings.announce_channel,
                                  HomeTabs(client, self.sessions, self.settings.incident))

    def runbooks(self, client: WebClient) -> Shelf:
        """The incident domain's runbook shelf, posting checklists on the request's client."""
        return Shelf(self.sessions, self.settings.incident, SlackChecklists(client), self.clock)

    def begin(self) -> Any:
        """A transaction for the edge to own: `with deps.begin() as session:`."""
        return self.sessions.begin()
