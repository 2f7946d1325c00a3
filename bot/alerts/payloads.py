"""The senders' payloads, read into plain values: Alertmanager's webhook (version 4), Grafana alerting's
webhook and the generic shape. A payload is read whole or refused whole, with the reason (BadPayload)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config.alerts import AlertConfig

MAX_ALERTS = 1000      # per request
MAX_LABELS = 64        # per alert, labels and annotations each
MAX_NAME = 128
MAX_VALUE = 4000
MAX_KEY = 255
MAX_TITLE = 1000
FUTURE_SLACK = timedelta(minutes=5)  # senders' clocks drift; further ahead is a wrong clock or a wrong field
ZERO_TIME = "0001-01-01T00:00:00Z"   # Alertmanager's and Grafana's "not ended yet"
STATUSES = ("firing", "resolved")


class BadPayload(ValueError):
    """The request body is not what the route takes; the message says what is wrong, for the sender."""


@dataclass(frozen=True)
class IncomingAlert:
    """One alert as a sender reported it."""

    group_key: str
    fingerprint: str
    status: str
    title: str
    starts_at: datetime
    severity: str | None = None
    service: str | None = None
    description: str = ""
    url: str | None = None
    ends_at: datetime | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


def decode(body: bytes) -> Any:
    """The JSON document in `body`."""
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadPayload("the body is not UTF-8 text") from None
    except ValueError as exc:
        raise BadPayload(f"the body is not JSON ({exc})") from None


def _text(value: Any, where: str, limit: int, *, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise BadPayload(f"{where} is missing")
        return None
    if not isinstance(value, str):
        raise BadPayload(f"{where} must be a string, not {type(value).__name__}")
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise BadPayload(f"{where} must not be blank")
    if len(value) > limit:
        raise BadPayload(f"{where} is {len(value)} characters; at most {limit}")
    return value


def _strings(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{where} must be an object of names to strings")
    if len(value) > MAX_LABELS:
        raise BadPayload(f"{where} has {len(value)} entries; at most {MAX_LABELS}")
    out = {}
    for name, v in value.items():
        if len(name) > MAX_NAME:
            raise BadPayload(f"{where} has a name of {len(name)} characters; at most {MAX_NAME}")
        if not isinstance(v, str):
            raise BadPayload(f"{where}.{name[:40]} must be a string, not {type(v).__name__}")
        if len(v) > MAX_VALUE:
            raise BadPayload(f"{where}.{name[:40]} is {len(v)} characters; at most {MAX_VALUE}")
        out[name.replace("\x00", "")] = v.replace("\x00", "")
    return out


def _time(value: Any, where: str, now: datetime, *, required: bool = True) -> datetime | None:
    if value in (None, "", ZERO_TIME) and not required:
        return None
    if not isinstance(value, str):
        raise BadPayload(f"{where} must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadPayload(f"{where} is not an RFC 3339 time: {value[:60]!r}") from None
    if at.tzinfo is None:
        raise BadPayload(f"{where} needs a time zone (Z or +hh:mm): {value[:60]!r}")
    if at > now + FUTURE_SLACK:
        raise BadPayload(f"{where} is in the future ({value[:60]}); check the sender's clock")
    return at


def _url(value: Any, where: str) -> str | None:
    url = _text(value, where, 2000, required=False)
    if url and not url.startswith(("http://", "https://")):
        raise BadPayload(f"{where} must be an http(s) URL")
    return url


def _key(value: str) -> str:
    """A group key or fingerprint that fits its column: long ones keep a readable head and a digest."""
    if len(value) <= MAX_KEY:
        return value
    return value[:180] + "…" + hashlib.sha256(value.encode()).hexdigest()[:64]


def _object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise BadPayload(f"the body must be a JSON object, not {type(doc).__name__}")
    return doc


def _severity(value: str | None, config: AlertConfig, severities: list[str], where: str) -> str | None:
    """A generic alert's severity: an alert severity of the mapping or an incident severity name."""
    if value is None:
        return None
    known = [name for name, _ in config.severity_map]
    if value.lower() in known:
        return value.lower()
    named = {s.lower(): s for s in severities}
    if value.lower() in named:
        return named[value.lower()]
    raise BadPayload(f"{where} {value[:40]!r} is not a severity; use one of {', '.join(known + severities)}")


