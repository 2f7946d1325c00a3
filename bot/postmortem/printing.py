"""`incident-bot postmortem <number> [--format md|html]`: the postmortem from the database, no Slack needed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from bot.db import make_engine, make_sessions
from bot.postmortem import service
from bot.postmortem.render import Templates


def postmortem_text(settings: Settings, number: int, fmt: str) -> str:
    """The stored Markdown of a closed incident, or a fresh rendering (always fresh for HTML).

    Names are those resolved when the incident closed; before that, people show as their Slack ids.
    Raises NotFound for an unknown number.
    """
    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine).begin() as session:
            incident = service.incident_by_number(session, number)
            kept = service.stored(session, incident.id)
            if kept is not None and fmt == "md":
                return kept.markdown
            people = dict(kept.people or {}) if kept is not None else {}
            text, _ = service.render(session, settings.incident, Templates(settings.incident), incident,
                                     lambda ids: {i: people[i] for i in ids if i in people}, datetime.now(UTC),
                                     fmt=fmt)
            return text
    finally:
        engine.dispose()
