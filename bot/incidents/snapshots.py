"""Read-only snapshots of incidents handed to the outside (chat adapters, templates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import IncidentConfig
from bot.incidents.models import Incident


def label(number: int, is_drill: bool) -> str:
    """`Incident #42` or `DRILL #42`: the one way an incident is named to people."""
    return f"{'DRILL' if is_drill else 'Incident'} #{number}"


@dataclass(frozen=True)
class IncidentSnapshot:
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
    holders: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, current holders) in configured order
    card_ts: str | None = None
    announcement_channel_id: str | None = None
    announcement_ts: str | None = None
    last_update_at: datetime | None = None
    summary: str | None = None
    postmortem_permalink: str | None = None
    resolved_at: datetime | None = None
    update_due_at: datetime | None = None  # when the next update is due (None: no reminders)
    sla_breaches: tuple[str, ...] = ()     # the SLA targets missed (acknowledge, resolve)
    mitigated_at: datetime | None = None
    impact: str | None = None
    impact_started_at: datetime | None = None  # the impact window as the resolve form last set it
    impact_ended_at: datetime | None = None

    @property
    def label(self) -> str:
        """`Incident #42` or `DRILL #42`, as people say it."""
        return label(self.number, self.is_drill)

    def holders_of(self, role: str) -> tuple[str, ...]:
        """Who holds `role` now (empty when nobody does)."""
        return next((users for name, users in self.holders if name == role), ())

    @property
    def is_announced(self) -> bool:
        """Whether there is an announcement card to keep current (never for private incidents)."""
        return bool(self.announcement_ts and self.announcement_channel_id and not self.is_private)


def snapshot(incident: Incident, config: IncidentConfig) -> IncidentSnapshot:
    """Freeze `incident` for use outside the session."""
    try:
        sev = config.severity(incident.severity)
        sev_description, major = sev.description, sev.major
    except KeyError:  # a severity removed from the configuration after the incident was declared
        sev_description, major = "", False
    return IncidentSnapshot(
        id=incident.id, number=incident.number, title=incident.title, description=incident.description,
        severity=incident.severity, severity_description=sev_description, major=major,
        priority=incident.priority, category=incident.category, service=incident.service,
        status=incident.status, is_private=incident.is_private, is_drill=incident.is_drill,
        reporter_id=incident.reporter_id, declared_at=incident.declared_at,
        channel_id=incident.channel_id, channel_name=incident.channel_name,
        source_permalink=incident.source_permalink, setup_state=incident.setup_state,
        holders=current_holders(incident, config), card_ts=incident.card_ts,
        announcement_channel_id=incident.announcement_channel_id, announcement_ts=incident.announcement_ts,
        last_update_at=incident.last_update_at, summary=incident.summary,
        postmortem_permalink=incident.postmortem_permalink, resolved_at=incident.resolved_at,
        update_due_at=incident.update_due_at,
        sla_breaches=tuple(b for b in (incident.sla_breaches or "").split(",") if b),
        mitigated_at=incident.mitigated_at, impact=incident.impact,
        impact_started_at=incident.impact_started_at, impact_ended_at=incident.impact_ended_at,
    )


def current_holders(incident: Incident, config: IncidentConfig) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every configured role with its current holders (earliest first), then roles no longer configured."""
    configured = [r.name for r in config.roles]
    by_role: dict[str, list[str]] = {name: [] for name in configured}
    for a in incident.assignments:
        if a.relieved_at is None and a.user_id not in by_role.setdefault(a.role, []):
            by_role[a.role].append(a.user_id)
    return tuple((role, tuple(users)) for role, users in by_role.items() if users or role in configured)
