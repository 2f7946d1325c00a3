"""Rendering postmortems with a sandboxed Jinja environment a team may override, validated at start-up."""

from __future__ import annotations

import re
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


CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# what makes a line something other than text: a heading, quote, list item, rule, table row or fence
BLOCK_START = re.compile(r"^([ \t]*)([#>|]|[-+*](?=\s|$)|(\d+)[.)](?=\s|$)|={3,}|`{3,}|~{3,})", re.M)


def escape_text(value: Any) -> str:
    """User text made safe for where it lands in Markdown: `&`, `<`, `>` escaped outside code spans (inside
    one an entity would show literally, and nothing there is HTML), and a line that would start a heading,
    quote, list, table or fence escaped with a backslash, so logged text stays text."""
    if isinstance(value, Markup):
        return str(value)
    text, out, pos = str(value), [], 0
    for span in CODE_SPAN.finditer(text):
        out += [markup.escape(text[pos:span.start()]), span.group(0)]
        pos = span.end()
    out.append(markup.escape(text[pos:]))
    return BLOCK_START.sub(_escape_block, "".join(out))


def _escape_block(m: re.Match[str]) -> str:
    if m.group(3) is not None:  # `1.` → `1\.`
        return m.group(1) + m.group(3) + "\\" + m.group(2)[len(m.group(3)):]
    return m.group(1) + "\\" + m.group(2)


def table_cell(value: Any) -> Markup:
    """A value for a Markdown table cell: escaped, on one line, with `|` escaped."""
    return Markup(" ".join(escape_text(value if value is not None else "").split()).replace("|", "\\|"))


def _duration(value: timedelta | None) -> str:
    return "n/a" if value is None else markup.duration_text(value)


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
        self.markdown.filters["cell"] = table_cell
        self.html.filters["cell"] = lambda value: value if value is not None else ""

    def _when(self, value: datetime | None) -> str:
        """`2026-03-04 10:00 CET`: a date, a time and the zone's abbreviation (the one time format in files)."""
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %Z") if value else "n/a"

    def _clock(self, value: datetime | None) -> str:
        """`10:00`, in the configured zone (the document names the zone once)."""
        return value.astimezone(self.tz).strftime("%H:%M") if value else "n/a"

    def _day(self, value: date | datetime | None) -> str:
        """`2026-03-04`; a time is first put in the configured zone."""
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
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

