"""Settings and the YAML incident configuration: defaults, overrides, and one-line refusals."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, normalize_database_url


def write(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "incident-bot.yml"
    path.write_text(text)
    return {"INCIDENT_BOT_CONFIG": str(path)}


def test_defaults() -> None:
    s = load_settings({})
    assert s.database_url == "sqlite:///incident-bot.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.incident.severity_names == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert [x.name for x in s.incident.severities if x.major] == ["SEV1", "SEV2"]
    assert s.incident.default_severity == "SEV3"
    assert s.incident.status_names[-1] == "declined"
    assert [r.name for r in s.incident.roles] == ["commander", "investigator", "communicator"]
    assert s.incident.channel_name_template == "inc-{number}-{slug}"


def test_secrets_never_show_in_repr() -> None:
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-very-secret", "SLACK_SIGNING_SECRET": "shh-secret"})
    assert "very-secret" not in repr(s) and "shh-secret" not in repr(s)


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u:p@db:5432/x", "postgresql+psycopg://u:p@db:5432/x"),
    ("postgresql://u@db/x", "postgresql+psycopg://u@db/x"),
    ("sqlite:///a.db", "sqlite:///a.db"),
])
def test_database_urls_as_platforms_hand_them_out(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_the_yaml_file_overrides_the_defaults(tmp_path: Path) -> None:
    env = write(tmp_path, """
severities:
  - {name: P0, description: everything is down, major: true}
  - {name: P1, description: bad}
  - {name: P2, description: meh}
default_severity: P2
roles: [lead, scribe]
channel_name_template: "incident-{number}-{slug}"
timezone: Europe/Berlin
""")
    cfg = load_settings(env).incident
    assert cfg.severity_names == ["P0", "P1", "P2"] and cfg.default_severity == "P2"
    assert [r.name for r in cfg.roles] == ["lead", "scribe"]
    assert cfg.channel_name_template == "incident-{number}-{slug}"
    assert cfg.timezone == "Europe/Berlin"


@pytest.mark.parametrize(("text", "fragment"), [
    ("severities: [", "line"),
    ("severities: []", "severities must be a non-empty list"),
    ("default_severity: SEV9", "default_severity 'SEV9' is not one of the severities"),
    ("channel_name_template: 'inc-{slug}'", "must contain {number}"),
    ("channel_name_template: 'inc-{number}-{team}'", "may only use {number} and {slug}"),
    ("timezone: Mars/Olympus", "not an IANA time zone"),
    ("colour: blue", "unknown setting 'colour'"),
    ("reminders: {SEV1: 30m}", "unknown setting 'reminders'"),  # accepted once and never read: gone
    ("statuses: [open, closed]", "must include 'resolved'"),
    ("- just a list", "top level must be a mapping"),
    ("roles: [lead, Lead]", "names 'lead' twice"),
])
def test_an_invalid_file_is_refused_in_one_line_naming_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text))
    message = str(err.value)
    assert fragment in message and "\n" not in message and "incident-bot.yml" in message


@pytest.mark.parametrize(("env", "fragment"), [
    ({"PORT": "http"}, "PORT must be a port number"),
    ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL must be an http(s) URL"),
    ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database URL"),
    ({"INCIDENT_BOT_CONFIG": "/nowhere/x.yml"}, "file not found"),
])
def test_bad_environment_values_are_named(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=None) as err:
        load_settings(env)
    assert fragment in str(err.value)


def test_serve_needs_the_tokens_for_its_mode() -> None:
    s = load_settings({})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        s.require_slack(socket_mode=False)
    s = load_settings({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        s.require_slack(socket_mode=False)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        s.require_slack(socket_mode=True)
