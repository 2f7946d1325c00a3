"""`GET /metrics`: the Prometheus text exposition, through the official client (`prometheus_client`).

Each process serves a registry of its own (no module-level default registry, no shared files): several
replicas are scraped one by one and Prometheus adds them up, as for any multi-instance job. The bot runs
one process per replica with threads (waitress), so the client's multiprocess mode is not needed.

- Counted in this process: Slack Web API calls, errors (by method and error code) and 429s (by method),
  HTTP request latency (by route, method and status code), alerts received (0 until alert intake lands).
- Read from the database at scrape time, so every replica reports the same figures (aggregate them with
  `max`, not `sum`): open incidents by severity and status, incidents declared and resolved (drills left out).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import func, not_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import DECLINED
from bot.incidents.models import Incident

log = logging.getLogger(__name__)
PREFIX = "incident_bot"
ROUTES = ("/slack/events", "/healthz", "/metrics", "/hooks/alerts/alertmanager", "/hooks/alerts/grafana",
          "/hooks/alerts/generic", "/status", "/status.json", "/status.atom")  # any other path is "other"
HTTP_METHODS = ("GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")  # any other is "other"
ALERT_SOURCES = ("alertmanager", "grafana", "generic")
FINISHED = ("closed", DECLINED.name)
StartResponse = Callable[..., Any]
Wsgi = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class IncidentCollector(Collector):
    """Figures read from the database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(f"{PREFIX}_database_up", "1 when the database answered this scrape, else 0")
        try:
            with self.sessions() as session:
                open_rows = session.execute(select(Incident.severity, Incident.status, func.count()).where(
                    not_(Incident.is_drill), Incident.status.not_in(FINISHED)).group_by(Incident.severity,
                                                                                        Incident.status)).all()
                declared, resolved = session.execute(select(func.count(), func.count(Incident.resolved_at)).where(
                    not_(Incident.is_drill))).one()
        except Exception as exc:  # a scrape must still answer; the reason goes to the log
            log.warning("metrics: database unavailable: %s", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        gauge = GaugeMetricFamily(f"{PREFIX}_open_incidents", "Incidents neither closed nor declined (drills left "
                                  "out), by severity and status", labels=["severity", "status"])
        for severity, status, n in open_rows:
            gauge.add_metric([severity, status], n)
        yield gauge
        yield CounterMetricFamily(f"{PREFIX}_incidents_declared", "Incidents declared (drills left out), from "
                                  "the database", value=declared)
        yield CounterMetricFamily(f"{PREFIX}_incidents_resolved", "Incidents resolved (drills left out; a reopen "
                                  "takes one back until it is resolved again), from the database", value=resolved)


class Metrics:
    """One process's metrics: the Slack client and the HTTP server report here, `/metrics` reads it out."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.slack_calls = Counter(f"{PREFIX}_slack_api_calls", "Slack Web API calls made", ["method"], registry=r)
        self.slack_errors = Counter(f"{PREFIX}_slack_api_errors", "Slack Web API calls that failed (after "
                                    "retries), by error code", ["method", "error"], registry=r)
        self.slack_429s = Counter(f"{PREFIX}_slack_api_rate_limited", "429 answers from Slack (each one, "
                                  "retried after Retry-After or not)", ["method"], registry=r)
        self.alerts = Counter(f"{PREFIX}_alerts_received", "Alerts received on the alert webhooks",
                              ["source"], registry=r)
        for source in ALERT_SOURCES:
            self.alerts.labels(source)  # shown as 0 before the first one
        self.http = Histogram(f"{PREFIX}_http_request_duration_seconds", "Time to answer an HTTP request",
                              ["route", "method", "status"], registry=r)
        r.register(IncidentCollector(sessions))

    def slack_call(self, method: str) -> None:
        """A Web API call is being made."""
        self.slack_calls.labels(method).inc()

    def slack_error(self, method: str, error: str) -> None:
        """A Web API call failed with `error`."""
        self.slack_errors.labels(method, error).inc()

    def slack_rate_limited(self, method: str) -> None:
        """Slack answered a call with 429."""
        self.slack_429s.labels(method).inc()

    def page(self, start_response: StartResponse) -> list[bytes]:
        """The text exposition of everything above."""
        body = generate_latest(self.registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [body]

    def timed(self, app: Wsgi) -> Wsgi:
        """`app` with each request's time to answer observed (until the response is returned)."""

        def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
            started, seen = time.perf_counter(), ["500"]

            def noted(status: str, headers: Any, *rest: Any) -> Any:
                seen[0] = status.split(" ", 1)[0]
                return start_response(status, headers, *rest)

            try:
                return app(environ, noted)
            finally:
                path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
                self.http.labels(path if path in ROUTES else "other", method if method in HTTP_METHODS else "other",
                                 seen[0]).observe(time.perf_counter() - started)

        return wsgi
