"""The status page's read-model: the published incidents (at least one public update), their state and
their public updates, and nothing else. Private incidents and drills never appear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.config import DECLINED
from bot.incidents.models import Incident
from bot.markup import readable
from bot.statuspage.models import PublicUpdate

WINDOW = timedelta(days=90)  # resolved incidents stay on the page this long
ENDED = ("resolved", "closed", DECLINED.name)


@dataclass(frozen=True)
class PageUpdate:
    """A public update as the page shows it: when, and the text (Slack markup made plain)."""

    id: int
    at: datetime
    text: str


@dataclass(frozen=True)
class PageIncident:
    """A published incident as the page shows it; `updates` newest first."""

    number: int
    title: str
    status: str
    severity: str
    services: tuple[str, ...]
    started_at: datetime
    resolved_at: datetime | None
    updates: tuple[PageUpdate, ...]

    @property
    def is_open(self) -> bool:
        """Not yet resolved (nor closed or declined)."""
        return self.status not in ENDED

    @property
    def updated_at(self) -> datetime:
        """The newest public update (or the start, for a page without one, which never happens)."""
        return self.updates[0].at if self.updates else self.started_at


@dataclass(frozen=True)
class StatusPage:
    """Everything the page, the feed and the JSON show: open incidents first, then those resolved."""

    incidents: tuple[PageIncident, ...]
    generated_at: datetime

    @property
    def open(self) -> tuple[PageIncident, ...]:
        """The incidents still open."""
        return tuple(i for i in self.incidents if i.is_open)

    @property
    def resolved(self) -> tuple[PageIncident, ...]:
        """The incidents resolved within the window."""
        return tuple(i for i in self.incidents if not i.is_open)

    @property
    def updated_at(self) -> datetime:
        """The newest public update on the page (the generation time when there is none)."""
        return max((i.updated_at for i in self.incidents), default=self.generated_at)


def _shown(now: datetime) -> ColumnElement[bool]:
    """Published, neither private nor a drill; open, or ended within the window (a declined incident, with
    no end time, leaves the page)."""
    other = aliased(PublicUpdate)  # its own name, so the query of updates can join PublicUpdate too
    published = select(other.id).where(other.incident_id == Incident.id).exists()
    ended = func.coalesce(Incident.resolved_at, Incident.closed_at)
    return and_(Incident.is_private.is_(False), Incident.is_drill.is_(False), published,
                or_(Incident.status.not_in(ENDED), ended >= now - WINDOW))


def status_page(session: Session, now: datetime) -> StatusPage:
    """The status page as of `now`: two queries, whatever the number of incidents."""
    shown = _shown(now)
    rows = session.execute(select(Incident.id, Incident.number, Incident.title, Incident.status, Incident.severity,
                                  Incident.service, Incident.declared_at, Incident.resolved_at).where(shown)).all()
    updates: dict[int, list[PageUpdate]] = {}
    for incident_id, update_id, at, text in session.execute(
            select(PublicUpdate.incident_id, PublicUpdate.id, PublicUpdate.posted_at, PublicUpdate.text)
            .join(Incident, Incident.id == PublicUpdate.incident_id).where(shown)
            .order_by(PublicUpdate.posted_at.desc(), PublicUpdate.id.desc())):
        updates.setdefault(incident_id, []).append(PageUpdate(update_id, at, readable(text, entities=False)))
    incidents = [PageIncident(number=r.number, title=r.title, status=r.status, severity=r.severity,
                              services=(r.service,) if r.service else (), started_at=r.declared_at,
                              resolved_at=r.resolved_at, updates=tuple(updates.get(r.id, ())))
                 for r in rows]
    open_first = sorted((i for i in incidents if i.is_open), key=lambda i: i.started_at, reverse=True)
    ended = sorted((i for i in incidents if not i.is_open), key=lambda i: i.resolved_at or i.updated_at,
                   reverse=True)
    return StatusPage(incidents=tuple(open_first + ended), generated_at=now)
