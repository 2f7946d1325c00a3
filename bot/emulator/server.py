"""HTTP plumbing: routing, body parsing, auth, fault injection, rate limits, the call log."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from . import methods_chat, methods_conversations, methods_files, methods_misc, methods_views
from .args import ApiError, Args, Handler, invalid_arguments
from .reference import MISSING_ARG_ERRORS, REQUIRED
from .responses import handle_response_url

if TYPE_CHECKING:
    from .emulator import SlackEmulator

log = logging.getLogger("bot.emulator.server")

METHODS: dict[str, Handler] = {
    **methods_conversations.METHODS, **methods_chat.METHODS, **methods_views.METHODS,
    **methods_files.METHODS, **methods_misc.METHODS,
}
APP_TOKEN_METHODS = {"apps.connections.open"}
DROPPED: tuple[int, dict[str, str], dict[str, Any]] = (0, {}, {"ok": False, "error": "connection_dropped"})
# The scopes the app was installed with: those slack-app-manifest.yml requests (tests/unit/test_manifest.py)
BOT_SCOPES = ("channels:history,channels:manage,channels:read,chat:write,chat:write.public,commands,files:read,"
              "files:write,groups:history,groups:read,groups:write,pins:write,reactions:read,usergroups:read,"
              "users:read")


@dataclass
class Call:
    """One Web API call made by the app, as logged."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float
    duration: float


@dataclass
class Fault:
    """An injected answer for the next `times` calls of a method ("*" = any)."""

    method: str
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    times: int = 1
    latency: float | None = None
    body: dict[str, Any] | None = None
    when: Callable[[dict[str, Any]], bool] | None = None  # only calls whose args match
    processed: bool = False  # run the method first, then answer the fault: the answer was lost, not the work
    drop: bool = False       # close the connection without an answer

    @property
    def replaces_answer(self) -> bool:
        """False for latency-only injections, which still run the method."""
        return self.error is not None or self.status is not None or self.body is not None or self.drop

    def answer(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, body) for this fault."""
        status = self.status or (429 if self.retry_after is not None and not self.error else 200)
        headers: dict[str, str] = {}
        if status == 429 or self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after if self.retry_after is not None else 1)
        default_error = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}.get(
            status, "fatal_error")
        body = self.body if self.body is not None else {"ok": False, "error": self.error or default_error}
        return status, headers, body


def parse_args(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Merge query params with a form or JSON body (JSON values keep their types)."""
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return args
    if "json" in content_type.lower() or body.lstrip()[:1] == b"{":
        parsed = json.loads(body.decode("utf-8"))
        if not isinstance(parsed, dict):
            raise ApiError("invalid_json")
        args.update(parsed)
    else:
        args.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
    return args


