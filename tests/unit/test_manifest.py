"""slack-app-manifest.yml is one Slack accepts, and it names what the bot answers to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.config import COMMAND
from bot.slack.blocks.help import help_text
from bot.slack.ids import Callback

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference"
SCHEMA = REFERENCE / "slack-manifest-schema" / "manifest.schema.1.0.0.json"  # see tests/reference/README.md


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text(encoding="utf-8"))
    return loaded


def test_the_manifest_passes_slacks_own_schema() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    problems = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
                for error in validator.iter_errors(manifest())]
    assert problems == []


def test_the_schema_catches_what_slack_refuses() -> None:
    """The check above can fail: a shortcut name over Slack's 24 characters is refused."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    broken = manifest()
    broken["features"]["shortcuts"][0]["name"] = "Declare incident from this message"
    assert [error.validator for error in validator.iter_errors(broken)] == ["maxLength"]


def test_the_manifest_declares_what_the_bot_answers_to() -> None:
    """Callback ids and the command are the contract with Slack: renaming a shortcut keeps its id."""
    features = manifest()["features"]
    assert [command["command"] for command in features["slash_commands"]] == [COMMAND]
    shortcuts = {(shortcut["type"], shortcut["callback_id"]) for shortcut in features["shortcuts"]}
    assert shortcuts == {("global", Callback.DECLARE_SHORTCUT), ("message", Callback.DECLARE_FROM_MESSAGE),
                         ("message", Callback.ADD_TO_TIMELINE), ("message", Callback.ADD_FOLLOWUP)}


def test_help_and_readme_name_the_shortcuts_as_slack_shows_them() -> None:
    names = [shortcut["name"] for shortcut in manifest()["features"]["shortcuts"]]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in names if f"*{name}*" not in help_text([])] == []
    assert [name for name in names if f"**{name}**" not in readme] == []
