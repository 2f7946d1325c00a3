"""Reads of the incident domain."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from bot.config import IncidentConfig
from bot.incidents.models import Incident
from bot.incidents.snapshots import IncidentSnapshot, snapshot

FINISHED = ("closed", "declined")


def open_incidents(session: Session, config: IncidentConfig, viewer_id: str) -> list[IncidentSnapshot]:
    """Incidents not closed or declined, newest first; private ones only for the person who declared them."""
    rows = session.scalars(
        select(Incident)
        .where(Incident.status.not_in(FINISHED), Incident.channel_id.is_not(None))
        .where(or_(Incident.is_private.is_(False), Incident.reporter_id == viewer_id))
        .order_by(Incident.number.desc())
        .options(selectinload(Incident.assignments))
    )
    return [snapshot(i, config) for i in rows]


def by_channel(session: Session, config: IncidentConfig, channel_id: str) -> IncidentSnapshot | None:
    """The incident whose channel this is, if any."""
    incident = session.scalar(select(Incident).where(Incident.channel_id == channel_id))
    return snapshot(incident, config) if incident else None


def by_id(session: Session, config: IncidentConfig, incident_id: int) -> IncidentSnapshot | None:
    """The incident with this id, if it (still) exists."""
    incident = session.get(Incident, incident_id)
    return snapshot(incident, config) if incident else None


def by_number(session: Session, config: IncidentConfig, number: int) -> IncidentSnapshot | None:
    """The incident with this number, if any."""
    incident = session.scalar(select(Incident).where(Incident.number == number))
    return snapshot(incident, config) if incident else None


class IncidentChannels:
    """The timeline's IncidentChannels port: which channels are incidents'."""

    def incident_ids(self, session: Session, channel_ids: set[str]) -> dict[str, int]:
        """The incident id of each of these channels that is an incident's."""
        rows = session.execute(select(Incident.channel_id, Incident.id).where(Incident.channel_id.in_(channel_ids)))
        return {channel_id: incident_id for channel_id, incident_id in rows if channel_id}

    def open_channels(self, session: Session) -> list[str]:
        """Channels of incidents not closed or declined, oldest incident first."""
        return [c for c in session.scalars(select(Incident.channel_id).where(
            Incident.status.not_in(FINISHED), Incident.channel_id.is_not(None)).order_by(Incident.number)) if c]
