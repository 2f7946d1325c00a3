"""The postmortem templates: rendering, escaping, overrides, and broken templates refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, IncidentConfig
from bot.postmortem.render import Templates
from bot.postmortem.sample import sample_context


def render(config: IncidentConfig) -> tuple[str, str]:
    templates = Templates(config)
    variables = sample_context(config).as_template_vars()
    return templates.render_markdown(variables), templates.render_html(variables)


def test_the_shipped_templates_render_every_section() -> None:
    md, html = render(IncidentConfig(timezone="Europe/Berlin"))
    assert "<h2>Appendix: message log</h2>" in html and "Five whys" in html
    for section in ("# Postmortem: DRILL #42", "## Summary", "## Impact", "## Root cause", "## Key events",
                    "## Follow-ups", "### Five whys", "### Contributing factors", "## Appendix: message log",
                    "## Runbooks", "## People", "Time to acknowledge: **3m 0s**", "Time to resolve: **45m 0s**"):
        assert section in md, section
    assert "2026-01-02T10:00:00+01:00" in md  # the configured time zone
    assert "- [x] Check replicas (Ada &lt;admin&gt;" in md and "- [ ] Fail over" in md
    assert "**Commander**: Ada &lt;admin&gt; (from" in md


def test_user_text_is_escaped_in_markdown_and_html() -> None:
    md, html = render(IncidentConfig())
    assert "Checkout &lt;b&gt;down&lt;/b&gt; &amp; out" in md and "<b>down</b>" not in md
    assert "Checkout &lt;b&gt;down&lt;/b&gt; &amp; out" in html and "<b>down</b>" not in html
    assert "Bo &amp; Co" in html and "On it &lt;@U1&gt;" in html


def test_a_team_template_overrides_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "postmortem.md.j2").write_text("Our own review of {{ label }}: {{ incident.title }}\n")
    md, html = render(IncidentConfig(templates_dir=tmp_path))
    assert md == "Our own review of DRILL #42: Checkout &lt;b&gt;down&lt;/b&gt; &amp; out\n"
    assert "<!doctype html>" in html  # the HTML one still comes from the shipped folder


@pytest.mark.parametrize(("text", "fragment"), [
    ("line one\n{% for x in %}\n", "postmortem.md.j2:2"),
    ("ok\nok\n{{ incident.titel }}\n", "postmortem.md.j2:3"),
    ("{{ no_such_variable }}", "postmortem.md.j2:1"),
    ("{{ incident.__class__ }}", "postmortem.md.j2:1"),
])
def test_a_broken_template_is_refused_naming_file_and_line(tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "postmortem.md.j2").write_text(text)
    config = IncidentConfig(templates_dir=tmp_path)
    with pytest.raises(ConfigError) as err:
        Templates(config).validate(sample_context(config).as_template_vars())
    assert fragment in str(err.value) and "\n" not in str(err.value)