def generic(doc: Any, now: datetime, config: AlertConfig, severities: list[str]) -> list[IncomingAlert]:
    """`{"title", "status", "dedup_key", "severity"?, "service"?, "description"?, "url"?, "started_at"?,
    "group"?, "labels"?}`."""
    d = _object(doc)
    status = _text(d.get("status"), "status", 20)
    if status not in STATUSES:
        raise BadPayload(f"status must be firing or resolved, not {str(status)[:20]!r}")
    dedup_key = _text(d.get("dedup_key"), "dedup_key", 1000)
    assert dedup_key is not None
    group = _text(d.get("group"), "group", 1000, required=False) or dedup_key
    started = _time(d.get("started_at"), "started_at", now, required=False) or now
    description = _text(d.get("description"), "description", MAX_VALUE, required=False) or ""
    return [IncomingAlert(
        group_key=_key(group), fingerprint=_key(dedup_key), status=status,
        title=_text(d.get("title"), "title", MAX_TITLE) or "",
        severity=_severity(_text(d.get("severity"), "severity", 40, required=False), config, severities, "severity"),
        service=_text(d.get("service"), "service", 200, required=False),
        description=description, url=_url(d.get("url"), "url"), starts_at=started,
        ends_at=now if status == "resolved" else None, labels=_strings(d.get("labels"), "labels"),
        annotations={"description": description} if description else {})]


def _alerts(d: dict[str, Any], now: datetime, fingerprint: Callable[[dict[str, Any], dict[str, str]], str | None],
            url: Callable[[dict[str, Any], str | None], str | None]) -> list[IncomingAlert]:
    """The `alerts` of an Alertmanager-shaped notification (Grafana's follows it)."""
    group_key = _text(d.get("groupKey"), "groupKey", 10_000)
    assert group_key is not None
    alerts = d.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise BadPayload("alerts must be a non-empty list")
    if len(alerts) > MAX_ALERTS:
        raise BadPayload(f"alerts has {len(alerts)} entries; at most {MAX_ALERTS} a request")
    out = []
    for i, a in enumerate(alerts):
        where = f"alerts[{i}]"
        if not isinstance(a, dict):
            raise BadPayload(f"{where} must be an object")
        status = a.get("status")
        if status not in STATUSES:
            raise BadPayload(f"{where}.status must be firing or resolved, not {str(status)[:20]!r}")
        labels = _strings(a.get("labels"), f"{where}.labels")
        annotations = _strings(a.get("annotations"), f"{where}.annotations")
        given = _text(a.get("fingerprint"), f"{where}.fingerprint", 1000, required=False)
        out.append(IncomingAlert(
            group_key=_key(group_key), fingerprint=_key(given or fingerprint(a, labels) or ""), status=status,
            title=(annotations.get("summary") or labels.get("alertname") or "Alert")[:MAX_TITLE],
            severity=(labels.get("severity") or "").lower() or None,
            service=(labels.get("service") or labels.get("app") or labels.get("job") or None),
            description=annotations.get("description", ""),
            url=url(a, _url(a.get("generatorURL"), f"{where}.generatorURL")),
            starts_at=_time(a.get("startsAt"), f"{where}.startsAt", now) or now,
            ends_at=_time(a.get("endsAt"), f"{where}.endsAt", now + timedelta(days=3650), required=False)
            if status == "resolved" else None,
            labels=labels, annotations=annotations))
    return out


def _label_fingerprint(_alert: dict[str, Any], labels: Mapping[str, str]) -> str:
    """A fingerprint from the labels, as Alertmanager makes it (for a sender that leaves it out)."""
    return hashlib.sha256(json.dumps(sorted(labels.items())).encode()).hexdigest()[:16]


def alertmanager(doc: Any, now: datetime, config: AlertConfig, severities: list[str]) -> list[IncomingAlert]:
    """Alertmanager's webhook_config notification, payload version 4."""
    d = _object(doc)
    if str(d.get("version")) != "4":
        raise BadPayload(f"version must be \"4\" (Alertmanager's webhook payload), not {str(d.get('version'))[:10]!r}")
    return _alerts(d, now, _label_fingerprint, lambda _a, url: url)


def grafana(doc: Any, now: datetime, config: AlertConfig, severities: list[str]) -> list[IncomingAlert]:
    """Grafana alerting's webhook contact point (its version "1" JSON)."""
    d = _object(doc)
    if "orgId" not in d and str(d.get("version")) != "1":
        raise BadPayload("this is not Grafana alerting's webhook JSON (no orgId, version is not \"1\")")

    def url(a: dict[str, Any], generator: str | None) -> str | None:
        for name in ("panelURL", "dashboardURL"):
            value = a.get(name)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value[:2000]
        return generator

    return _alerts(d, now, _label_fingerprint, url)


READERS: dict[str, Callable[[Any, datetime, AlertConfig, list[str]], list[IncomingAlert]]] = {
    "alertmanager": alertmanager, "grafana": grafana, "generic": generic}
