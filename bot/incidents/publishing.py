"""Telling everyone what changed: the channel, the card, the topic, the announcement, the people concerned.

The Slack calls are independent, so they run concurrently (one round trip on the critical path). A
failure does not undo the change (it is recorded); the person who made it is told what is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.errors import ChatStepFailed, DomainError
from bot.incidents.news import News, RoleChange
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot

log = logging.getLogger(__name__)


def steps_for(news: IncidentNews, incident: IncidentSnapshot, changes: list[News]) -> dict[str, Callable[[], Any]]:
    """What to do in chat for these changes, by a description of each step."""
    steps: dict[str, Callable[[], Any]] = {}
    said = [c for c in changes if c.in_channel]
    if said:
        steps["post in the channel"] = lambda: news.post_in_channel(incident, said)
    if incident.card_ts:
        steps["update the incident card"] = lambda: news.refresh_card(incident)
    if any(c.in_topic for c in changes):
        steps["update the channel topic"] = lambda: news.refresh_topic(incident)
    if incident.is_announced:
        steps["update the announcement"] = lambda: news.refresh_announcement(incident)
        told = [c for c in changes if c.announced]
        if told:
            steps["reply under the announcement"] = lambda: news.thread_under_announcement(incident, told)
    roles = [c for c in changes if isinstance(c, RoleChange) and c.user_id]
    if roles and incident.channel_id:
        channel_id = incident.channel_id
        steps["invite the new role holders"] = lambda: news.invite(channel_id, [c.user_id for c in roles if c.user_id])
    for change in roles:
        steps[f"send <@{change.user_id}> the {change.role} duties"] = _tell(news, incident, change)
    return steps


def _tell(news: IncidentNews, incident: IncidentSnapshot, change: RoleChange) -> Callable[[], None]:
    return lambda: news.tell_person(incident, change.user_id or "", change)


def publish(news: IncidentNews, incident: IncidentSnapshot, changes: list[News]) -> None:
    """Run the steps concurrently; raise DomainError naming what failed (the change itself stands)."""
    if not changes or not incident.channel_id:
        return
    steps = steps_for(news, incident, changes)
    with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="publish") as pool:
        futures = {step: pool.submit(fn) for step, fn in steps.items()}
    failures = []
    for step, future in futures.items():
        try:
            future.result()
        except ChatStepFailed as exc:
            failures.append(f"{step} ({exc.reason})")
    if failures:
        log.warning("incident %s: change recorded, chat incomplete: %s", incident.number, failures)
        raise DomainError(f"The change to {incident.label} is recorded, but the bot could not "
                          f"{'; '.join(failures)}.")
