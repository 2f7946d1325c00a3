"""Reads of alert intake: what a triage message shows, what is still to be told, what a request answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.alerts.models import Alert, AlertGroup
from bot.config.alerts import AlertConfig
from bot.incidents.models import Incident

RECURRENCE_WINDOW = timedelta(days=30)
PENDING_BATCH = 500
DECLARING = "declaring"  # the answer's state of a group whose auto-declaration is owed


@dataclass(frozen=True)
class Recurrence:
    """How often the group's fingerprints fired in the 30 days before it, and how those groups were handled."""

    fired: int = 0
    declared: int = 0
    acknowledged: int = 0
    dismissed: int = 0
    untouched: int = 0


@dataclass(frozen=True)
class TriageView:
    """Everything the triage message of a group shows, read at one version."""

    id: int
    source: str
    key: str
    state: str
    title: str
    severity: str | None          # the alert's own severity
    incident_severity: str | None  # what it maps to
    service: str | None
    url: str | None
    labels: dict[str, Any]
    description: str
    alert_count: int
    firing_count: int
    first_seen: datetime
    last_seen: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    dismissed_by: str | None
    dismissed_at: datetime | None
    incident_number: int | None
    incident_channel: str | None
    recurrence: Recurrence
    version: int
    channel_id: str | None
    message_ts: str | None
    notice_owed: bool
    declare_severity: str | None


def recurrence(session: Session, group: AlertGroup, now: datetime) -> Recurrence:
    """Earlier firings (30 days) of this group's fingerprints in other groups, and how those were handled."""
    fingerprints = select(Alert.fingerprint).where(Alert.group_id == group.id).scalar_subquery()
    earlier = (select(Alert.group_id).where(Alert.source == group.source, Alert.fingerprint.in_(fingerprints),
                                            Alert.group_id != group.id, Alert.starts_at >= now - RECURRENCE_WINDOW))
    fired = session.scalar(select(func.count()).select_from(earlier.subquery())) or 0
    if not fired:
        return Recurrence()
    handled = session.execute(select(AlertGroup.incident_id, AlertGroup.dismissed_at, AlertGroup.acknowledged_at)
                              .where(AlertGroup.id.in_(earlier))).all()
    declared = sum(1 for i, _, _ in handled if i is not None)
    dismissed = sum(1 for i, d, _ in handled if i is None and d is not None)
    acknowledged = sum(1 for i, d, a in handled if i is None and d is None and a is not None)
    return Recurrence(fired, declared, acknowledged, dismissed, len(handled) - declared - dismissed - acknowledged)


def triage_view(session: Session, config: AlertConfig, group_id: int, now: datetime) -> TriageView:
    """The group as its triage message shows it now."""
    g = session.get_one(AlertGroup, group_id, populate_existing=True)
    incident = session.get(Incident, g.incident_id) if g.incident_id is not None else None
    first = session.scalar(select(Alert).where(Alert.group_id == g.id).order_by(Alert.starts_at).limit(1))
    description = (first.annotations or {}).get("description", "") if first is not None else ""
    return TriageView(
        id=g.id, source=g.source, key=g.group_key, state=g.state, title=g.title, severity=g.severity,
        incident_severity=config.incident_severity(g.severity), service=g.service, url=g.url,
        labels=dict(g.labels or {}), description=str(description), alert_count=g.alert_count,
        firing_count=g.firing_count, first_seen=g.first_seen, last_seen=g.last_seen,
        acknowledged_by=g.acknowledged_by, acknowledged_at=g.acknowledged_at, dismissed_by=g.dismissed_by,
        dismissed_at=g.dismissed_at, incident_number=incident.number if incident else None,
        incident_channel=incident.channel_id if incident else None, recurrence=recurrence(session, g, now),
        version=g.version, channel_id=g.channel_id, message_ts=g.message_ts, notice_owed=g.notice_owed,
        declare_severity=g.declare_severity)


def answer(session: Session, group_ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """The groups of a request as the webhook answers them: key, state, incident number (or null). A group an
    auto_declare rule matched whose incident is not declared yet (that runs after the answer) is `declaring`."""
    rows = session.execute(select(AlertGroup.id, AlertGroup.group_key, AlertGroup.state, AlertGroup.declare_severity,
                                  Incident.number)
                           .outerjoin(Incident, Incident.id == AlertGroup.incident_id)
                           .where(AlertGroup.id.in_(group_ids)).order_by(AlertGroup.id)).all()
    return [{"key": key, "state": DECLARING if declaring and number is None else state, "incident": number}
            for _, key, state, declaring, number in rows]


def pending(session: Session, now: datetime) -> list[int]:
    """Groups whose triage message is behind (or whose auto-declaration is owed) and that nobody is telling."""
    return list(session.scalars(
        select(AlertGroup.id).where(or_(AlertGroup.told_version < AlertGroup.version,
                                        AlertGroup.declare_severity.is_not(None)),
                                    or_(AlertGroup.claimed_until.is_(None), AlertGroup.claimed_until < now))
        .order_by(AlertGroup.id).limit(PENDING_BATCH)))


def incident_for_key(session: Session, request_key: str) -> int | None:
    """The incident a declaration with this request key recorded, if any."""
    return session.scalar(select(Incident.id).where(Incident.request_key == request_key))
