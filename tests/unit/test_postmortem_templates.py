"""The postmortem templates: rendering, escaping, overrides, and broken templates refused with file and line."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, IncidentConfig
from bot.incidents.models import Incident, RoleAssignment
from bot.postmortem.context import Gathered, assemble
from bot.postmortem.render import Templates
from bot.postmortem.sample import sample_context
from bot.timeline.models import TimelineEvent
from bot.timeline.queries import Entry


def render(config: IncidentConfig) -> tuple[str, str]:
    templates = Templates(config)
    variables = sample_context(config).as_template_vars()
    return templates.render_markdown(variables), templates.render_html(variables)


SECTIONS = ("Summary", "Impact", "Detection", "Trigger", "Resolution", "Root cause and contributing factors",
            "Timeline", "People", "SLA", "Action items", "Runbooks", "Updates sent", "Review (blameless)",
            "Message log")


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


def _large_incident() -> Gathered:
    """Two hours, 500 messages (threads of five), a hand-over of command, two investigators at once,
    severity up and down, 12 updates, notes and pins: what a long incident leaves."""
    t0 = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # across the DST change in Europe/Berlin

    def at(minutes: float) -> datetime:
        return t0 + timedelta(minutes=minutes)

    incident = Incident(id=1, number=7, title="Payments `<gateway>` timing out", description="", severity="SEV1",
                        priority="P1", category=None, service="payments", status="closed", is_private=False,
                        is_drill=False, reporter_id="U1", declared_at=t0, acknowledged_at=at(2), mitigated_at=at(95),
                        resolved_at=at(120), closed_at=at(60 * 24), summary="Failed over to the standby gateway",
                        impact="3% of payments failed", root_cause="Connection pool exhausted")
    events = [TimelineEvent(kind="severity_changed", occurred_at=at(10), actor_id="U1",
                            data={"from": "SEV2", "to": "SEV1"}),
              TimelineEvent(kind="severity_changed", occurred_at=at(100), actor_id="U2",
                            data={"from": "SEV1", "to": "SEV2"})]
    assignments = [RoleAssignment(role="commander", user_id="U1", assigned_at=at(2), relieved_at=at(60)),
                   RoleAssignment(role="commander", user_id="U2", assigned_at=at(60)),
                   RoleAssignment(role="investigator", user_id="U3", assigned_at=at(5)),
                   RoleAssignment(role="investigator", user_id="U4", assigned_at=at(6))]
    key = [Entry(t0, "declared", "U1", "Incident declared: Payments timing out (SEV2)", True),
           Entry(at(10), "severity_changed", "U1", "Severity SEV2 → SEV1: spreading", True),
           Entry(at(100), "severity_changed", "U2", "Severity SEV1 → SEV2", True),
           Entry(at(95), "status_changed", "U2", "Status: investigating → monitoring", True),
           Entry(at(120), "resolved", "U2", "Resolved: Failed over", True)]
    key += [Entry(at(10 * n + 3), "update_posted", "U5", f"Update {n}: still failing over | step {n}", True)
            for n in range(12)]
    key += [Entry(at(7 * n + 1), "note", "U3", f"# note {n} && more", True) for n in range(5)]
    log = [Entry(at(n * 0.24), "message", f"U{n % 4 + 1}", f"message {n} `<level>` & so on", False,
                 ts=f"{n}.0", thread_ts=None if n % 5 == 0 else f"{n - n % 5}.0") for n in range(500)]
    key += [Entry(e.at, "message", e.actor_id, e.text, True, ts=e.ts) for e in log[::100]]
    key.sort(key=lambda e: e.at)
    return Gathered(incident, events, assignments, [], key, log, [])


def test_a_two_hour_500_message_incident_keeps_the_main_document_short(tmp_path: Path) -> None:
    config = IncidentConfig(timezone="Europe/Berlin")
    names = {f"U{n}": name for n, name in enumerate(["", "Ada", "Bo", "Carol", "Dave", "Eve"]) if n}
    md = Templates(config).render_markdown(
        assemble(config, _large_incident(), names, datetime(2026, 3, 30, tzinfo=UTC)).as_template_vars())
    (Path(os.environ.get("PM13_DUMP_DIR") or tmp_path) / "postmortem-large.md").write_text(md)
    main, log = md.split("## Message log")
    assert len(main.splitlines()) < 170, len(main.splitlines())  # a meeting reads this
    assert log.count("message ") == 500 and log.count("\n    - ") == 400  # every reply under its parent
    assert "**Commander**: Ada (00:32 to 01:30) → Bo (01:30 to the end)" in main  # CET → CEST
    assert "**Investigator**: Carol (00:35 to the end), Dave (00:36 to the end)" in main
    assert "| SEV1 | 00:40 | 03:10 | 1 h 30 min |" in main and "| Lasted | 1 h 35 min |" in main
    assert main.count("**📣 Update**") == 12 and main.count("**📝 Note**") == 5 and main.count("**📌 Pinned**") == 5
    assert "`<level>`" in log and "&amp;lt;" not in md
    assert "| 00:33 | **📣 Update**: Update 0: still failing over \\| step 0 | Eve |" in main
