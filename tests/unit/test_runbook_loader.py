"""Runbook files: parsing, validation with the file and problem named, matching, the checker and start-up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import IncidentConfig, Severity
from bot.incidents.snapshots import IncidentSnapshot
from bot.resources import data_path
from bot.runbooks.loader import MAX_STEPS, RunbookError, load_library, parse, parse_file
from bot.runbooks.snapshots import ChecklistSnapshot, StepView
from bot.slack.blocks.runbooks import checklist
from bot.slack.blocks.runbooks import markdown_to_mrkdwn as mrkdwn

CONFIG = IncidentConfig()
GOOD = """---
title: Database outage
categories: [Database]
services: ["orders-*", billing-db]
severities: [sev1, SEV2]
---
Protect the data first. See [the dashboard](https://grafana.example.com/d/db).

## Triage
- [ ] Page the DBA on-call
- [ ] Check connections: `SELECT count(*) FROM pg_stat_activity;`
  (compare with max_connections)

## Recover
* [x] Resume the workers
"""


def incident(**fields: object) -> IncidentSnapshot:
    values: dict[str, object] = dict(
        id=1, number=1, title="t", description="", severity="SEV3", severity_description="", major=False,
        priority=None, category=None, service=None, status="investigating", is_private=False, is_drill=False,
        reporter_id="U1", declared_at=datetime(2026, 1, 1, tzinfo=UTC), channel_id="C1", channel_name="inc-1-t",
        source_permalink=None, setup_state="ready")
    values.update(fields)
    return IncidentSnapshot(**values)  # type: ignore[arg-type]


def test_a_runbook_file_is_read_with_its_criteria_steps_and_free_text() -> None:
    runbook = parse("database-outage", GOOD, CONFIG)

    assert runbook.title == "Database outage"
    assert runbook.categories == ("database",) and runbook.severities == ("SEV1", "SEV2")
    assert runbook.services == ("orders-*", "billing-db")
    assert [(s.section, s.text) for s in runbook.steps] == [
        ("Triage", "Page the DBA on-call"),
        ("Triage", "Check connections: `SELECT count(*) FROM pg_stat_activity;` (compare with max_connections)"),
        ("Recover", "Resume the workers"),
    ]
    assert runbook.summary == "Protect the data first. See [the dashboard](https://grafana.example.com/d/db)."


@pytest.mark.parametrize(("text", "problem"), [
    ("no front matter\n- [ ] step\n", "no front matter: the file must start with a `---` line"),
    ("---\ntitle: x\n- [ ] step\n", "the front matter is not closed"),
    ("---\ntitle: Bad: colon: here\n---\n- [ ] step\n", "the front matter is not valid YAML (line 2)"),
    ("---\n- a list\n---\n- [ ] step\n", "the front matter must be `key: value` lines"),
    ("---\ncategories: [database]\n---\n- [ ] step\n", "the front matter needs a title"),
    ("---\ntitle: x\nseverity: SEV1\n---\n- [ ] step\n", "unknown front matter key 'severity' (known: title, "),
    ("---\ntitle: x\ncategories: [datbase]\n---\n- [ ] step\n",
     "unknown category 'datbase' (known: application, infrastructure, network, security, database, third-party)"),
    ("---\ntitle: x\nseverities: [SEV9]\n---\n- [ ] step\n", "unknown severity 'SEV9' (known: SEV1, SEV2, SEV3, SEV4)"),
    ("---\ntitle: x\nservices: {a: b}\n---\n- [ ] step\n", "services must be a list of names"),
    ("---\ntitle: x\n---\nJust prose, no steps.\n- a plain bullet\n", "the checklist is empty"),
    ("---\ntitle: x\n---\n- [ ] \n", "step 1 is empty"),
    ("---\ntitle: " + "x" * 121 + "\n---\n- [ ] a\n", "the title is 121 characters; keep it under 120"),
    ("---\ntitle: x\n---\n- [ ] " + "y" * 1001 + "\n", "step 1 is 1001 characters"),
    ("---\ntitle: x\n---\n" + "- [ ] a\n" * (MAX_STEPS + 1), f"the checklist has {MAX_STEPS + 1} steps"),
])
def test_a_broken_runbook_is_refused_with_the_problem_named(text: str, problem: str) -> None:
    with pytest.raises(RunbookError) as caught:
        parse("broken", text, CONFIG)
    assert problem in str(caught.value)


def test_categories_and_severities_are_checked_against_the_configuration() -> None:
    config = IncidentConfig(categories=("payments",), severities=(Severity("P0", "worst", True),),
                            default_severity="P0")
    runbook = parse("x", "---\ntitle: x\ncategories: payments\nseverities: p0\n---\n- [ ] a\n", config)
    assert (runbook.categories, runbook.severities) == (("payments",), ("P0",))
    with pytest.raises(RunbookError, match="unknown category 'database'"):
        parse("x", "---\ntitle: x\ncategories: database\n---\n- [ ] a\n", config)


def test_matching_needs_every_listed_criterion_and_any_entry_of_each() -> None:
    runbook = parse("database-outage", GOOD, CONFIG)

    assert runbook.applies_to(incident(category="database", service="Orders-API", severity="SEV1"))
    assert runbook.applies_to(incident(category="database", service="billing-db", severity="SEV2"))
    assert not runbook.applies_to(incident(category="database", service="orders-api", severity="SEV3"))
    assert not runbook.applies_to(incident(category="network", service="orders-api", severity="SEV1"))
    assert not runbook.applies_to(incident(category="database", service=None, severity="SEV1"))
    catch_all = parse("all", "---\ntitle: Every incident\n---\n- [ ] a\n", CONFIG)
    assert catch_all.applies_to(incident()) and catch_all.criteria() == "every incident"
    assert runbook.criteria() == "category database · service orders-*, billing-db · severity SEV1, SEV2"


def test_a_folder_gives_the_valid_runbooks_most_specific_first_and_the_problems(tmp_path: Path) -> None:
    (tmp_path / "database-outage.md").write_text(GOOD)
    (tmp_path / "major.md").write_text("---\ntitle: Major\nseverities: [SEV1]\n---\n- [ ] a\n")
    (tmp_path / "broken.md").write_text("---\ntitle: x\n---\nno steps\n")
    (tmp_path / "Bad Name.md").write_text("---\ntitle: x\n---\n- [ ] a\n")
    (tmp_path / "README.md").write_text("# How to write runbooks\n")
    (tmp_path / "notes.txt").write_text("ignored")

    library = load_library(CONFIG, tmp_path)

    assert library.names == ["database-outage", "major"]
    assert sorted(str(p) for p in library.problems) == [
        f"{tmp_path / 'Bad Name.md'}: the file name 'Bad Name' must be lowercase letters, digits, - or _ "
        "(it is the name people type: /incident runbook <name>)",
        f"{tmp_path / 'broken.md'}: the checklist is empty: add steps as `- [ ] what to do` lines",
    ]
    matching = library.matching(incident(category="database", service="orders-db", severity="SEV1"))
    assert [r.name for r in matching] == ["database-outage", "major"]
    assert library.get("Database-Outage.md") is matching[0]
    assert load_library(CONFIG, tmp_path / "missing").problems[0].message == "is not a folder"


def test_the_shipped_runbooks_are_valid_and_cover_the_usual_incidents() -> None:
    library = load_library(CONFIG, data_path("runbooks"))
    assert library.problems == ()
    assert library.names == ["database-outage", "deployment-rollback", "major-incident", "security-breach",
                             "third-party-outage"]
    for runbook in library.runbooks:
        assert parse_file(runbook.path, CONFIG) == runbook
        assert len(checklist(_view(runbook.title, [s.text for s in runbook.steps]))) <= 50


def _view(title: str, steps: list[str]) -> ChecklistSnapshot:
    return ChecklistSnapshot(id=1, incident_id=1, runbook="x", title=title, summary="notes", reason="on declare",
                         steps=tuple(StepView(i, t, None, False, None, None) for i, t in enumerate(steps)),
                         version=0, channel_id="C1", message_ts="1.1")


def test_runbook_markdown_becomes_slack_mrkdwn_with_user_text_escaped() -> None:
    assert mrkdwn("**Stop** the [workers](https://x.example/w) & *wait*") == \
        "*Stop* the <https://x.example/w|workers> &amp; _wait_"
    assert mrkdwn("run `psql < dump.sql` then **check**") == "run `psql &lt; dump.sql` then *check*"


def test_the_checker_passes_the_shipped_runbooks(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INCIDENT_BOT_CONFIG", raising=False)
    assert main(["runbooks", "check"]) == 0
    assert "5 runbook(s) OK" in capsys.readouterr().out


def test_the_checker_names_every_broken_file_and_exits_non_zero(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.md").write_text("---\ntitle: Fine\n---\n- [ ] a\n")
    (tmp_path / "typo.md").write_text("---\ntitle: x\ncategories: [netwrk]\n---\n- [ ] a\n")
    (tmp_path / "empty.md").write_text("---\ntitle: x\n---\nnothing to tick\n")

    assert main(["runbooks", "check", "--dir", str(tmp_path)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err == [f"{tmp_path / 'empty.md'}: the checklist is empty: add steps as `- [ ] what to do` lines",
                   f"{tmp_path / 'typo.md'}: unknown category 'netwrk' (known: application, infrastructure, "
                   "network, security, database, third-party)",
                   f"2 problem(s) in {tmp_path}"]


def test_serve_refuses_to_start_with_a_broken_runbook_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "runbooks"
    folder.mkdir()
    (folder / "db.md").write_text("---\ntitle: x\nseverities: [SEV7]\n---\n- [ ] a\n")
    (tmp_path / "config.yml").write_text("runbooks_dir: runbooks\n")
    for key, value in {"INCIDENT_BOT_CONFIG": str(tmp_path / "config.yml"), "SLACK_BOT_TOKEN": "xoxb-1",
                       "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}.items():
        monkeypatch.setenv(key, value)

    assert main(["serve"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"incident-bot: error: runbook {folder / 'db.md'}: unknown severity 'SEV7' "
                   "(known: SEV1, SEV2, SEV3, SEV4); fix it or run `incident-bot runbooks check`"]
    assert not (tmp_path / "never.db").exists()
