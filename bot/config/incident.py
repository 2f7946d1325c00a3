"""The YAML incident configuration (`INCIDENT_BOT_CONFIG`): levels, lifecycle, roles, naming, permissions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.config.alerts import AlertConfig, parse_alerts
from bot.config.parsing import ConfigError, entries, folder, names, text, unique
from bot.config.reminders import KEYS as REMINDER_KEYS
from bot.config.reminders import ReminderConfig, parse_reminders


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
    reminders: ReminderConfig = field(default_factory=ReminderConfig)  # update_every, escalate_*, sla
    alerts: AlertConfig = field(default_factory=AlertConfig)  # alert intake (bot/config/alerts.py)

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
    "permission", "admins", "archive_on_close", *REMINDER_KEYS,
    "alert_sources", "auto_declare", "group_window", "alert_severities",
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
    priorities = names(raw["priorities"], where, "priorities") if "priorities" in raw else d.priorities
    categories = names(raw["categories"], where, "categories") if "categories" in raw else d.categories
    template = text(raw.get("channel_name_template", d.channel_name_template), where, "channel_name_template")
    _check_channel_template(template, where)
    default = text(raw.get("default_severity", severities[min(2, len(severities) - 1)].name), where,
                    "default_severity")
    if default not in [s.name for s in severities]:
        raise ConfigError(f"{where}: default_severity {default!r} is not one of the severities "
                          f"({', '.join(s.name for s in severities)})")
    tz = text(raw.get("timezone", "UTC"), where, "timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone {tz!r} is not an IANA time zone (e.g. Europe/Berlin)") from None
    permission = text(raw.get("permission", "anyone"), where, "permission").lower()
    if permission not in PERMISSION_MODES:
        raise ConfigError(f"{where}: permission must be one of {', '.join(PERMISSION_MODES)} (got {permission!r})")
    admins = names(raw["admins"], where, "admins") if raw.get("admins") else ()
    for admin in admins:
        if not re.fullmatch(r"[USW][A-Z0-9]{2,}", admin):
            raise ConfigError(f"{where}: admins must be Slack user ids (U…) or user-group ids (S…), got {admin!r}")
    archive = raw.get("archive_on_close", False)
    if not isinstance(archive, bool):
        raise ConfigError(f"{where}: archive_on_close must be true or false")
    return IncidentConfig(
        severities=severities, priorities=priorities, categories=categories, statuses=statuses,
        roles=roles, channel_name_template=template, default_severity=default, timezone=tz,
        templates_dir=folder(raw.get("templates_dir"), where, "templates_dir", base),
        runbooks_dir=folder(raw.get("runbooks_dir"), where, "runbooks_dir", base),
        key_reaction=text(raw.get("key_reaction", "pushpin"), where, "key_reaction").strip(":"),
        permission=permission, admins=admins, archive_on_close=archive,
        reminders=parse_reminders(raw, where, [s.name for s in severities]),
        alerts=parse_alerts(raw, where, [s.name for s in severities]),
    )


def _severities(value: Any, where: str) -> tuple[Severity, ...]:
    result = tuple(
        Severity(text(e["name"], where, f"severities[{i}].name"), str(e.get("description", "")),
                 bool(e.get("major", False)))
        for i, e in enumerate(entries(value, where, "severities"))
    )
    unique(tuple(s.name for s in result), where, "severities")
    return result


def _statuses(value: Any, where: str) -> tuple[Status, ...]:
    result = tuple(
        Status(text(e["name"], where, f"statuses[{i}].name").lower(), str(e.get("description", "")))
        for i, e in enumerate(entries(value, where, "statuses"))
    )
    names = [s.name for s in result]
    unique(tuple(names), where, "statuses")
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
        Role(text(e["name"], where, f"roles[{i}].name").lower(), str(e.get("description", "")),
             bool(e.get("single", True)))
        for i, e in enumerate(entries(value, where, "roles"))
    )
    unique(tuple(r.name for r in result), where, "roles")
    return result


def _check_channel_template(template: str, where: str) -> None:
    fields = set(re.findall(r"{(\w*)}", template))
    if "number" not in fields:
        raise ConfigError(f"{where}: channel_name_template must contain {{number}} (got {template!r})")
    if fields - CHANNEL_TEMPLATE_FIELDS:
        raise ConfigError(f"{where}: channel_name_template may only use {{number}} and {{slug}} (got {template!r})")
