"""Writes that re-classify an incident: its category and its affected service. Callers own the transaction.

After committing a change, callers post the runbooks that now apply (`bot.runbooks.posting.post_matching`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents.models import Incident
from bot.incidents.service import MAX_SERVICE
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

CLEAR = ("none", "-")


def change_category(session: Session, config: IncidentConfig, incident_id: int, typed: str, *, actor_id: str,
                    now: datetime) -> tuple[str | None, str | None] | None:
    """Set the category (`none` clears it); returns (old, new), or None when it already was that."""
    category = typed.strip().lower()
    if not category:
        raise InvalidInput(f"Say which category: {', '.join(config.categories)} (or `none`).", field="category")
    new = None if category in CLEAR else category
    if new is not None and new not in config.categories:
        raise InvalidInput(f"`{typed.strip()}` is not a category. Use one of: {', '.join(config.categories)} "
                           "(or `none`).", field="category")
    return _set(session, incident_id, "category", new, EventKind.CATEGORY_CHANGED, "Category", actor_id, now)


def change_service(session: Session, incident_id: int, typed: str, *, actor_id: str,
                   now: datetime) -> tuple[str | None, str | None] | None:
    """Set the affected service (`none` clears it); returns (old, new), or None when it already was that."""
    service = " ".join(typed.split())
    if not service:
        raise InvalidInput("Say which service is affected, e.g. `checkout-api` (or `none`).", field="service")
    if len(service) > MAX_SERVICE:
        raise InvalidInput(f"The service name is too long; keep it under {MAX_SERVICE} characters.", field="service")
    new = None if service.lower() in CLEAR else service
    return _set(session, incident_id, "service", new, EventKind.SERVICE_CHANGED, "Affected service", actor_id,
                now)


def _set(session: Session, incident_id: int, field: str, new: str | None, kind: EventKind, label: str,
         actor_id: str, now: datetime) -> tuple[str | None, str | None] | None:
    """Change one field under the row lock and record it; None when it already had that value."""
    incident = session.get_one(Incident, incident_id, with_for_update=True)
    old = getattr(incident, field)
    if old == new:
        return None
    setattr(incident, field, new)
    record(session, incident_id, kind, by=actor_id, now=now, text=f"{label} changed: {old or 'none'} → {new or 'none'}",
           data={"from": old, "to": new})
    return old, new
