"""The YAML settings of alert intake: `alert_sources`, `auto_declare`, `group_window`, `alert_severities`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.config.parsing import ConfigError, duration, text

SOURCE_KINDS = ("alertmanager", "grafana", "generic")
DEFAULT_SEVERITY_MAP = {"critical": "SEV1", "high": "SEV2", "warning": "SEV3", "info": "SEV4"}
DEFAULT_GROUP_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class AlertSource:
    """A sender: its route's kind and the bearer token it must present."""

    name: str
    kind: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class AutoDeclareRule:
    """Alerts matching `severity` (an alert severity, or any) and every label in `labels` are declared at once
    at `declare` (an incident severity)."""

    declare: str
    severity: str | None = None
    labels: tuple[tuple[str, str], ...] = ()

    def matches(self, severity: str | None, labels: Mapping[str, str]) -> bool:
        """Whether an alert of this (alert) severity and labels falls under the rule."""
        if self.severity is not None and (severity or "").lower() != self.severity:
            return False
        return all(labels.get(k) == v for k, v in self.labels)


@dataclass(frozen=True)
class AlertConfig:
    """How alerts become triage messages and incidents."""

    sources: tuple[AlertSource, ...] = ()
    auto_declare: tuple[AutoDeclareRule, ...] = ()
    group_window: timedelta = DEFAULT_GROUP_WINDOW
    severity_map: tuple[tuple[str, str], ...] = tuple(DEFAULT_SEVERITY_MAP.items())

    def tokens(self, kind: str) -> list[str]:
        """The per-source tokens accepted on the `kind` route."""
        return [s.token for s in self.sources if s.kind == kind]

    def incident_severity(self, alert_severity: str | None) -> str | None:
        """The incident severity an alert severity maps to (None: not mapped)."""
        return dict(self.severity_map).get((alert_severity or "").lower())


def parse_alerts(raw: Mapping[str, Any], where: str, severities: list[str]) -> AlertConfig:
    """The alert keys of the incident YAML (each optional), checked against the configured severities."""
    d = AlertConfig()
    mapping = _severity_map(raw["alert_severities"], where, severities) if "alert_severities" in raw else None
    if mapping is None:
        mapping = tuple((k, v) for k, v in DEFAULT_SEVERITY_MAP.items() if v in severities)
    window = duration(raw["group_window"], where, "group_window") if "group_window" in raw else d.group_window
    return AlertConfig(
        sources=_sources(raw.get("alert_sources"), where), group_window=window, severity_map=mapping,
        auto_declare=_rules(raw.get("auto_declare"), where, severities, dict(mapping)),
    )


def _severity_map(value: Any, where: str, severities: list[str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{where}: alert_severities must map alert severities to incident severities "
                          "(e.g. critical: SEV1)")
    out = []
    for name, level in value.items():
        level = text(level, where, f"alert_severities.{name}")
        if level not in severities:
            raise ConfigError(f"{where}: alert_severities.{name} is {level!r}, not one of the severities "
                              f"({', '.join(severities)})")
        out.append((str(name).strip().lower(), level))
    return tuple(out)


def _sources(value: Any, where: str) -> tuple[AlertSource, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: alert_sources must map a name to {{kind, token}}")
    out = []
    for name, spec in value.items():
        key = f"alert_sources.{name}"
        if not isinstance(spec, dict):
            raise ConfigError(f"{where}: {key} must be a mapping with kind and token")
        _known(spec, where, key, ("kind", "token"))
        kind = text(spec.get("kind"), where, f"{key}.kind").lower()
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"{where}: {key}.kind must be one of {', '.join(SOURCE_KINDS)} (got {kind!r})")
        token = text(spec.get("token"), where, f"{key}.token")
        if len(token) < 16:
            raise ConfigError(f"{where}: {key}.token must be at least 16 characters")
        out.append(AlertSource(str(name), kind, token))
    return tuple(out)


def _known(spec: dict[Any, Any], where: str, key: str, allowed: tuple[str, ...]) -> None:
    """Refuse a misspelt key: a rule missing its condition by a typo would declare every alert."""
    for name in spec:
        if name not in allowed:
            raise ConfigError(f"{where}: {key} has an unknown key {str(name)!r} (it takes {', '.join(allowed)})")


def _rules(value: Any, where: str, severities: list[str], mapping: dict[str, str]) -> tuple[AutoDeclareRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{where}: auto_declare must be a list of rules (e.g. - {{severity: critical, "
                          "declare: SEV1}})")
    return tuple(_rule(spec, where, f"auto_declare[{i}]", severities, mapping) for i, spec in enumerate(value))


def _rule(spec: Any, where: str, key: str, severities: list[str], mapping: dict[str, str]) -> AutoDeclareRule:
    if not isinstance(spec, dict) or "declare" not in spec:
        raise ConfigError(f"{where}: {key} must be a mapping with declare (and severity or labels)")
    _known(spec, where, key, ("declare", "severity", "labels"))
    declare = text(spec["declare"], where, f"{key}.declare").upper()
    if declare not in severities:
        raise ConfigError(f"{where}: {key}.declare {declare!r} is not one of the severities "
                          f"({', '.join(severities)})")
    severity = spec.get("severity")
    if severity is not None:
        severity = text(severity, where, f"{key}.severity").lower()
        if severity not in mapping:
            raise ConfigError(f"{where}: {key}.severity {severity!r} is not an alert severity "
                              f"({', '.join(mapping)})")
    labels = spec.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str | int) for v in labels.values()):
        raise ConfigError(f"{where}: {key}.labels must map label names to values")
    if severity is None and not labels:
        raise ConfigError(f"{where}: {key} needs severity or labels (a rule without either would declare "
                          "every alert)")
    return AutoDeclareRule(declare, severity, tuple((str(k), str(v)) for k, v in labels.items()))
