"""The WSGI application: `POST /slack/events` to Bolt, `GET /healthz`, a reasoned 4xx for the rest."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
SLACK_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's largest payloads (modal submissions) are far below this

StartResponse = Callable[..., Any]
FastPath = Callable[[bytes, Mapping[str, str]], "int | None"]


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


def make_wsgi(app: App | None, engine: Engine, *, fast_events: FastPath | None = None,
              ) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Route requests; `app` is None in Socket Mode, where only the pages are served over HTTP.

    `fast_events(body, headers)` may answer a Slack request before Bolt does (the timeline's message
    events, bot/slack/fastpath.py); when it returns None the request goes to Bolt unchanged.
    """
    slack = SlackRequestHandler(app, path=SLACK_PATH) if app is not None else None

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz":
            if database_ok(engine):
                return _json(start_response, "200 OK", {"status": "ok"})
            return _json(start_response, "503 Service Unavailable", {"status": "unavailable", "database": "down"})
        if path == SLACK_PATH and slack is not None:
            if method != "POST":
                return _json(start_response, "405 Method Not Allowed", {"error": "POST Slack requests here"})
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY:
                return _json(start_response, "413 Content Too Large", {"error": "request body too large"})
            if fast_events is not None:
                body = environ["wsgi.input"].read(length) if length else b""
                signed = {"x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                          "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", "")}
                status = fast_events(body, signed)
                if status is not None:
                    start_response(f"{status} OK", [("Content-Length", "0")])
                    return [b""]
                environ["wsgi.input"] = io.BytesIO(body)
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": f"no such page: {path}"})

    return wsgi
