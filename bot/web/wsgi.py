"""The WSGI application: `POST /slack/events` to Bolt, `GET /healthz`, `GET /metrics`, the status page, the alert
webhooks, a reasoned 4xx for the rest."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_bolt import App
from sqlalchemy import Engine, text

from bot.web.bolt_bridge import dispatch
from bot.web.metrics import Metrics
from bot.web.status import PATHS as STATUS_PATHS

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's largest payloads (modal submissions) are far below this

StartResponse = Callable[..., Any]
FastPath = Callable[[bytes, Mapping[str, str]], "int | None"]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def database_ok(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure means unhealthy; the reason goes to the log
        log.warning("health check: database unavailable: %s", exc.__class__.__name__)
        return False


def read_body(environ: Mapping[str, Any]) -> bytes | None:
    """The request body, or None when it is over MAX_BODY (a Content-Length that says so, or a body
    without one, as a chunked upload on a server that passes it through undecoded, that runs past it)."""
    stream = environ.get("wsgi.input")
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared:
        if not declared.isdigit() or int(declared) > MAX_BODY:
            return None
        return stream.read(int(declared)) if stream is not None and int(declared) else b""
    if stream is None:
        return b""
    body = stream.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def make_wsgi(app: App | None, engine: Engine, *, fast_events: FastPath | None = None,
              slack_problem: Callable[[], str | None] | None = None,
              status_pages: WsgiApp | None = None,
              alerts: Callable[[dict[str, Any], StartResponse], list[bytes]] | None = None,
              metrics: Metrics | None = None,
              ) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Route requests; `app` is None in Socket Mode, where only the pages are served over HTTP.

    `fast_events(body, headers)` may answer a Slack request before Bolt does (the timeline's message
    events, bot/slack/fastpath.py); when it returns None the request goes to Bolt (bot/web/bolt_bridge.py).
    `slack_problem()` names a Slack failure that stops all work (a revoked token) for /healthz.
    `status_pages` serves `/status`, `/status.json` and `/status.atom` (bot/web/status.py).
    `alerts` serves `/hooks/alerts/…` (bot/web/alerts.py).
    `metrics` serves GET /metrics and times every request (bot/web/metrics.py).
    """

    def health(start_response: StartResponse) -> list[bytes]:
        problems: dict[str, str] = {}
        if not database_ok(engine):
            problems["database"] = "down"
        slack_down = slack_problem() if slack_problem is not None else None
        if slack_down:
            problems["slack"] = slack_down
        if not problems:
            return _json(start_response, "200 OK", {"status": "ok"})
        return _json(start_response, "503 Service Unavailable", {"status": "unavailable", **problems})

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz":
            return health(start_response)
        if status_pages is not None and path in STATUS_PATHS:
            return status_pages(environ, start_response)
        if alerts is not None and path.startswith("/hooks/alerts/"):
            return alerts(environ, start_response)
        if path == "/metrics" and metrics is not None:
            return metrics.page(start_response)
        if path == SLACK_PATH and app is not None:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "POST Slack requests here"})
            body = read_body(environ)
            if body is None:
                return _json(start_response, "413 Content Too Large", {"error": "request body too large"})
            if fast_events is not None:
                signed = {"x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                          "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", "")}
                status = fast_events(body, signed)
                if status is not None:
                    start_response(f"{status} OK", [("Content-Length", "0")])
                    return [b""]
            status_line, headers, data = dispatch(app, body, environ)
            start_response(status_line, headers)
            return [data]
        return _json(start_response, "404 Not Found", {"error": f"no such page: {path}"})

    return metrics.timed(wsgi) if metrics is not None else wsgi
