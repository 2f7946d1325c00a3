"""The status page's templates and settings: a team's override wins, a broken one stops start-up with one
line, everything is escaped; INCIDENT_STATUS_PAGE and INCIDENT_PUBLIC_URL are checked."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bot.config import ConfigError, IncidentConfig, load_settings
from bot.statuspage.queries import PageIncident, PageUpdate, StatusPage
from bot.statuspage.render import StatusTemplates, sample_page

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def test_a_template_in_templates_dir_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "status.html.j2").write_text("<h1>Acme status</h1>{% for i in open %}{{ i.title }}{% endfor %}")
    templates = StatusTemplates(dataclasses.replace(IncidentConfig(), templates_dir=tmp_path))
    templates.validate(NOW)
    assert templates.html(sample_page(NOW)) == "<h1>Acme status</h1>Checkout errors"
    assert "<feed" in templates.atom(sample_page(NOW))  # the shipped feed is still behind it


def test_a_broken_override_is_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "status.atom.j2").write_text("{{ page.nothing_here }}")
    with pytest.raises(ConfigError, match=r"template status\.atom\.j2: .*nothing_here"):
        StatusTemplates(dataclasses.replace(IncidentConfig(), templates_dir=tmp_path)).validate(NOW)


def test_every_value_is_escaped_and_the_feed_is_valid_xml() -> None:
    hostile = PageIncident(7, "<script>x()</script> & co", "identified", "SEV1", ("<b>api</b>",), NOW, None,
                           (PageUpdate(3, NOW, "1 < 2 & \"quoted\" ]]> <img src=x>"),))
    page = StatusPage((hostile,), NOW)
    templates = StatusTemplates(IncidentConfig(), "https://status.example.com/")
    html = templates.html(page)
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt; &amp; co" in html and "<img" not in html
    root = ElementTree.fromstring(templates.atom(page).encode())
    ns = "{http://www.w3.org/2005/Atom}"
    [entry] = root.findall(f"{ns}entry")
    assert entry.findtext(f"{ns}content") == "1 < 2 & \"quoted\" ]]> <img src=x>"
    assert entry.findtext(f"{ns}id") == "tag:status.example.com,2026:status:update:3"
    assert root.find(f"{ns}link[@rel='self']").get("href") == "https://status.example.com/status.atom"  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "enabled"), [("", True), ("on", True), ("OFF", False), ("false", False)])
def test_incident_status_page_is_on_or_off(value: str, enabled: bool) -> None:
    assert load_settings({"INCIDENT_STATUS_PAGE": value}).status_page is enabled


def test_bad_status_settings_are_one_line_naming_them() -> None:
    with pytest.raises(ConfigError, match="INCIDENT_STATUS_PAGE must be on or off"):
        load_settings({"INCIDENT_STATUS_PAGE": "maybe"})
    with pytest.raises(ConfigError, match="INCIDENT_PUBLIC_URL must be an http"):
        load_settings({"INCIDENT_PUBLIC_URL": "status.example.com"})
    assert load_settings({"INCIDENT_PUBLIC_URL": "https://x.example/ "}).public_url == "https://x.example"
