"""Rendering postmortems with a sandboxed Jinja environment a team may override, validated at start-up."""

from __future__ import annotations

import traceback
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from bot import markup
from bot.config import ConfigError, IncidentConfig
from bot.resources import data_path

MARKDOWN = "postmortem.md.j2"
HTML = "postmortem.html.j2"
TEMPLATES = (MARKDOWN, HTML)


def escape_text(value: Any) -> str:
    """Escape `&`, `<`, `>` in user text going into Markdown, so it cannot smuggle HTML into a viewer."""
    if isinstance(value, Markup):
        return str(value)
    return markup.escape(str(value))


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "n/a"
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = ([f"{days}d"] if days else []) + ([f"{hours}h"] if hours or days else [])
    parts += [f"{minutes}m", f"{secs}s"] if not days else [f"{minutes}m"]
    return sign + " ".join(parts)


class Templates:
    """The postmortem templates: the team's folder first, the shipped ones behind it."""

    def __init__(self, config: IncidentConfig) -> None:
        folders = [str(p) for p in (config.templates_dir, data_path("templates")) if p is not None]
        self.folders = folders
        self.tz = ZoneInfo(config.timezone)
        loader = ChoiceLoader([FileSystemLoader(f) for f in folders])
        common: dict[str, Any] = {"loader": loader, "undefined": StrictUndefined, "trim_blocks": True,
                                  "lstrip_blocks": True, "keep_trailing_newline": True}
        self.markdown = SandboxedEnvironment(autoescape=False, finalize=escape_text, **common)
        self.html = SandboxedEnvironment(autoescape=True, **common)
        for env in (self.markdown, self.html):
            env.filters.update(when=self._when, clock=self._clock, duration=_duration, day=self._day)

    def _when(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value else "n/a"

    def _clock(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S") if value else "n/a"

    def _day(self, value: date | None) -> str:
        return value.isoformat() if value else "n/a"

    def render_markdown(self, variables: dict[str, Any]) -> str:
        """The Markdown postmortem."""
        return self.markdown.get_template(MARKDOWN).render(variables)

    def render_html(self, variables: dict[str, Any]) -> str:
        """The HTML page (every value escaped)."""
        return self.html.get_template(HTML).render(variables)

    def validate(self, sample: dict[str, Any]) -> None:
        """Load and render every template with a sample incident; a problem is one ConfigError line naming the
        file and line, so a broken template stops start-up instead of failing when an incident closes."""
        for env, name in ((self.markdown, MARKDOWN), (self.html, HTML)):
            try:
                env.get_template(name).render(sample)
            except TemplateSyntaxError as exc:
                raise ConfigError(f"template {exc.filename or name}:{exc.lineno}: {exc.message}") from None
            except TemplateError as exc:
                where = _template_frame(exc, name)
                raise ConfigError(f"template {where}: {exc.message or exc}") from None
            except Exception as exc:  # a template calling something that fails on the sample
                where = _template_frame(exc, name)
                raise ConfigError(f"template {where}: {exc.__class__.__name__}: {exc}") from None


def _template_frame(exc: BaseException, name: str) -> str:
    """`path:line` of the innermost template frame in the traceback (Jinja rewrites frames to template lines)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return name

