"""Writes of the incident domain. Callers own the transaction; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents import announcing
from bot.incidents.enums import SetupState
from bot.incidents.levels import parse_priority, parse_severity
from bot.incidents.models import Incident, IncidentCounter
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

MAX_TITLE = 1000
MAX_DESCRIPTION = 3000
MAX_SERVICE = 200
COUNTER = "incidents"  # the counter row incident numbers come from


@dataclass(frozen=True)
class Declaration:
    """What a person asked for when declaring; `request_key` makes a repeated submission a no-op."""

    title: str
    reporter_id: str
    severity: str | None = None
    priority: str | None = None
    category: str | None = None
    service: str | None = None
    description: str = ""
    private: bool = False
    drill: bool = False
    source_channel_id: str | None = None
    source_permalink: str | None = None
    request_key: str | None = None


def validate(config: IncidentConfig, d: Declaration) -> Declaration:
    """Normalise a declaration, or raise InvalidInput naming the field and what to type instead."""
    title = " ".join(d.title.split())
    if not title:
        raise InvalidInput("An incident needs a title: say in a few words what is broken.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"The title is {len(title)} characters; keep it under {MAX_TITLE}.", field="title")
    severity = parse_severity(config, d.severity) if d.severity else config.default_severity
    priority = parse_priority(config, d.priority) if d.priority else None
    category = (d.category or "").strip().lower() or None
    if category and category not in config.categories:
        raise InvalidInput(f"`{category}` is not a category. Use one of: {', '.join(config.categories)}.",
                           field="category")
    service = " ".join((d.service or "").split()) or None
    if service and len(service) > MAX_SERVICE:
        raise InvalidInput(f"The service name is too long; keep it under {MAX_SERVICE} characters.",
                           field="service")
    description = (d.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"The description is {len(description)} characters; keep it under "
                           f"{MAX_DESCRIPTION} (paste logs into the channel instead).", field="description")
    return replace(d, title=title, severity=severity, priority=priority, category=category, service=service,
                   description=description)


def declare(session: Session, config: IncidentConfig, d: Declaration, now: datetime) -> tuple[Incident, bool]:
    """Record a new incident with the next number; returns (incident, created).

    A declaration whose `request_key` was seen before returns the existing incident, so a double
    submission creates one incident. The number comes from the counter row, locked until the caller's
    transaction ends: a concurrent declaration (another thread or replica) waits for it, then takes the
    next one. Nothing is retried and no number is skipped; a transaction that rolls back gives its number
    back. (A declaration withdrawn later, its channel refused, keeps its number: see `withdraw`.)
    """
    d = validate(config, d)
    counter = _locked_counter(session)  # first: a racer with the same key has committed once we have it
    if d.request_key:
        existing = session.scalar(select(Incident).where(Incident.request_key == d.request_key))
        if existing is not None:
            return existing, False
    # never a number already used, even if the counter was left behind (a restored or hand-edited database)
    number = max(counter.next_number, (session.scalar(select(func.max(Incident.number))) or 0) + 1)
    counter.next_number = number + 1
    incident = _new_incident(config, d, number, now)
    session.add(incident)
    session.flush()
    record(session, incident.id, EventKind.DECLARED, by=d.reporter_id, now=now, text=_declared_text(incident))
    return incident, True


def _locked_counter(session: Session) -> IncidentCounter:
    """The counter row, locked (FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises writers). A
    database emptied by hand has none: it is made again, counting on from the incidents there."""
    locked = (select(IncidentCounter).where(IncidentCounter.name == COUNTER).with_for_update()
              .execution_options(populate_existing=True))
    counter = session.scalar(locked)
    if counter is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(IncidentCounter).values(name=COUNTER, next_number=1).on_conflict_do_nothing())
        counter = session.scalars(locked).one()
    return counter


def _new_incident(config: IncidentConfig, d: Declaration, number: int, now: datetime) -> Incident:
    assert d.severity is not None
    return Incident(
        number=number, title=d.title, description=d.description, severity=d.severity, priority=d.priority,
        category=d.category, service=d.service, status=config.initial_status, is_private=d.private,
        is_drill=d.drill, reporter_id=d.reporter_id, declared_at=now, source_channel_id=d.source_channel_id,
        source_permalink=d.source_permalink, request_key=d.request_key, setup_state=SetupState.OPENING,
    )


def _declared_text(incident: Incident) -> str:
    kind = "Drill" if incident.is_drill else "Incident"
    return f"{kind} declared: {incident.title} ({incident.severity})"


def intend_channel(session: Session, incident_id: int, channel_name: str) -> None:
    """Remember the name about to be asked for, before asking: a restart can then find the channel."""
    session.get_one(Incident, incident_id).channel_name = channel_name


def record_channel(session: Session, incident_id: int, channel_id: str, channel_name: str, now: datetime) -> None:
    """Remember the incident's channel once it exists."""
    incident = session.get_one(Incident, incident_id)
    incident.channel_id = channel_id
    incident.channel_name = channel_name
    record(session, incident_id, EventKind.CHANNEL_OPENED, by=None, now=now, text=f"Channel #{channel_name} opened",
           key=False)


