"""Rendering, storing and reading postmortems. Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.errors import NotFound
from bot.incidents.models import Incident
from bot.postmortem import context
from bot.postmortem.models import Postmortem
from bot.postmortem.render import Templates


def incident_by_number(session: Session, number: int) -> Incident:
    """The incident with this number, or NotFound."""
    found = session.scalar(select(Incident).where(Incident.number == number))
    if found is None:
        raise NotFound(f"There is no incident #{number}.")
    return found


def render(session: Session, config: IncidentConfig, templates: Templates, incident: Incident,
           names: context.Names, now: datetime, *, fmt: str = "md") -> tuple[str, dict[str, str]]:
    """The postmortem of `incident` in Markdown (or HTML), and the names it used."""
    used: dict[str, str] = {}

    def remember(ids: set[str]) -> dict[str, str]:
        used.update(names(ids))
        return used

    variables = context.build(session, config, incident, remember, now).as_template_vars()
    text = templates.render_html(variables) if fmt == "html" else templates.render_markdown(variables)
    return text, used


def render_gathered(config: IncidentConfig, templates: Templates, gathered: context.Gathered, names: dict[str, str],
                    now: datetime) -> str:
    """The Markdown postmortem of what was gathered, with these names (no database or chat needed)."""
    return templates.render_markdown(context.assemble(config, gathered, names, now).as_template_vars())


def store(session: Session, incident: Incident, markdown: str, people: dict[str, str], now: datetime) -> Postmortem:
    """Keep the rendered postmortem (a re-close after a reopen replaces it)."""
    row = session.scalar(select(Postmortem).where(Postmortem.incident_id == incident.id))
    if row is None:
        row = Postmortem(incident_id=incident.id, markdown=markdown, rendered_at=now, people=people)
        session.add(row)
    else:
        row.markdown, row.rendered_at, row.people, row.file_id, row.permalink = markdown, now, people, None, None
    session.flush()
    return row


def stored(session: Session, incident_id: int) -> Postmortem | None:
    """The postmortem kept when the incident closed, if any."""
    return session.scalar(select(Postmortem).where(Postmortem.incident_id == incident_id))