class ApiServer:
    """The emulator's HTTP server (Web API, response_urls, upload URLs, file downloads)."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> None:
        """Bind 127.0.0.1:0 and serve on a daemon thread."""
        server = self

        class _Handler(RequestHandler):
            api = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="emu-http", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Shut the server down."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    # ------------------------------------------------------------------ API
    def _auth_error(self, token: str, method: str) -> str | None:
        ws = self.emu.ws
        if not token:
            return "not_authed"
        if token in ws.revoked:
            return "token_revoked"
        if token == ws.app_token:
            return None if method in APP_TOKEN_METHODS else "not_allowed_token_type"
        if token == ws.bot_token:
            return "not_allowed_token_type" if method in APP_TOKEN_METHODS else None
        return "invalid_auth"

    def call(self, method: str, headers: dict[str, str], query: str,
             body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one Web API request and log it."""
        start, at = time.monotonic(), time.time()
        emu = self.emu
        out_headers: dict[str, str] = {}
        args: dict[str, Any] = {}
        try:
            args = parse_args(headers.get("content-type", ""), body, query)
            emu._begin_call(method, args)
            try:
                status, out_headers, result = self._call(method, headers, args)
            finally:
                emu._end_call(method, args)
        except ApiError as e:
            status, result = 200, e.body()
        except (ValueError, UnicodeDecodeError):
            status, result = 200, {"ok": False, "error": "invalid_form_data"}
        except Exception:
            log.exception("emulator bug while handling %s", method)
            status, result = 500, {"ok": False, "error": "internal_error"}
        logged = {k: v for k, v in args.items() if k != "token"}
        emu._log_call(Call(method, logged, status, result, at, time.monotonic() - start))
        log.debug("%s -> %s %s", method, status, result.get("error", "ok"))
        return status, out_headers, result

    def _call(self, method: str, headers: dict[str, str],
              args: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        emu = self.emu
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else str(args.get("token", ""))
        if method not in METHODS and method not in APP_TOKEN_METHODS:
            return 200, {}, {"ok": False, "error": "unknown_method", "req_method": method}
        fault = emu._take_fault(method, args)
        delay = emu.latency + (fault.latency or 0 if fault else 0)
        if delay > 0:
            time.sleep(delay)
        if fault is not None and fault.replaces_answer and not fault.processed:
            return DROPPED if fault.drop else fault.answer()
        auth_error = self._auth_error(token, method)
        if auth_error:
            return 200, {}, {"ok": False, "error": auth_error}
        scopes = {"x-oauth-scopes": BOT_SCOPES} if token == emu.ws.bot_token else {}
        if emu.rate_limits:
            wait = emu._limiter.check(method, str(args.get("channel", "")))
            if wait is not None:
                return 429, {"Retry-After": str(wait), **scopes}, {"ok": False, "error": "ratelimited"}
        if method == "apps.connections.open":
            return 200, {}, {"ok": True, "url": emu._socket.new_url()}
        a = Args(args)
        for name in REQUIRED.get(method, ()):
            if not a.has(name):
                code = MISSING_ARG_ERRORS.get((method, name))
                raise ApiError(code) if code else invalid_arguments(f"[ERROR] missing required field: {name}")
        with emu.ws.lock:
            try:
                result = METHODS[method](emu.ws, a)
            finally:
                events, deferred = emu.ws.take_outbox(), emu.ws.take_deferred()
        emu._emit(events)
        for when, work in deferred:
            emu._later(when, work)
        if fault is not None and fault.replaces_answer:  # processed: the work is done, the answer is lost
            return DROPPED if fault.drop else fault.answer()
        return 200, scopes, result

    # -------------------------------------------------------- other routes
    def upload(self, file_id: str, body: bytes) -> tuple[int, str]:
        """The raw POST to an upload_url."""
        with self.emu.ws.lock:
            ok = methods_files.receive_upload(self.emu.ws, file_id, body)
        return (200, f"OK - {len(body)}") if ok else (404, "file_not_found")

    def download(self, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """GET of a file's url_private (needs the bot token)."""
        auth = headers.get("authorization", "")
        if auth[7:].strip() != self.emu.ws.bot_token:
            return 403, "text/plain", b"forbidden"
        file_id = path.split("/")[2].split("-", 1)[-1] if path.count("/") >= 2 else ""
        with self.emu.ws.lock:
            f = self.emu.ws.files.get(file_id)
            content = f.content if f is not None and f.completed else None
        if content is None:
            return 404, "text/plain", b"file_not_found"
        return 200, "application/octet-stream", content


class RequestHandler(BaseHTTPRequestHandler):
    """Routes /api/<method>, /_responses/<id>, /upload/v1/<id> and /files-pri/..."""

    api: ApiServer
    protocol_version = "HTTP/1.1"
    server_version = "SlackEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def do_POST(self) -> None:
        """Dispatch a POST."""
        self._route(self._body())

    def do_GET(self) -> None:
        """Dispatch a GET (Web API methods accept GET too)."""
        self._route(b"")

    def _route(self, body: bytes) -> None:
        url = urlparse(self.path)
        path = url.path
        if path.startswith("/api/"):
            method = path[len("/api/"):].strip("/") or "unknown"
            status, headers, result = self.api.call(method, self._headers(), url.query, body)
            if status == DROPPED[0]:  # an injected drop: no answer at all
                self.close_connection = True
                return
            self._send(status, json.dumps(result).encode(), "application/json; charset=utf-8", headers)
        elif path.startswith("/_responses/"):
            status, text = handle_response_url(self.api.emu, path.rsplit("/", 1)[-1], body)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif path.startswith("/upload/v1/"):
            status, text = self.api.upload(path.rsplit("/", 1)[-1], body)
            self._send(status, text.encode(), "text/plain; charset=utf-8")
        elif path.startswith("/files-pri/"):
            status, ctype, data = self.api.download(path, self._headers())
            self._send(status, data, ctype)
        else:
            self._send(404, b"not_found", "text/plain")
