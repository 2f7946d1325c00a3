"""`POST /hooks/alerts/<alertmanager|grafana|generic>`: alerts in, stored, answered 202; Slack comes after.

The bearer token (INCIDENT_ALERT_TOKEN, or a per-source token from `alert_sources`) is compared in constant
time; the body (at most 1 MiB) is read whole or refused whole with the reason, so a bad request writes
nothing. The answer goes out right after the commit; the triage desk tells Slack afterwards.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import queries, service
from bot.alerts.payloads import READERS, BadPayload, decode
from bot.alerts.triage import TriageDesk
from bot.config import Settings

log = logging.getLogger(__name__)
PREFIX = "/hooks/alerts/"
TRIES = 3  # a deadlock or a unique clash with another replica's same alerts is tried again from the start

StartResponse = Callable[..., Any]
ReadBody = Callable[[Mapping[str, Any]], "bytes | None"]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class AlertHooks:
    """The alert routes: authenticate, read, store, answer; then hand the groups to the triage desk."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], desk: TriageDesk | None,
                 clock: Callable[[], datetime], read_body: ReadBody) -> None:
        self.settings, self.sessions, self.desk, self.clock, self.read_body = (settings, sessions, desk, clock,
                                                                               read_body)

    def source(self, kind: str, environ: Mapping[str, Any]) -> str | None:
        """The source the request's bearer token names (the kind for INCIDENT_ALERT_TOKEN), or None."""
        header = str(environ.get("HTTP_AUTHORIZATION") or "")
        scheme, _, given = header.partition(" ")
        given_bytes = given.strip().encode()
        found = None
        candidates = [(kind, self.settings.alert_token)] + [
            (s.name, s.token) for s in self.settings.incident.alerts.sources if s.kind == kind]
        for name, token in candidates:  # every candidate is compared, in constant time each
            if token and hmac.compare_digest(given_bytes, token.encode()) and found is None:
                found = name
        return found if scheme.lower() == "bearer" else None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        kind = str(environ.get("PATH_INFO", ""))[len(PREFIX):]
        if kind not in READERS:
            return _json(start_response, "404 Not Found",
                         {"error": f"no alert source {kind[:40]!r}; use alertmanager, grafana or generic"})
        if environ.get("REQUEST_METHOD") != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST alerts here"})
        source = self.source(kind, environ)
        if source is None:
            return _json(start_response, "401 Unauthorized",
                         {"error": "missing or wrong token: send Authorization: Bearer <INCIDENT_ALERT_TOKEN "
                                   "or the source's token from alert_sources>"})
        body = self.read_body(environ)
        if body is None:
            return _json(start_response, "413 Content Too Large", {"error": "request body over 1 MiB"})
        now = self.clock()
        config = self.settings.incident
        try:
            alerts = READERS[kind](decode(body), now, config.alerts, config.severity_names)
        except BadPayload as exc:
            return _json(start_response, "400 Bad Request", {"error": str(exc)})
        accepted, groups = self._store(source, alerts, now)
        if self.desk is not None:
            self.desk.notify([g["id"] for g in groups])
        return _json(start_response, "202 Accepted", {"accepted": accepted, "groups": [
            {k: g[k] for k in ("key", "state", "incident")} for g in groups]})

    def _store(self, source: str, alerts: list[Any], now: datetime) -> tuple[int, list[dict[str, Any]]]:
        for attempt in range(1, TRIES + 1):
            try:
                with self.sessions.begin() as s:
                    intake = service.ingest(s, self.settings.incident.alerts, source, alerts, now)
                    s.flush()
                    ids = intake.group_ids
                    return intake.accepted, [dict(row, id=i) for i, row in zip(sorted(ids), queries.answer(s, ids),
                                                                               strict=True)]
            except (IntegrityError, DBAPIError) as exc:
                if attempt == TRIES or (not isinstance(exc, IntegrityError) and not _retryable(exc)):
                    raise
                log.info("alert intake from %s: %s, trying again", source, exc.__class__.__name__)
        raise AssertionError("unreachable")


def _retryable(exc: DBAPIError) -> bool:
    """A deadlock or a serialization failure (PostgreSQL), or SQLite's busy database."""
    code = getattr(exc.orig, "sqlstate", None) or ""
    return code in ("40P01", "40001") or "locked" in str(exc.orig).lower()
