"""slack-app-manifest.yml is one Slack accepts, and it names what the bot answers to."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from slack_sdk import WebClient
from slack_sdk.web.base_client import BaseClient

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


# Scopes ---------------------------------------------------------------------------------------------
# Each Web API method the bot calls → the bot scopes it needs here. From "scope.bot" of the project's
# Slack reference (slack-api/methods/<method>.json, extracted into tests/reference/slack-api/scopes.json;
# a test below checks each entry against it). Where the reference lists alternatives, one per kind of
# conversation, the entry keeps those for the conversations the bot uses: public channels and private
# ones (private incidents; `channels:manage`/`groups:write` also cover invites, topic and purpose).
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.getPermalink": set(),
    "chat.postEphemeral": {"chat:write"},
    "chat.postMessage": {"chat:write"},  # DMs too: posting to a user id needs no im:write
    "chat.update": {"chat:write"},
    "conversations.archive": {"channels:manage", "groups:write"},
    "conversations.create": {"channels:manage", "groups:write"},
    "conversations.history": {"channels:history", "groups:history"},
    "conversations.invite": {"channels:manage", "groups:write"},
    "conversations.list": {"channels:read", "groups:read"},  # types=public_channel,private_channel
    "conversations.replies": {"channels:history", "groups:history"},
    "conversations.setPurpose": {"channels:manage", "groups:write"},
    "conversations.setTopic": {"channels:manage", "groups:write"},
    "files.completeUploadExternal": {"files:write"},
    "files.getUploadURLExternal": {"files:write"},
    "files.info": {"files:read"},
    "pins.add": {"pins:write"},
    "usergroups.users.list": {"usergroups:read"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "views.open": set(),
    "views.publish": set(),
    "views.update": set(),
}
# slack_sdk helpers that are several Web API calls (slack_sdk/web/client.py).
SDK_HELPERS = {"files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal")}
# Each event the manifest subscribes to → the scopes Slack requires for it (slack-api/events/<event>.json,
# in scopes.json too; member_joined_channel: the public and private alternatives, as above).
EVENT_SCOPES: dict[str, set[str]] = {
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "reaction_added": {"reactions:read"},
    "reaction_removed": {"reactions:read"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "app_home_opened": set(),
    "tokens_revoked": set(),
    "app_uninstalled": set(),
}
# Scopes no method or event of the reference names, each with its reason.
OTHER_SCOPES = {
    "commands": "the /incident command and the shortcuts (any slash command or shortcut needs it)",
    "chat:write.public": "posting in public channels the bot has not joined (chat.postMessage documents it): "
                         "the announcement channel before the bot is invited, ephemeral answers in the "
                         "channel a form was opened from (a DM when Slack refuses)",
}
CALL = re.compile(r"\.([a-z]+(?:_[A-Za-z0-9]+)+)\(")  # client.chat_postMessage(
NAMED = re.compile(r"""["']([a-z]+(?:_[A-Za-z0-9]+)+)["']""")  # getattr(client, "conversations_history")
API_CALL = re.compile(r"""api_call\(\s*["']([A-Za-z0-9.]+)["']""")


def reference_scopes() -> dict[str, dict[str, list[str]]]:
    loaded: dict[str, dict[str, list[str]]] = json.loads((REFERENCE / "slack-api" / "scopes.json").read_text())
    return loaded


def called_methods() -> dict[str, set[str]]:
    """Web API method → the files under bot/ (the emulator aside) that call it through a WebClient."""
    found: dict[str, set[str]] = {}
    sdk_names = {name for name in dir(WebClient) if not name.startswith("_")} - set(dir(BaseClient))
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if "emulator" in path.relative_to(ROOT / "bot").parts:
            continue
        source = path.read_text(encoding="utf-8")
        methods = [method for name in [*CALL.findall(source), *NAMED.findall(source)] if name in sdk_names
                   for method in SDK_HELPERS.get(name, (name.replace("_", "."),))]
        for method in [*methods, *API_CALL.findall(source)]:
            found.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_the_calls() -> None:
    """The scan sees calls however they are spelt (a call, a name handed to getattr), helpers expanded."""
    called = called_methods()
    assert "bot/slack/adapters/chat.py" in called["conversations.list"]
    assert "bot/slack/adapters/postmortem.py" in called["files.completeUploadExternal"]
    assert "bot/slack/adapters/history.py" in called["conversations.replies"]
    assert "files.upload.v2" not in called


def test_every_called_method_is_in_the_mapping_and_the_reference() -> None:
    called, reference = called_methods(), reference_scopes()["methods"]
    assert {method: sorted(paths) for method, paths in called.items() if method not in METHOD_SCOPES} == {}
    assert sorted(set(METHOD_SCOPES) - set(called)) == []  # an entry for a call that is gone
    assert {method: sorted(scopes) for method, scopes in METHOD_SCOPES.items()
            if method not in reference or not scopes <= set(reference[method])} == {}
    assert {method for method, scopes in METHOD_SCOPES.items() if not scopes and reference[method]} == set()


def test_every_subscribed_event_is_in_the_mapping_and_the_reference() -> None:
    events, reference = manifest()["settings"]["event_subscriptions"]["bot_events"], reference_scopes()["events"]
    assert sorted(events) == sorted(EVENT_SCOPES)
    assert {event: sorted(scopes) for event, scopes in EVENT_SCOPES.items()
            if event not in reference or not scopes <= set(reference[event])} == {}
    assert {event for event, scopes in EVENT_SCOPES.items() if not scopes and reference[event]} == set()


def test_the_manifest_requests_exactly_the_scopes_the_code_needs() -> None:
    """Admins approving the app ask why each scope is there: every one has a call, an event or a reason."""
    needed = {scope for method in called_methods() for scope in METHOD_SCOPES.get(method, set())}
    needed |= {scope for scopes in EVENT_SCOPES.values() for scope in scopes} | set(OTHER_SCOPES)
    requested = manifest()["oauth_config"]["scopes"]["bot"]
    assert len(requested) == len(set(requested))
    assert {"requested, never needed": sorted(set(requested) - needed),
            "needed, not requested": sorted(needed - set(requested))} == {
        "requested, never needed": [], "needed, not requested": []}


def test_the_readme_says_why_for_each_scope() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Running it for real\n", 1)[1]
    rows = [line.split("|")[1] for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("| `")]
    explained = [scope for row in rows for scope in re.findall(r"`([a-z.]+:[a-z.:]+|commands)`", row)]
    assert sorted(explained) == sorted(manifest()["oauth_config"]["scopes"]["bot"])


def test_the_emulator_grants_the_scopes_the_manifest_requests() -> None:
    from bot.emulator.server import BOT_SCOPES

    assert sorted(BOT_SCOPES.split(",")) == sorted(manifest()["oauth_config"]["scopes"]["bot"])
