"""Writes of alert intake. Callers own the transaction; nothing here commits.

An alert joins the current group of its (source, group key) while that group still has alerts firing or
saw one within the group window; otherwise the group is retired (`current` NULL) and a new one starts.
A firing fingerprint already open is the same alert (a retried webhook, a sender repeating itself): it
changes nothing. Both rules are held by unique constraints and INSERT … ON CONFLICT DO NOTHING, with the
group row locked (FOR UPDATE) while it changes, so replicas taking the same storm store it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.alerts.models import Alert, AlertGroup
from bot.alerts.payloads import IncomingAlert
from bot.config.alerts import AlertConfig
from bot.errors import DomainError
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

FIRING, ACKNOWLEDGED, DISMISSED, RESOLVED = "firing", "acknowledged", "dismissed", "resolved"
MAX_ROUNDS = 5


@dataclass(frozen=True)
class Intake:
    """What a request stored: how many of its alerts are stored, and the groups they are in."""

    accepted: int
    group_ids: tuple[int, ...]


def _insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def ingest(session: Session, config: AlertConfig, source: str, alerts: Sequence[IncomingAlert],
           now: datetime) -> Intake:
    """Store a request's alerts: new firings, resolutions; repeats of what is stored change nothing."""
    touched: dict[int, AlertGroup] = {}
    changed: set[int] = set()
    accepted = 0
    for alert in sorted(alerts, key=lambda a: (a.group_key, a.fingerprint)):  # one lock order for every request
        group: AlertGroup | None
        if alert.status == FIRING:
            group = _current_group(session, config, source, alert, now)
            stored, new = _fire(session, group, source, alert, now)
        else:
            group, stored, new = _resolve(session, source, alert, now)
        accepted += stored
        if group is not None:
            touched[group.id] = group
            if new:
                changed.add(group.id)
                _match_rules(config, group, alert)
    for group_id in changed:
        _changed(touched[group_id])
    return Intake(accepted, tuple(touched))


def _current_group(session: Session, config: AlertConfig, source: str, alert: IncomingAlert,
                   now: datetime) -> AlertGroup:
    """The group this alert joins, locked: the current one of its key if still joinable, else a new one."""
    for _ in range(MAX_ROUNDS):
        session.execute(_insert(session, AlertGroup).values(
            source=source, group_key=alert.group_key, current=True, state=FIRING, title=alert.title,
            severity=alert.severity, service=alert.service, url=alert.url, labels=alert.labels, alert_count=0,
            firing_count=0, first_seen=min(alert.starts_at, now), last_seen=now, notice_owed=False, version=1,
            told_version=0).on_conflict_do_nothing())
        group = session.scalar(
            select(AlertGroup).where(AlertGroup.source == source, AlertGroup.group_key == alert.group_key,
                                     AlertGroup.current.is_(True))
            .with_for_update().execution_options(populate_existing=True))
        if group is None:  # retired by another transaction between our insert and select: go again
            continue
        if group.firing_count > 0 or now - group.last_seen <= config.group_window:
            return group
        group.current = None
        session.flush()
    raise RuntimeError(f"no current alert group for {source}/{alert.group_key} after {MAX_ROUNDS} rounds")


def _fire(session: Session, group: AlertGroup, source: str, alert: IncomingAlert,
          now: datetime) -> tuple[int, bool]:
    """(stored, new): a firing not open yet is a new alert of the group; an open one is left as it is."""
    result = session.execute(_insert(session, Alert).values(
        group_id=group.id, source=source, fingerprint=alert.fingerprint, open=True, title=alert.title,
        severity=alert.severity, labels=alert.labels, annotations=alert.annotations, url=alert.url,
        starts_at=alert.starts_at, received_at=now, last_seen=now).on_conflict_do_nothing().returning(Alert.id))
    if result.first() is None:
        return 1, False
    if group.state == RESOLVED and group.acknowledged_at is None and group.dismissed_at is None \
            and group.alert_count > 0:
        group.notice_owed = True  # it had gone quiet and fires again: say so under the message
    group.alert_count += 1
    group.firing_count += 1
    group.last_seen = max(group.last_seen, now)
    group.first_seen = min(group.first_seen, alert.starts_at)
    if group.incident_id is not None:
        record(session, group.incident_id, EventKind.ALERT_FIRING, by=None, now=alert.starts_at, key=False,
               text=f"Alert firing: {alert.title} ({source})", data={"group": group.id, "url": alert.url})
    return 1, True


def _resolve(session: Session, source: str, alert: IncomingAlert,
             now: datetime) -> tuple[AlertGroup | None, int, bool]:
    """(group, stored, new): the open alert of this fingerprint ends; one ended already is left as it is."""
    row = session.scalar(select(Alert).where(Alert.source == source, Alert.fingerprint == alert.fingerprint,
                                             Alert.open.is_(True)).with_for_update())
    if row is None:
        seen = session.scalar(select(Alert.group_id).where(Alert.source == source,
                                                           Alert.fingerprint == alert.fingerprint).limit(1))
        return (session.get(AlertGroup, seen), 1, False) if seen is not None else (None, 0, False)
    group = session.scalars(select(AlertGroup).where(AlertGroup.id == row.group_id).with_for_update()
                            .execution_options(populate_existing=True)).one()
    row.open = None
    row.ends_at = min(alert.ends_at or now, now)
    row.last_seen = now
    group.firing_count = max(0, group.firing_count - 1)
    group.last_seen = max(group.last_seen, now)
    if group.incident_id is not None:
        record(session, group.incident_id, EventKind.ALERT_RESOLVED, by=None, now=row.ends_at,
               key=group.firing_count == 0, text=f"Alert resolved: {row.title} ({source})"
               + (" — every alert of the group has resolved" if group.firing_count == 0 else ""),
               data={"group": group.id})
    return group, 1, True