def channel_holder(session: Session, channel_id: str) -> int | None:
    """The id of the incident whose channel this is, if any."""
    return session.scalar(select(Incident.id).where(Incident.channel_id == channel_id))


SETUP_STEPS = ("topic_set", "purpose_set", "declarer_invited", "card_pinned")


def record_step(session: Session, incident_id: int, step: str) -> None:
    """One idempotent set-up step is done (one of SETUP_STEPS)."""
    if step not in SETUP_STEPS:
        raise ValueError(f"unknown set-up step {step!r}")
    setattr(session.get_one(Incident, incident_id), step, True)


def _locked(session: Session, incident_id: int) -> Incident:
    """The incident row, locked until the transaction ends, as committed now (SQLite: BEGIN IMMEDIATE)."""
    return session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()
                           .execution_options(populate_existing=True)).one()


def record_card(session: Session, incident_id: int, card_ts: str) -> Incident:
    """The card is in the channel. Under the row lock, like every change: a change committed before this
    saw no card to refresh, one after it will; the caller compares the incident returned with the card."""
    incident = _locked(session, incident_id)
    incident.card_ts = card_ts
    return incident


def record_announcement(session: Session, incident_id: int, announcement: tuple[str, str],
                        now: datetime) -> Incident:
    """The incident is announced. Under the row lock: news recorded before this had no announcement to be
    told under, so it is owed (`unthreaded_through`, bot/incidents/announcing.py); news after it is
    steering's to tell."""
    incident = _locked(session, incident_id)
    incident.announcement_channel_id, incident.announcement_ts = announcement
    incident.unthreaded_through = announcing.owed_through(session, incident_id)
    record(session, incident_id, EventKind.ANNOUNCED, by=None, now=now, text="Announced", key=False)
    return incident


def record_threaded(session: Session, incident_id: int, through: int) -> None:
    """The news owed to the announcement up to event `through` is told under it."""
    session.execute(update(Incident).where(Incident.id == incident_id, Incident.unthreaded_through == through)
                    .values(unthreaded_through=None))


def record_ready(session: Session, incident_id: int) -> None:
    """The channel is furnished (card and announcement recorded as they went out): mark the incident ready."""
    incident = session.get_one(Incident, incident_id)
    incident.setup_state = SetupState.READY
    incident.setup_error = None
    incident.claimed_until = incident.claimed_by = None


def record_setup_failure(session: Session, incident_id: int, problem: str, now: datetime) -> None:
    """A step failed for good: keep the incident, say what is missing."""
    incident = session.get_one(Incident, incident_id)
    incident.setup_state = SetupState.FAILED
    incident.setup_error = problem
    incident.claimed_until = incident.claimed_by = None
    record(session, incident_id, EventKind.SETUP_FAILED, by=None, now=now, text=problem, key=False)


def withdraw(session: Session, incident_id: int) -> None:
    """Remove an incident whose channel could never be created, so no incident exists without one.

    Its number is not given back: the declarer has been told "#7 could not be declared", so a later,
    different #7 would confuse; the numbers skip it."""
    incident = session.get(Incident, incident_id)
    if incident is not None and incident.channel_id is None:
        session.delete(incident)
