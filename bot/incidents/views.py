"""Read-only snapshots of incidents handed to the outside (chat adapters, templates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import IncidentConfig
from bot.incidents.models import Incident


@dataclass(frozen=True)
class IncidentView:
    """What the outside may know about an incident, detached from the database session."""

    id: int
    number: int
    title: str
    description: str
    severity: str
    severity_description: str
    major: bool
    priority: str | None
    category: str | None
    service: str | None
    status: str
    is_private: bool
    is_drill: bool
    reporter_id: str
    declared_at: datetime
    channel_id: str | None
    channel_name: str | None
    source_permalink: str | None
    setup_state: str

    @property
    def label(self) -> str:
        """`Incident #42` or `DRILL #42`, as people say it."""
        return f"{'DRILL' if self.is_drill else 'Incident'} #{self.number}"


def snapshot(incident: Incident, config: IncidentConfig) -> IncidentView:
    """Freeze `incident` for use outside the session."""
    try:
        sev = config.severity(incident.severity)
        sev_description, major = sev.description, sev.major
    except KeyError:  # a severity removed from the configuration after the incident was declared
        sev_description, major = "", False
    return IncidentView(
        id=incident.id, number=incident.number, title=incident.title, description=incident.description,
        severity=incident.severity, severity_description=sev_description, major=major,
        priority=incident.priority, category=incident.category, service=incident.service,
        status=incident.status, is_private=incident.is_private, is_drill=incident.is_drill,
        reporter_id=incident.reporter_id, declared_at=incident.declared_at,
        channel_id=incident.channel_id, channel_name=incident.channel_name,
        source_permalink=incident.source_permalink, setup_state=incident.setup_state,
    )
