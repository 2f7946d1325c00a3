"""The YAML keys that keep an incident moving: `update_every`, `escalate_after`, `escalate_to`, `sla`, and
the follow-ups' `followup_nudge_at` and `followup_digest`. Durations are written `90s`, `15m`, `4h`, `2d`;
times of day `09:00`, in the configured `timezone`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from bot.config.parsing import ConfigError, duration, names

DEFAULT_UPDATE_EVERY = (("SEV1", timedelta(minutes=30)), ("SEV2", timedelta(hours=1)))
DEFAULT_ESCALATE_AFTER = timedelta(minutes=15)
ESCALATION_TARGET = re.compile(r"[UW][A-Z0-9]{2,}|S[A-Z0-9]{2,}|[CG][A-Z0-9]{2,}|#[a-z0-9][a-z0-9_-]{0,79}")
SLA_TARGETS = ("acknowledge", "resolve")
KEYS = ("update_every", "escalate_after", "escalate_to", "sla", "followup_nudge_at", "followup_digest")
DEFAULT_NUDGE_AT = time(9, 0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")


@dataclass(frozen=True)
class SlaTargets:
    """How soon after the declaration an incident of one severity must be acknowledged and resolved."""

    acknowledge: timedelta | None = None
    resolve: timedelta | None = None

    def target(self, name: str) -> timedelta | None:
        """The target called `name` (acknowledge | resolve)."""
        return self.acknowledge if name == "acknowledge" else self.resolve


@dataclass(frozen=True)
class DigestConfig:
    """The digest of open follow-ups: posted to `channel` from the first `weekday` (0 = Monday) at `at`
    (in the configured time zone), then every `every`."""

    channel: str
    weekday: int = 0
    at: time = DEFAULT_NUDGE_AT
    every: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class ReminderConfig:
    """Update reminders, escalation, SLA targets and the follow-up digest."""

    update_every: tuple[tuple[str, timedelta], ...] = DEFAULT_UPDATE_EVERY
    # (severity, after) pairs; None: every major severity escalates after DEFAULT_ESCALATE_AFTER
    escalate_after: tuple[tuple[str, timedelta], ...] | None = None
    escalate_to: tuple[str, ...] = ()      # user ids (U…), user-group ids (S…), a channel (C… or #name)
    sla: tuple[tuple[str, SlaTargets], ...] = ()
    followup_nudge_at: time = DEFAULT_NUDGE_AT  # an owner hears of a follow-up on its due date at this time
    followup_digest: DigestConfig | None = None

    def every(self, severity: str) -> timedelta | None:
        """How often an update is due at `severity` (None: no reminders)."""
        return dict(self.update_every).get(severity)

    def escalation_after(self, severity: str, major: bool) -> timedelta | None:
        """How long `severity` may go without a commander (None: it does not escalate)."""
        if self.escalate_after is None:
            return DEFAULT_ESCALATE_AFTER if major else None
        return dict(self.escalate_after).get(severity)

    def targets(self, severity: str) -> SlaTargets:
        """The SLA targets of `severity` (none configured: no targets)."""
        return dict(self.sla).get(severity, SlaTargets())


def parse_reminders(raw: dict[str, Any], where: str, severities: list[str]) -> ReminderConfig:
    """The reminder keys of the YAML mapping `raw` (the others are ignored here)."""
    d = ReminderConfig()
    every = _per_severity(raw["update_every"], where, "update_every", severities) if "update_every" in raw \
        else d.update_every
    after = raw.get("escalate_after")
    escalate_after = None if after is None else (
        _per_severity(after, where, "escalate_after", severities) if isinstance(after, dict)
        else tuple((s, duration(after, where, "escalate_after")) for s in severities))
    to = names(raw["escalate_to"], where, "escalate_to") if raw.get("escalate_to") else ()
    for target in to:
        if not ESCALATION_TARGET.fullmatch(target):
            raise ConfigError(f"{where}: escalate_to takes user ids (U…), user-group ids (S…) or a channel "
                              f"(C… or #name), got {target!r}")
    sla = _sla(raw["sla"], where, severities) if "sla" in raw else ()
    nudge_at = _time_of_day(raw["followup_nudge_at"], where, "followup_nudge_at") if "followup_nudge_at" in raw \
        else DEFAULT_NUDGE_AT
    digest = _digest(raw["followup_digest"], where) if raw.get("followup_digest") is not None else None
    return ReminderConfig(update_every=every, escalate_after=escalate_after, escalate_to=to, sla=sla,
                          followup_nudge_at=nudge_at, followup_digest=digest)


def _time_of_day(value: Any, where: str, key: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(f"{where}: {key} must be a time of day such as \"09:00\" (24-hour, quoted; got {value!r})")
    return time(int(match.group(1)), int(match.group(2)))


def _digest(value: Any, where: str) -> DigestConfig:
    if not isinstance(value, dict) or "channel" not in value or set(value) - {"channel", "at", "every"}:
        raise ConfigError(f"{where}: followup_digest must be a mapping with a channel id and optionally at and "
                          "every, e.g. {channel: C0123ABCD, at: \"Mon 09:00\", every: 7d}")
    channel = str(value["channel"]).strip()
    if not CHANNEL_ID.fullmatch(channel):
        raise ConfigError(f"{where}: followup_digest.channel must be a channel id (C…), got {channel!r}")
    day, _, clock = str(value.get("at", "Mon 09:00")).strip().partition(" ")
    if day.lower()[:3] not in WEEKDAYS or not clock:
        raise ConfigError(f"{where}: followup_digest.at must be a weekday and a time, e.g. \"Mon 09:00\" "
                          f"(got {value.get('at')!r})")
    every = duration(value["every"], where, "followup_digest.every") if "every" in value else timedelta(days=7)
    return DigestConfig(channel=channel, weekday=WEEKDAYS.index(day.lower()[:3]),
                        at=_time_of_day(clock, where, "followup_digest.at"), every=every)


def _severity(name: Any, where: str, key: str, severities: list[str]) -> str:
    typed = str(name).strip()
    for s in severities:
        if typed.lower() in (s.lower(), s.lower().removeprefix("sev")):
            return s
    raise ConfigError(f"{where}: {key} names {typed!r}, which is not a severity ({', '.join(severities)})")


def _mapping(value: Any, where: str, key: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a mapping of severity to duration, e.g. {{SEV1: 30m}}")
    return value


def _per_severity(value: Any, where: str, key: str, severities: list[str]) -> tuple[tuple[str, timedelta], ...]:
    return tuple((_severity(sev, where, key, severities), duration(d, where, f"{key}.{sev}"))
                 for sev, d in _mapping(value, where, key).items())


def _sla(value: Any, where: str, severities: list[str]) -> tuple[tuple[str, SlaTargets], ...]:
    out = []
    for sev, targets in _mapping(value, where, "sla").items():
        name = _severity(sev, where, "sla", severities)
        if not isinstance(targets, dict) or not targets or set(targets) - set(SLA_TARGETS):
            raise ConfigError(f"{where}: sla.{sev} must be a mapping with acknowledge and/or resolve durations, "
                              "e.g. {acknowledge: 15m, resolve: 4h}")
        got = {t: duration(targets[t], where, f"sla.{sev}.{t}") for t in SLA_TARGETS if t in targets}
        out.append((name, SlaTargets(**got)))
    return tuple(out)

