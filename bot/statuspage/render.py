"""Rendering the status page: HTML and Atom from Jinja templates a team may override (`templates_dir`, like
the postmortem), in Jinja's sandbox with every value escaped; JSON built directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from bot.config import ConfigError, IncidentConfig
from bot.resources import data_path
from bot.statuspage.queries import PageIncident, PageUpdate, StatusPage

HTML = "status.html.j2"
ATOM = "status.atom.j2"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def page_json(page: StatusPage) -> str:
    """`/status.json`: `{"incidents": [{"number", "title", "status", "severity", "services", "started_at",
    "resolved_at", "updates": [{"at", "text"}]}]}`, times in ISO 8601 UTC, updates newest first."""
    return json.dumps({"incidents": [{
        "number": i.number, "title": i.title, "status": i.status, "severity": i.severity,
        "services": list(i.services), "started_at": _iso(i.started_at), "resolved_at": _iso(i.resolved_at),
        "updates": [{"at": _iso(u.at), "text": u.text} for u in i.updates],
    } for i in page.incidents]}, ensure_ascii=False)


class PageSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with a fast path for the page's own frozen values (their public fields are data):
    the sandbox's check of every attribute was most of a render's time with a thousand incidents."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Public fields and properties of the page's values are safe; anything else is the sandbox's call."""
        if type(obj) in PAGE_VALUES:
            return not attr.startswith("_")
        return bool(super().is_safe_attribute(obj, attr, value))


PAGE_VALUES = (StatusPage, PageIncident, PageUpdate)


class StatusTemplates:
    """The status page templates: the team's folder first, the shipped ones behind it."""

    def __init__(self, config: IncidentConfig, public_url: str | None = None) -> None:
        folders = [str(p) for p in (config.templates_dir, data_path("templates")) if p is not None]
        self.tz = ZoneInfo(config.timezone)
        self.base = (public_url or "").rstrip("/")
        self.env = PageSandbox(loader=ChoiceLoader([FileSystemLoader(f) for f in folders]),
                                        undefined=StrictUndefined, autoescape=True, trim_blocks=True,
                                        lstrip_blocks=True)
        self.env.filters.update(iso=_iso, clock=self._clock)

    def _clock(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %Z") if value else ""

    def _variables(self, page: StatusPage) -> dict[str, Any]:
        host = urlsplit(self.base).hostname or "incident-bot"
        return {"page": page, "open": page.open, "resolved": page.resolved, "base_url": self.base,
                "page_url": f"{self.base}/status", "feed_url": f"{self.base}/status.atom",
                "json_url": f"{self.base}/status.json", "tag": f"tag:{host},2026:status"}

    def html(self, page: StatusPage) -> str:
        """`/status`: the page (no JavaScript)."""
        return self.env.get_template(HTML).render(self._variables(page))

    def atom(self, page: StatusPage) -> str:
        """`/status.atom`: one entry per public update, newest first."""
        entries = sorted(((i, u) for i in page.incidents for u in i.updates), key=lambda e: e[1].at, reverse=True)
        return self.env.get_template(ATOM).render({**self._variables(page), "entries": entries})

    def validate(self, now: datetime) -> None:
        """Render both templates with a sample page; a problem is one ConfigError line naming the file and
        line, so a broken override stops start-up instead of failing the page."""
        for render, name in ((self.html, HTML), (self.atom, ATOM)):
            try:
                render(sample_page(now))
            except TemplateSyntaxError as exc:
                raise ConfigError(f"template {exc.filename or name}:{exc.lineno}: {exc.message}") from None
            except TemplateError as exc:
                raise ConfigError(f"template {name}: {exc.message or exc}") from None


def sample_page(now: datetime) -> StatusPage:
    """A page with one open and one resolved incident, for validating templates."""
    update = PageUpdate(1, now, "Payments are failing for some customers; we are rolling back.")
    live = PageIncident(2, "Checkout errors", "identified", "SEV2", ("checkout-api",), now, None, (update,))
    done = PageIncident(1, "Slow search", "resolved", "SEV3", (), now, now, (PageUpdate(0, now, "Fixed."),))
    return StatusPage((live, done), now)
