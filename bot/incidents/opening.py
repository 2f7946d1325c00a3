"""The declare workflow after the incident is recorded: open and furnish its channel, announce it.

A job at the edge: it owns its transactions. Slack round trips on the critical path are kept few:
the channel is created, then topic, invitation, card (then its pin) and announcement go out concurrently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.incidents import service
from bot.incidents.errors import ChannelNameTaken, ChatStepFailed, DomainError
from bot.incidents.models import Incident
from bot.incidents.naming import channel_name
from bot.incidents.ports import IncidentChat
from bot.incidents.views import IncidentView, snapshot
from bot.runbooks.ports import ChecklistChat
from bot.runbooks.posting import post_on_declare

log = logging.getLogger(__name__)
MAX_NAME_ATTEMPTS = 50


def declare_incident(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                     declaration: service.Declaration, now: Callable[[], datetime],
                     checklists: ChecklistChat | None = None) -> tuple[IncidentView, bool]:
    """Record the declaration and make its channel ready; returns (incident, created).

    A declaration already seen (same request key) is not opened again: (existing incident, False).
    Once the channel is ready (card and announcement out), the matching runbooks are posted with
    `checklists`; a failure there leaves the incident ready and raises a DomainError saying what is missing.
    """
    with sessions.begin() as s:
        incident, created = service.declare(s, config, declaration, now())
        view = snapshot(incident, config)
    if not created:
        return view, False
    ready = open_incident(sessions, config, chat, view.id, now)
    if checklists is not None:
        post_on_declare(sessions, config, checklists, ready, now)
    return ready, True


def open_incident(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                  incident_id: int, now: Callable[[], datetime]) -> IncidentView:
    """Make the incident's channel ready; returns the incident as it then stands.

    Raises DomainError when the channel could not be made (the incident is then withdrawn) or when a
    later step failed (the incident stays, the failure is recorded and said in the channel).
    """
    with sessions.begin() as s:
        incident = snapshot(s.get_one(Incident, incident_id), config)
    if incident.channel_id is None:
        incident = _create_channel(sessions, config, chat, incident, now)
    return _furnish(sessions, config, chat, incident, now)


def _create_channel(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                    incident: IncidentView, now: Callable[[], datetime]) -> IncidentView:
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = channel_name(config.channel_name_template, incident.number, incident.title,
                            drill=incident.is_drill, attempt=attempt)
        try:
            channel_id = chat.open_channel(name, private=incident.is_private)
            break
        except ChannelNameTaken:
            continue
        except ChatStepFailed as exc:
            _withdraw(sessions, incident)
            raise DomainError(f"{incident.label} could not be declared: Slack refused to create its "
                              f"channel ({exc.reason}). Nothing was recorded; try again in a minute.") from exc
    else:
        _withdraw(sessions, incident)
        raise DomainError(f"{incident.label} could not be declared: every channel name up to `{name}` is "
                          "taken. Rename or archive old incident channels, or change the channel-name template.")
    with sessions.begin() as s:
        service.record_channel(s, incident.id, channel_id, name, now())
        return snapshot(s.get_one(Incident, incident.id), config)


def _withdraw(sessions: sessionmaker[Session], incident: IncidentView) -> None:
    with sessions.begin() as s:
        service.withdraw(s, incident.id)


def _post_and_pin_card(chat: IncidentChat, incident: IncidentView) -> str:
    """Post the card, then pin it (an unpinned card is a nuisance, not a failure)."""
    ts = chat.post_card(incident)
    try:
        chat.pin(incident.channel_id or "", ts)
    except ChatStepFailed as exc:
        log.warning("incident %s: could not pin the card: %s", incident.number, exc.reason)
    return ts


def _furnish(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
             incident: IncidentView, now: Callable[[], datetime]) -> IncidentView:
    assert incident.channel_id is not None
    steps: dict[str, Callable[[], Any]] = {
        "set the topic": lambda: chat.set_topic(incident),
        "set the purpose": lambda: chat.set_purpose(incident),
        "invite the declarer": lambda: chat.invite(incident.channel_id or "", [incident.reporter_id]),
        "post the incident card": lambda: _post_and_pin_card(chat, incident),
    }
    if not incident.is_private:
        steps["announce the incident"] = lambda: chat.announce(incident)
    with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="declare") as pool:
        futures = {step: pool.submit(fn) for step, fn in steps.items()}
    results: dict[str, Any] = {}
    failures: list[str] = []
    for step, future in futures.items():
        try:
            results[step] = future.result()
        except ChatStepFailed as exc:
            failures.append(f"could not {step} ({exc.reason})")
    with sessions.begin() as s:
        if failures:
            problem = "; ".join(failures)
            service.record_setup_failure(s, incident.id, problem, now())
        else:
            service.record_ready(s, incident.id, card_ts=results.get("post the incident card"),
                                 announcement=results.get("announce the incident"), now=now())
        ready = snapshot(s.get_one(Incident, incident.id), config)
    if failures:
        log.warning("incident %s set-up incomplete: %s", incident.number, problem)
        raise DomainError(f"{incident.label} is declared in <#{incident.channel_id}>, but the bot "
                          f"{problem}. The incident is recorded; fix the cause and carry on in the channel.")
    return ready
