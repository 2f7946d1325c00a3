"""`GET /status`, `/status.json`, `/status.atom`: the status page, served from a short-lived copy.

Rendering reads two indexed queries and runs a template; readers get the copy rendered at most `fresh`
seconds ago. When it is older, one reader renders a new one while the others keep getting the previous
copy (never a queue of renders behind a slow database), so the page stays cheap under any number of
readers and shows a new public update within a few seconds, on every replica (the copy is only a cache:
the database is the truth)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.statuspage.queries import status_page
from bot.statuspage.render import StatusTemplates, page_json

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
PATHS = {"/status": "text/html; charset=utf-8", "/status.json": "application/json",
         "/status.atom": "application/atom+xml; charset=utf-8"}


@dataclass(frozen=True)
class Rendered:
    """The three bodies, rendered together from one read, and when (monotonic)."""

    bodies: dict[str, bytes]
    at: float


class StatusPages:
    """The WSGI handler for the status page paths (`enabled` False answers 404 for all three)."""

    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Callable[[], datetime], *,
                 enabled: bool = True, public_url: str | None = None, fresh: float = 2.0) -> None:
        self.sessions, self.clock, self.enabled, self.fresh = sessions, clock, enabled, fresh
        self.templates = StatusTemplates(config, public_url)
        if enabled:
            self.templates.validate(clock())  # a broken override stops start-up, naming its file and line
        self._current: Rendered | None = None
        self._rendering = threading.Lock()

    def _render(self) -> Rendered:
        with self.sessions() as session:
            page = status_page(session, self.clock())
        bodies = {"/status": self.templates.html(page).encode(), "/status.json": page_json(page).encode(),
                  "/status.atom": self.templates.atom(page).encode()}
        return Rendered(bodies, time.monotonic())

    def current(self) -> Rendered:
        """A copy at most `fresh` s old; while one reader renders, the others get the previous copy."""
        current = self._current
        if current is not None and time.monotonic() - current.at < self.fresh:
            return current
        if not self._rendering.acquire(blocking=current is None):
            return current  # type: ignore[return-value]  # someone is rendering; the previous copy will do
        try:
            current = self._current
            if current is None or time.monotonic() - current.at >= self.fresh:
                current = self._current = self._render()
            return current
        except Exception:
            if current is None:
                raise
            log.exception("status page: rendering failed; serving the previous copy")
            return current
        finally:
            self._rendering.release()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if not self.enabled or path not in PATHS:
            return _answer(start_response, "404 Not Found", "text/plain; charset=utf-8", b"Not found\n")
        if method not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", "text/plain; charset=utf-8",
                           b"GET the status page\n", [("Allow", "GET, HEAD")])
        try:
            body = self.current().bodies[path]
        except Exception:  # the database is down and there is no earlier copy: say so, never a 500
            log.exception("status page: rendering failed")
            return _answer(start_response, "503 Service Unavailable", "text/plain; charset=utf-8",
                           b"The status page is unavailable right now; try again in a minute.\n")
        headers = [("Cache-Control", f"public, max-age={int(self.fresh)}"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")]
        return _answer(start_response, "200 OK", PATHS[path], b"" if method == "HEAD" else body, headers,
                       length=len(body))


def _answer(start_response: StartResponse, status: str, content_type: str, body: bytes,
            headers: list[tuple[str, str]] | None = None, *, length: int | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body) if length is None
                                                                                    else length)), *(headers or [])])
    return [body]
