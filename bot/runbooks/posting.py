"""Putting runbooks on screen and keeping them current: workflows at the edge that own their transactions.

`post_matching` is the one entry point for "the incident changed, post whatever now applies": the declare
workflow calls it once the channel is ready, and so does every change of category, service or severity.
Each runbook is posted at most once per incident (the database decides, across replicas).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import ChatStepFailed, DomainError, NotFound
from bot.incidents.models import Incident
from bot.incidents.snapshots import snapshot as incident_snapshot
from bot.runbooks import service
from bot.runbooks.definitions import Library, Runbook
from bot.runbooks.loader import load_library
from bot.runbooks.models import RunbookChecklist
from bot.runbooks.ports import ChecklistChat
from bot.runbooks.snapshots import ChecklistSnapshot, snapshot

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
REFRESH_ATTEMPTS = 5


@dataclass(frozen=True)
class Posting:
    """What a `post_matching` call put on screen, and what it could not (runbook name, reason)."""

    posted: list[ChecklistSnapshot] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def post_matching(sessions: sessionmaker[Session], config: IncidentConfig, chat: ChecklistChat, incident_id: int,
                  now: Clock, *, reason: str, library: Library | None = None) -> Posting:
    """Post every runbook that applies to the incident as it now stands and is not in its channel yet.

    Call it after committing a change of category, service or severity (`reason` says which, e.g.
    "severity changed to SEV1"); it opens its own transactions. A failed post is released so it can be
    posted later, and reported in `Posting.failed`; it never raises for a chat failure.
    """
    library = library or load_library(config)
    with sessions.begin() as s:
        incident = s.get(Incident, incident_id)
        if incident is None or incident.channel_id is None:
            return Posting()
        view = incident_snapshot(incident, config)
        claims = [c for r in library.matching(view)
                  if (c := service.claim(s, incident_id, r, reason=reason, requested_by=None, now=now()))]
        claimed = [snapshot(c) for c in claims]
    result = Posting()
    for checklist in claimed:
        try:
            result.posted.append(_post(sessions, chat, view.channel_id or "", checklist, now))
        except ChatStepFailed as exc:
            log.warning("runbook %s not posted for incident %s: %s", checklist.runbook, view.number, exc.reason)
            result.failed.append((checklist.runbook, exc.reason))
    return result


class Shelf:
    """The incident domain's RunbookShelf: `post_matching` on a chat, with its own transactions."""

    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, chat: ChecklistChat,
                 now: Clock) -> None:
        self.sessions, self.config, self.chat, self.now = sessions, config, chat, now

    def post_matching(self, incident_id: int, reason: str) -> list[tuple[str, str]]:
        """Post what now applies; (runbook name, why) for each one that could not be posted."""
        return post_matching(self.sessions, self.config, self.chat, incident_id, self.now, reason=reason).failed


def post_runbook(sessions: sessionmaker[Session], config: IncidentConfig, chat: ChecklistChat, incident_id: int,
                 name: str, now: Clock, *, requested_by: str) -> ChecklistSnapshot:
    """Post runbook `name` on request, whether or not it matches; refused when unknown or already posted."""
    library = load_library(config)
    runbook = library.get(name)
    if runbook is None:
        raise NotFound(unknown_runbook(name, library))
    with sessions.begin() as s:
        incident = s.get_one(Incident, incident_id)
        channel_id = incident.channel_id
        checklist = service.claim(s, incident_id, runbook, reason=f"asked for by <@{requested_by}>",
                                  requested_by=requested_by, now=now())
        if checklist is None or channel_id is None:
            raise DomainError(_already_posted(runbook))
        claimed = snapshot(checklist)
    try:
        return _post(sessions, chat, channel_id, claimed, now)
    except ChatStepFailed as exc:
        raise DomainError(f"The runbook *{runbook.title}* could not be posted ({exc.reason}). Try again in a "
                          "minute.") from exc


def unknown_runbook(name: str, library: Library) -> str:
    """The answer to a name that is not a runbook: every name there is."""
    if not library.runbooks:
        return f"There is no runbook called `{name}`, and no runbooks at all in `{library.folder}`."
    names = ", ".join(f"`{n}`" for n in library.names)
    return f"There is no runbook called `{name}`. Runbooks: {names}."


def _already_posted(runbook: Runbook) -> str:
    return f"The runbook *{runbook.title}* is already in this channel; tick its steps there."


def _post(sessions: sessionmaker[Session], chat: ChecklistChat, channel_id: str, checklist: ChecklistSnapshot,
          now: Clock) -> ChecklistSnapshot:
    """Post one claimed checklist and record its message; on failure release the claim and re-raise."""
    try:
        ts = chat.post_checklist(channel_id, checklist)
    except ChatStepFailed:
        with sessions.begin() as s:
            service.release(s, checklist.id)
        raise
    with sessions.begin() as s:
        service.record_posted(s, checklist.id, channel_id, ts, now())
        return snapshot(s.get_one(RunbookChecklist, checklist.id))


def tick(sessions: sessionmaker[Session], chat: ChecklistChat, checklist_id: int, step: int, done: bool, *,
         user_id: str, channel_id: str, now: Clock) -> ChecklistSnapshot:
    """Record that `user_id` ticked (or unticked) a step, then show the checklist as the database has it."""
    with sessions.begin() as s:
        service.set_step(s, checklist_id, step, done, user_id=user_id, channel_id=channel_id, now=now())
    return refresh(sessions, chat, checklist_id)


def refresh(sessions: sessionmaker[Session], chat: ChecklistChat, checklist_id: int) -> ChecklistSnapshot:
    """Update the checklist's message from the database until no newer tick slipped in meanwhile.

    Concurrent ticks may reach Slack out of order; whoever rendered a version that is no longer the
    newest renders again, so the message ends at the newest state.
    """
    rendered: int | None = None
    for _ in range(REFRESH_ATTEMPTS):
        with sessions.begin() as s:
            view = snapshot(s.get_one(RunbookChecklist, checklist_id))
        if view.version == rendered or view.channel_id is None or view.message_ts is None:
            return view
        try:
            chat.update_checklist(view.channel_id, view.message_ts, view)
        except ChatStepFailed as exc:
            raise DomainError(f"Your tick is recorded, but the checklist message could not be updated "
                              f"({exc.reason}); it will catch up with the next tick.") from exc
        rendered = view.version
    return view
