"""Closing an incident: the status change, then the postmortem rendered, stored, uploaded, linked, (archived).

A workflow at the edge, like `opening`: it owns its transactions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import ChatStepFailed, DomainError
from bot.incidents import lifecycle, steering
from bot.incidents.models import Incident
from bot.incidents.news import PostmortemPublished
from bot.incidents.ports import IncidentNews
from bot.incidents.publishing import publish
from bot.incidents.snapshots import IncidentSnapshot, snapshot
from bot.postmortem import context, service
from bot.postmortem.ports import PostmortemDesk
from bot.postmortem.render import Templates
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

log = logging.getLogger(__name__)


def close(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, desk: PostmortemDesk,
          templates: Templates, incident: IncidentSnapshot, user_id: str,
          now: Callable[[], datetime]) -> IncidentSnapshot:
    """Close (resolving first if needed), then post the postmortem; DomainError lists anything left undone."""
    problems: list[str] = []
    try:
        steering.move_status(sessions, config, news, incident, user_id, lifecycle.CLOSED, now)
    except DomainError as exc:
        with sessions.begin() as s:
            if s.get_one(Incident, incident.id).status != lifecycle.CLOSED:
                raise  # refused (permission, lifecycle): nothing happened
        problems.append(exc.message)  # closed, but chat was not fully told
    with sessions.begin() as s:
        gathered = context.gather(s, s.get_one(Incident, incident.id))
    people = desk.names(gathered.people_ids())  # chat calls, never inside a transaction
    markdown = service.render_gathered(config, templates, gathered, people, now())
    with sessions.begin() as s:
        row = s.get_one(Incident, incident.id)
        service.store(s, row, markdown, people, now())
        closed = snapshot(row, config)
    file_id, permalink = _upload(sessions, desk, closed, markdown, user_id, now, problems)
    # Slack shares an upload a moment after answering: link it, and archive, once it is in the channel
    shared = bool(file_id and closed.channel_id and desk.wait_shared(closed.channel_id, file_id))
    with sessions.begin() as s:
        after = snapshot(s.get_one(Incident, incident.id), config)
    try:
        publish(news, after, [PostmortemPublished(permalink, user_id)])
    except DomainError as exc:
        problems.append(exc.message)
    if config.archive_on_close and after.channel_id and file_id:
        _archive(desk, after.channel_id, shared, problems)
    if problems:
        raise DomainError(" ".join(problems))
    return after


def _archive(desk: PostmortemDesk, channel_id: str, shared: bool, problems: list[str]) -> None:
    """Archive once the postmortem is shown in the channel: a share still on its way would be lost."""
    if not shared:
        problems.append("The channel was not archived: Slack had not shown the postmortem in it yet. "
                        "Archive it once the file is there.")
        return
    try:
        desk.archive(channel_id)
    except ChatStepFailed as exc:
        problems.append(f"The channel could not be archived ({exc.reason}).")


def _upload(sessions: sessionmaker[Session], desk: PostmortemDesk, incident: IncidentSnapshot, markdown: str,
            user_id: str, now: Callable[[], datetime], problems: list[str]) -> tuple[str | None, str | None]:
    filename = f"postmortem-{incident.channel_name or f'incident-{incident.number}'}.md"
    try:
        file_id, permalink = desk.upload(incident, filename, markdown)
    except ChatStepFailed as exc:
        log.warning("incident %s: postmortem stored but not uploaded: %s", incident.number, exc.reason)
        problems.append(f"The postmortem is stored (print it with `incident-bot postmortem {incident.number}`) "
                        f"but could not be posted in the channel ({exc.reason}).")
        return None, None
    with sessions.begin() as s:
        row = s.get_one(Incident, incident.id)
        stored = service.stored(s, incident.id)
        if stored is not None:
            stored.file_id, stored.permalink = file_id, permalink
        row.postmortem_permalink = permalink
        record(s, row.id, EventKind.POSTMORTEM_PUBLISHED, by=user_id, now=now(), text="Postmortem posted",
               data={"file_id": file_id})
    return file_id, permalink
