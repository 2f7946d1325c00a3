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


SECTIONS = ("Summary", "Impact", "Detection", "Trigger", "Resolution", "Root cause and contributing factors",
            "Timeline", "People", "Action items", "Runbooks", "Updates sent", "Review (blameless)", "Message log")


def test_the_shipped_templates_render_the_same_sections_in_order() -> None:
    md, html = render(IncidentConfig(timezone="Europe/Berlin"))
    md_sections = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    html_sections = [part.split("</h2>")[0] for part in html.split("<h2>")[1:]]
    assert md_sections == list(SECTIONS) and html_sections == list(SECTIONS)
    for sub in ("### What went well", "### Where we got lucky", "### Five whys", "### Lessons learned"):
        assert sub in md
    assert "| Document | **Draft** for the review" in md and "| Owner | Bo &amp; Co |" in md
    assert "| Review date | _to be set_ |" in md


def test_one_time_format_with_the_zone_named_once_and_human_durations() -> None:
    md, _ = render(IncidentConfig(timezone="Europe/Berlin"))
    assert "All times in this document are Europe/Berlin." in md
    assert "T10:00" not in md and "+01:00" not in md and ":00:00" not in md  # no ISO, no seconds
    assert "| Declared by | Ada &lt;admin&gt;, 2026-01-02 10:00 CET |" in md
    assert "| Lasted | 30 min |" in md  # the impact window: declared → mitigated
    assert "| SEV2 | 10:00 | 10:05 | 5 min |" in md and "| SEV1 | 10:05 | 10:45 | 40 min |" in md
    assert "a commander took it 3 min later" in md
    assert "| Closed |" not in md  # a milestone not reached is left out


def test_the_timeline_is_one_labelled_table_and_roles_draw_hand_overs_right() -> None:
    md, _ = render(IncidentConfig(timezone="Europe/Berlin"))
    timeline = md.split("## Timeline")[1].split("## People")[0]
    assert "2026-01-02, times Europe/Berlin." in timeline
    assert "| 10:02 | **📝 Note**: Paged the DBA | Ada &lt;admin&gt; |" in timeline
    assert "| 10:06 | **📌 Pinned**: Errors &gt; 5% &amp;&amp; rising | Ada &lt;admin&gt; |" in timeline
    assert "| 10:30 | **Impact ended** |" in timeline
    assert "**Commander**: Ada &lt;admin&gt; (10:01 to 10:20) → Bo &amp; Co (10:20 to the end)" in md
    assert "**Investigator**: Ada &lt;admin&gt; (10:01 to 10:20), Bo &amp; Co (10:20 to the end)" in md
    assert "- [x] Check replicas (Ada &lt;admin&gt;, 10:04)" in md and "<summary>Not done: 1 steps</summary>" in md


def test_markdown_escaping_fits_where_the_text_lands() -> None:
    md, _ = render(IncidentConfig())
    # a code span keeps its characters (an entity there would show literally); a table cell escapes `|`;
    # a line that would start a heading stays text
    assert "| 09:04 | **📣 Update**: \\# Rolling back \\| v2.3 `<level>` | Bo &amp; Co |" in md
    assert "- 09:04 · Bo &amp; Co: \\# Rolling back | v2.3 `<level>`" in md
    assert "**Bo &amp; Co**: \\# not a heading" in md
    assert not [line for line in md.splitlines() if line.lstrip().startswith("# not")]


def test_the_message_log_is_folded_with_replies_under_their_parents() -> None:
    md, html = render(IncidentConfig())
    log = md.split("## Message log")[1]
    assert log.lstrip().startswith("<details>") and "</details>" in log
    assert "- 09:01 **Ada &lt;admin&gt;**: Seeing 500s\n    since 09:00 _(edited)_ [file: graph.png]\n" \
           "    - 09:02 **Bo &amp; Co**: On it &lt;@U1&gt;" in log
    assert "<details>" in html and '<li class="reply">' in html


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
