"""Composition root: one Bolt App with every listener registered, nothing created at import time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from threading import Lock
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.triage import TriageDesk
from bot.config import Settings
from bot.db import utcnow
from bot.followups.digest import DIGEST, Digests, ensure_planned
from bot.followups.nudging import NUDGE, Nudges
from bot.incidents import holders, opening
from bot.incidents.queries import IncidentChannels
from bot.incidents.resuming import SetupResumer
from bot.postmortem.render import Templates
from bot.reminders.firing import Firing
from bot.runbooks.posting import Shelf
from bot.scheduling.runner import Scheduler
from bot.slack import client as guarded_client
from bot.slack import errors, listeners, sanitize
from bot.slack.adapters.chat import SlackIncidentChat
from bot.slack.adapters.checklists import SlackChecklists
from bot.slack.adapters.followups import SlackFollowups
from bot.slack.adapters.history import SlackChannelHistory
from bot.slack.adapters.reminders import SlackReminders
from bot.slack.adapters.triage import SlackTriageChat
from bot.slack.deps import Deps
from bot.timeline.pipeline import TimelinePipeline

LISTENER_THREADS = 32
JOB_THREADS = 16


def make_slack_client(settings: Settings) -> guarded_client.BotWebClient:
    """The client on SLACK_API_URL: 429 Retry-After honoured, 5xx and dropped connections retried with
    backoff, posts paced per channel, a refused token stops Slack work (bot/slack/client.py)."""
    return guarded_client.BotWebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_url)


class Jobs(ThreadPoolExecutor):
    """The pool for slow work after the ack, which can be drained at shutdown with a time limit."""

    def __init__(self) -> None:
        super().__init__(max_workers=JOB_THREADS, thread_name_prefix="job")
        self._pending: set[Future[Any]] = set()
        self._pending_lock = Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue `fn`, remembered until it finishes so `drain` can wait for it."""
        future = super().submit(fn, *args, **kwargs)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def drain(self, timeout: float) -> bool:
        """Accept no more work; wait up to `timeout` s for the work queued or running. True if all finished."""
        self.shutdown(wait=False)
        with self._pending_lock:
            pending = set(self._pending)
        return not wait(pending, timeout=timeout).not_done


def make_resumer(settings: Settings, sessions: sessionmaker[Session], slack_client: WebClient,
                 clock: Callable[[], datetime] = utcnow) -> SetupResumer:
    """The resumer of declarations cut short by a crash or a restart (bot/incidents/resuming.py)."""
    return SetupResumer(
        sessions, settings.incident,
        chat=lambda: SlackIncidentChat(slack_client, settings.incident, settings.announce_channel),
        runbooks=lambda: Shelf(sessions, settings.incident, SlackChecklists(slack_client), clock),
        now=clock, lease=settings.setup_lease)


def make_scheduler(settings: Settings, sessions: sessionmaker[Session], slack_client: WebClient,
                   clock: Callable[[], datetime] = utcnow) -> Scheduler:
    """Due work (reminders, escalation, SLA checks, follow-up nudges and digest) claimed from the database and
    done (bot/scheduling)."""
    config = settings.incident
    firing = Firing(sessions, config, now=clock,
                    chat=lambda: SlackReminders(slack_client, config, settings.announce_channel))
    followups = {NUDGE: Nudges(sessions, config, lambda: SlackFollowups(slack_client), clock).nudge,
                 DIGEST: Digests(sessions, config, lambda: SlackFollowups(slack_client), clock).post}
    return Scheduler(sessions, {**firing.handlers(), **followups}, clock, f"{holders.me()}#{uuid.uuid4().hex[:8]}",
                     gone=lambda holder: holders.is_gone(holder.split("#")[0]),
                     seeds=[lambda s, now: ensure_planned(s, config, now)])


def make_timeline(settings: Settings, sessions: sessionmaker[Session], slack_client: WebClient,
                  clock: Callable[[], datetime] = utcnow) -> TimelinePipeline:
    """Timeline capture: its writer threads and catch-up, reading history through the Slack client."""
    return TimelinePipeline(sessions, clock,
                           history=lambda: SlackChannelHistory(slack_client, settings.incident.key_reaction),
                           channels=IncidentChannels())


def make_triage(settings: Settings, sessions: sessionmaker[Session], slack_client: WebClient,
                clock: Callable[[], datetime] = utcnow) -> TriageDesk:
    """The alert triage desk: triage messages in the triage channel, auto-declarations through the declare
    workflow (bot/alerts/triage.py)."""
    channel = settings.alerts_channel
    return TriageDesk(
        sessions, settings.incident.alerts, now=clock,
        chat=lambda: SlackTriageChat(slack_client, channel) if channel else None,
        declare=lambda declaration: opening.declare_incident(
            sessions, settings.incident, SlackIncidentChat(slack_client, settings.incident, settings.announce_channel),
            declaration, clock, runbooks=Shelf(sessions, settings.incident, SlackChecklists(slack_client), clock),
            lease=settings.setup_lease))


def create_app(settings: Settings, *, sessions: sessionmaker[Session], slack_client: WebClient,
               clock: Callable[[], datetime] = utcnow, timeline: TimelinePipeline | None = None,
               jobs: Jobs | None = None, triage: TriageDesk | None = None) -> App:
    """The bot: a Bolt App whose listeners call the incident domain."""
    app = App(
        client=slack_client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=bool(settings.slack_signing_secret),  # Socket Mode: no signatures
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        logger=logging.getLogger("bot.bolt"),
    )
    jobs = jobs or Jobs()
    timeline = timeline or make_timeline(settings, sessions, slack_client, clock)
    deps = Deps(settings=settings, sessions=sessions, clock=clock, jobs=jobs, timeline=timeline,
                templates=Templates(settings.incident),
                triage=triage or make_triage(settings, sessions, slack_client, clock))
    app.use(sanitize.middleware)  # first: every listener sees text the database can store
    guarded_client.register(app, slack_client)  # …and calls Slack through the one paced, guarded client
    errors.register(app)
    listeners.register(app, deps)
    return app
