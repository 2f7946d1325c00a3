"""Settings: the environment and the YAML incident configuration, read once into frozen objects.

Only `bot/__main__.py` calls `load_settings`; everything else receives a `Settings`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True)
class Severity:
    name: str
    description: str
    major: bool


@dataclass(frozen=True)
class Status:
    name: str
    description: str


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    single: bool = True


COMMAND = "/incident"  # the slash command the bot answers to (the manifest declares it); answers name it
DEFAULT_SEVERITIES = (
    Severity("SEV1", "Critical: a core service is down or data is at risk for many customers", True),
    Severity("SEV2", "Major: a core feature is badly degraded or a significant share of customers is hit", True),
    Severity("SEV3", "Minor: limited impact, a workaround exists", False),
    Severity("SEV4", "Low: cosmetic or internal, no customer impact", False),
)
DEFAULT_PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_CATEGORIES = ("application", "infrastructure", "network", "security", "database", "third-party")
DEFAULT_STATUSES = (
    Status("investigating", "We are looking into it"),
    Status("identified", "The cause is known and a fix is under way"),
    Status("monitoring", "A fix is in place and we are watching"),
    Status("resolved", "Service is restored"),
    Status("closed", "The review is done"),
)
DECLINED = Status("declined", "A false alarm")
DEFAULT_ROLES = (
    Role("commander", "Leads the response: decides, delegates and keeps everyone in step.", True),
    Role("investigator", "Finds the cause and the fix; reports findings in the channel.", False),
    Role("communicator", "Keeps stakeholders informed: posts updates at a steady rhythm.", True),
)
CHANNEL_TEMPLATE_FIELDS = {"number", "slug"}


@dataclass(frozen=True)
class IncidentConfig:
    """What a team may change about incidents: levels, lifecycle, roles, naming."""

    severities: tuple[Severity, ...] = DEFAULT_SEVERITIES
    priorities: tuple[str, ...] = DEFAULT_PRIORITIES
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    statuses: tuple[Status, ...] = DEFAULT_STATUSES
    roles: tuple[Role, ...] = DEFAULT_ROLES
    channel_name_template: str = "inc-{number}-{slug}"
    default_severity: str = "SEV3"
    timezone: str = "UTC"
    templates_dir: Path | None = None
    runbooks_dir: Path | None = None
    key_reaction: str = "pushpin"          # reacting with it marks a message as a key event
    permission: str = "anyone"             # who may change severity, roles, status: anyone | commander
    admins: tuple[str, ...] = ()           # user ids (U…) or user-group ids (S…) allowed to override
    archive_on_close: bool = False         # archive the incident channel after the postmortem is posted

    @property
    def severity_names(self) -> list[str]:
        """Severity names, most severe first."""
        return [s.name for s in self.severities]

    @property
    def status_names(self) -> list[str]:
        """Lifecycle states in order, then `declined`."""
        return [s.name for s in self.statuses] + [DECLINED.name]

    @property
    def initial_status(self) -> str:
        """The state a new incident starts in."""
        return self.statuses[0].name

    def severity(self, name: str) -> Severity:
        """The severity called `name` (exact, canonical spelling)."""
        for s in self.severities:
            if s.name == name:
                return s
        raise KeyError(name)

    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)


class _Secret(str):
    """A string that never shows itself in repr or logs."""

    def __repr__(self) -> str:
        return "'***'" if self else "''"


@dataclass(frozen=True)
class Settings:
    """Everything the process needs, built once at start-up."""

    database_url: str = "sqlite:///incident-bot.db"
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = "https://slack.com/api/"
    announce_channel: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    config_path: str | None = None
    incident: IncidentConfig = field(default_factory=IncidentConfig)
    setup_lease: float = 15.0  # s: how long a declaration cut short is left alone before another run resumes it

    def require_slack(self, *, socket_mode: bool) -> None:
        """Refuse to serve without the Slack credentials the chosen mode needs."""
        if not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (a bot token, xoxb-…)")
        if not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if socket_mode:
            if not self.slack_app_token.startswith("xapp-"):
                raise ConfigError("SLACK_APP_TOKEN must be set to an app-level token (xapp-…) for --socket-mode")
        elif not self.slack_signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret)")


def normalize_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick the bundled PostgreSQL driver."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not re.match(r"^[a-z0-9+]+://", url):
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r} (e.g. sqlite:///incident-bot.db)")
    return url


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build `Settings` from the environment (and a `.env` file, read by the caller)."""
    env = os.environ if env is None else env
    port_text = env.get("PORT", "3000") or "3000"
    try:
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise ConfigError(f"PORT must be a port number, got {port_text!r}") from None
    api_url = env.get("SLACK_API_URL") or "https://slack.com/api/"
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    config_path = env.get("INCIDENT_BOT_CONFIG") or None
    lease_text = env.get("INCIDENT_SETUP_LEASE_SECONDS") or "15"
    try:
        setup_lease = float(lease_text)
        if not 1 <= setup_lease <= 3600:
            raise ValueError
    except ValueError:
        raise ConfigError(f"INCIDENT_SETUP_LEASE_SECONDS must be 1 to 3600 seconds, got {lease_text!r}") from None
    return Settings(
        database_url=normalize_database_url(env.get("DATABASE_URL") or "sqlite:///incident-bot.db"),
        slack_bot_token=_Secret(env.get("SLACK_BOT_TOKEN", "")),
        slack_signing_secret=_Secret(env.get("SLACK_SIGNING_SECRET", "")),
        slack_app_token=_Secret(env.get("SLACK_APP_TOKEN", "")),
        slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
        announce_channel=(env.get("INCIDENT_ANNOUNCE_CHANNEL") or "").strip() or None,
        host=env.get("HOST") or "0.0.0.0",
        port=port,
        config_path=config_path,
        incident=load_incident_config(Path(config_path)) if config_path else IncidentConfig(),
        setup_lease=setup_lease,
    )