def _match_rules(config: AlertConfig, group: AlertGroup, alert: IncomingAlert) -> None:
    if alert.status != FIRING or group.incident_id is not None or group.declare_severity is not None \
            or group.dismissed_at is not None:
        return
    for rule in config.auto_declare:
        if rule.matches(alert.severity, alert.labels):
            group.declare_severity = rule.declare
            return


def state_of(group: AlertGroup) -> str:
    """Resolved when nothing fires; else dismissed, acknowledged or firing."""
    if group.firing_count == 0:
        return RESOLVED
    if group.dismissed_at is not None:
        return DISMISSED
    return ACKNOWLEDGED if group.acknowledged_at is not None else FIRING


def _changed(group: AlertGroup) -> None:
    group.state = state_of(group)
    group.version += 1


def locked(session: Session, group_id: int) -> AlertGroup:
    """The group, locked for a change; a group that does not exist is refused."""
    group = session.scalar(select(AlertGroup).where(AlertGroup.id == group_id).with_for_update()
                           .execution_options(populate_existing=True))
    if group is None:
        raise DomainError("That alert group no longer exists.")
    return group


def acknowledge(session: Session, group_id: int, user_id: str, now: datetime) -> tuple[AlertGroup, bool]:
    """Record who acknowledged the group and when (once); returns (group, changed)."""
    group = locked(session, group_id)
    if group.acknowledged_at is not None:
        return group, False
    group.acknowledged_by, group.acknowledged_at, group.notice_owed = user_id, now, False
    _changed(group)
    return group, True


def dismiss(session: Session, group_id: int, user_id: str, now: datetime) -> tuple[AlertGroup, bool]:
    """Mark the group as noise (once): later alerts only update its count; returns (group, changed)."""
    group = locked(session, group_id)
    if group.incident_id is not None:
        raise DomainError("This alert group is tied to an incident; it cannot be dismissed as noise.")
    if group.dismissed_at is not None:
        return group, False
    group.dismissed_by, group.dismissed_at, group.notice_owed = user_id, now, False
    group.declare_severity = None
    _changed(group)
    return group, True


def attach(session: Session, group_id: int, incident_id: int) -> bool:
    """Tie the group to an incident (once): its first alert goes on the incident's timeline as the detection,
    and its later firings and resolutions follow. False when it was tied already."""
    group = locked(session, group_id)
    group.declare_severity = None
    if group.incident_id is not None:
        _changed(group)
        return False
    group.incident_id = incident_id
    first = session.scalar(select(Alert).where(Alert.group_id == group_id).order_by(Alert.starts_at).limit(1))
    if first is not None:
        record(session, incident_id, EventKind.ALERT_FIRING, by=None, now=first.starts_at,
               text=f"Alert fired: {first.title} ({group.source}; {group.alert_count} in the group so far)",
               data={"group": group.id, "url": first.url})
    _changed(group)
    return True


def claim(session: Session, group_id: int, now: datetime, until: datetime, holder: str,
          gone: Callable[[str | None], bool]) -> tuple[bool, bool]:
    """Take the right to tell the group's triage message until `until` (a live holder's claim stands; one
    run out, or held by a process that is `gone`, is taken over); returns (claimed, taken over)."""
    group = session.scalar(select(AlertGroup).where(AlertGroup.id == group_id).with_for_update()
                           .execution_options(populate_existing=True))
    if group is None:
        return False, False
    held = group.claimed_until
    if held is not None and held > now and not gone(group.claimed_by):
        return False, False
    group.claimed_until, group.claimed_by = until, holder
    return True, held is not None


def free_orphans(session: Session, holder: str, gone: Callable[[str | None], bool], now: datetime) -> list[int]:
    """Run out the claims of processes that are gone (kept as claims, so their tellers look before posting);
    returns those groups."""
    held = session.execute(select(AlertGroup.id, AlertGroup.claimed_by).where(
        AlertGroup.claimed_until > now, AlertGroup.claimed_by.is_not(None), AlertGroup.claimed_by != holder)).all()
    freed = [group_id for group_id, by in held if gone(by)]
    if freed:
        session.execute(update(AlertGroup).where(AlertGroup.id.in_(freed)).values(claimed_until=now))
    return freed


def release(session: Session, group_id: int, holder: str, *, told: int | None, channel_id: str | None = None,
            message_ts: str | None = None, notice_told: bool = False) -> bool:
    """Give the claim back (unless another process took it over meanwhile), recording what the message now
    shows; True when there is more to tell."""
    group = session.scalars(select(AlertGroup).where(AlertGroup.id == group_id).with_for_update()
                            .execution_options(populate_existing=True)).one()
    if group.claimed_by == holder:
        group.claimed_until = group.claimed_by = None
    if told is not None:
        group.told_version = max(group.told_version, told)
    if message_ts is not None and group.message_ts is None:
        group.channel_id, group.message_ts = channel_id, message_ts
    if notice_told:
        group.notice_owed = False
    return group.told_version < group.version or group.declare_severity is not None
