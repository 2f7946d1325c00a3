"""Re-classifying an incident: its category and its affected service.

`parse_*` check what was typed (before anything is acknowledged); `set_field` is the change itself, run on
the steering path under the incident's row lock (`bot.incidents.steering.reclassify`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.errors import InvalidInput
from bot.incidents.models import Incident
from bot.incidents.news import Reclassified
from bot.incidents.service import MAX_SERVICE
from bot.timeline.events import record
from bot.timeline.kinds import EventKind

CLEAR = ("none", "-")
FIELDS = {"category": (EventKind.CATEGORY_CHANGED, "Category"),
          "service": (EventKind.SERVICE_CHANGED, "Affected service")}


def parse_category(config: IncidentConfig, typed: str) -> str | None:
    """The category typed (`none` clears it: None); InvalidInput when it is not a configured one."""
    category = typed.strip().lower()
    if not category:
        raise InvalidInput(f"Say which category: {', '.join(config.categories)} (or `none`).", field="category")
    new = None if category in CLEAR else category
    if new is not None and new not in config.categories:
        raise InvalidInput(f"`{typed.strip()}` is not a category. Use one of: {', '.join(config.categories)} "
                           "(or `none`).", field="category")
    return new


def parse_service(typed: str) -> str | None:
    """The affected service typed (`none` clears it: None); InvalidInput when blank or too long."""
    service = " ".join(typed.split())
    if not service:
        raise InvalidInput("Say which service is affected, e.g. `checkout-api` (or `none`).", field="service")
    if len(service) > MAX_SERVICE:
        raise InvalidInput(f"The service name is too long; keep it under {MAX_SERVICE} characters.", field="service")
    return None if service.lower() in CLEAR else service


def set_field(session: Session, incident: Incident, field: str, new: str | None, by: str,
              now: datetime) -> list[Reclassified]:
    """Set `field` (category or service) and record it; refused when it already has that value."""
    kind, label = FIELDS[field]
    old = getattr(incident, field)
    if old == new:
        raise InvalidInput(f"The {'affected service' if field == 'service' else field} already is "
                           f"*{new or 'none'}*.", field=field)
    setattr(incident, field, new)
    record(session, incident.id, kind, by=by, now=now, text=f"{label} changed: {old or 'none'} → {new or 'none'}",
           data={"from": old, "to": new})
    return [Reclassified(field, old, new, by)]