def load_incident_config(path: Path) -> IncidentConfig:
    """Read the YAML file at `path`; any problem becomes one `ConfigError` line naming file and key."""
    where = f"INCIDENT_BOT_CONFIG {path}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{where}:{line} is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if raw is None:
        return IncidentConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: the top level must be a mapping of settings")
    return _parse_incident_config(raw, where, base=path.parent)


_KNOWN_KEYS = {
    "severities", "priorities", "categories", "statuses", "roles", "channel_name_template",
    "default_severity", "timezone", "templates_dir", "runbooks_dir", "key_reaction",
    "permission", "admins", "archive_on_close",
}
PERMISSION_MODES = ("anyone", "commander")


def _parse_incident_config(raw: dict[str, Any], where: str, base: Path) -> IncidentConfig:
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    d = IncidentConfig()
    severities = _severities(raw["severities"], where) if "severities" in raw else d.severities
    statuses = _statuses(raw["statuses"], where) if "statuses" in raw else d.statuses
    roles = _roles(raw["roles"], where) if "roles" in raw else d.roles
    priorities = _names(raw["priorities"], where, "priorities") if "priorities" in raw else d.priorities
    categories = _names(raw["categories"], where, "categories") if "categories" in raw else d.categories
    template = _text(raw.get("channel_name_template", d.channel_name_template), where, "channel_name_template")
    _check_channel_template(template, where)
    default = _text(raw.get("default_severity", severities[min(2, len(severities) - 1)].name), where,
                    "default_severity")
    if default not in [s.name for s in severities]:
        raise ConfigError(f"{where}: default_severity {default!r} is not one of the severities "
                          f"({', '.join(s.name for s in severities)})")
    tz = _text(raw.get("timezone", "UTC"), where, "timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone {tz!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
    permission = _text(raw.get("permission", "anyone"), where, "permission").lower()
    if permission not in PERMISSION_MODES:
        raise ConfigError(f"{where}: permission must be one of {', '.join(PERMISSION_MODES)} (got {permission!r})")
    admins = _names(raw["admins"], where, "admins") if raw.get("admins") else ()
    for admin in admins:
        if not re.fullmatch(r"[USW][A-Z0-9]{2,}", admin):
            raise ConfigError(f"{where}: admins must be Slack user ids (U…) or user-group ids (S…), got {admin!r}")
    archive = raw.get("archive_on_close", False)
    if not isinstance(archive, bool):
        raise ConfigError(f"{where}: archive_on_close must be true or false")
    return IncidentConfig(
        severities=severities, priorities=priorities, categories=categories, statuses=statuses,
        roles=roles, channel_name_template=template, default_severity=default, timezone=tz,
        templates_dir=_folder(raw.get("templates_dir"), where, "templates_dir", base),
        runbooks_dir=_folder(raw.get("runbooks_dir"), where, "runbooks_dir", base),
        key_reaction=_text(raw.get("key_reaction", "pushpin"), where, "key_reaction").strip(":"),
        permission=permission, admins=admins, archive_on_close=archive,
    )


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _list(value: Any, where: str, key: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty list")
    return value


def _names(value: Any, where: str, key: str) -> tuple[str, ...]:
    names = tuple(_text(v, where, f"{key}[{i}]") for i, v in enumerate(_list(value, where, key)))
    _unique(names, where, key)
    return names


def _unique(names: tuple[str, ...], where: str, key: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n.lower() in seen:
            raise ConfigError(f"{where}: {key} names {n!r} twice")
        seen.add(n.lower())


def _entries(value: Any, where: str, key: str) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(_list(value, where, key)):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"{where}: {key}[{i}] must be a mapping with a name")
        out.append(item)
    return out


def _severities(value: Any, where: str) -> tuple[Severity, ...]:
    result = tuple(
        Severity(_text(e["name"], where, f"severities[{i}].name"), str(e.get("description", "")),
                 bool(e.get("major", False)))
        for i, e in enumerate(_entries(value, where, "severities"))
    )
    _unique(tuple(s.name for s in result), where, "severities")
    return result


def _statuses(value: Any, where: str) -> tuple[Status, ...]:
    result = tuple(
        Status(_text(e["name"], where, f"statuses[{i}].name").lower(), str(e.get("description", "")))
        for i, e in enumerate(_entries(value, where, "statuses"))
    )
    names = [s.name for s in result]
    _unique(tuple(names), where, "statuses")
    for needed in ("resolved", "closed"):
        if needed not in names:
            raise ConfigError(f"{where}: statuses must include {needed!r} (the lifecycle ends resolved → closed)")
    if names.index("resolved") > names.index("closed") or names[0] in ("resolved", "closed"):
        raise ConfigError(f"{where}: statuses must start with an open state and end resolved → closed")
    if "declined" in names:
        raise ConfigError(f"{where}: statuses must not list 'declined'; it is always available for false alarms")
    return result


def _roles(value: Any, where: str) -> tuple[Role, ...]:
    result = tuple(
        Role(_text(e["name"], where, f"roles[{i}].name").lower(), str(e.get("description", "")),
             bool(e.get("single", True)))
        for i, e in enumerate(_entries(value, where, "roles"))
    )
    _unique(tuple(r.name for r in result), where, "roles")
    return result


def _check_channel_template(template: str, where: str) -> None:
    fields = set(re.findall(r"{(\w*)}", template))
    if "number" not in fields:
        raise ConfigError(f"{where}: channel_name_template must contain {{number}} (got {template!r})")
    if fields - CHANNEL_TEMPLATE_FIELDS:
        raise ConfigError(f"{where}: channel_name_template may only use {{number}} and {{slug}} (got {template!r})")


def _folder(value: Any, where: str, key: str, base: Path) -> Path | None:
    if value is None:
        return None
    path = Path(_text(value, where, key)).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_dir():
        raise ConfigError(f"{where}: {key} {str(path)!r} is not a folder")
    return path
