"""`GET /status`, `/status.json`, `/status.atom`: the status page, served from a short-lived copy.

Readers get the bodies from memory. Once the copy is `fresh` seconds old, the next request starts a
refresh in the background (two indexed queries; the templates run again only when what the page shows
changed) and is answered from the copy meanwhile, so no reader waits for the database or a render after
the first, and a new public update shows within a few seconds on every replica (the copy is only a
cache: the database is the truth)."""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.statuspage.queries import PageIncident, status_page
from bot.statuspage.render import StatusTemplates, page_json

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
PATHS = {"/status": "text/html; charset=utf-8", "/status.json": "application/json",
         "/status.atom": "application/atom+xml; charset=utf-8"}


@dataclass(frozen=True)
class Body:
    """One rendered body, as is and gzipped (browsers and feed readers ask for gzip), and its ETag."""

    raw: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, text: str) -> Body:
        """Encode, compress and tag `text`."""
        raw = text.encode()
        return cls(raw, gzip.compress(raw, compresslevel=6, mtime=0), f'"{hashlib.sha256(raw).hexdigest()[:32]}"')


@dataclass(frozen=True)
class Rendered:
    """The three bodies, rendered together from one read; what they show, and when it was read (monotonic)."""

    bodies: dict[str, Body]
    incidents: tuple[PageIncident, ...]
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
        self._refreshing = threading.Lock()

    def refresh(self, previous: Rendered | None = None) -> Rendered:
        """Read the page from the database; render the bodies again only when what they show changed."""
        with self.sessions() as session:
            page = status_page(session, self.clock())
        if previous is not None and previous.incidents == page.incidents:
            return Rendered(previous.bodies, previous.incidents, time.monotonic())
        bodies = {"/status": Body.of(self.templates.html(page)), "/status.json": Body.of(page_json(page)),
                  "/status.atom": Body.of(self.templates.atom(page))}
        return Rendered(bodies, page.incidents, time.monotonic())

    def current(self) -> Rendered:
        """The copy. The first request renders it (the others wait); once it is `fresh` s old, one request
        starts a refresh in the background and every request meanwhile gets the copy it has."""
        current = self._current
        if current is None:
            with self._refreshing:
                if self._current is None:
                    self._current = self.refresh()
                return self._current
        if time.monotonic() - current.at >= self.fresh and self._refreshing.acquire(blocking=False):
            threading.Thread(target=self._refresh_behind, args=(current,), name="status-page", daemon=True).start()
        return current

    def _refresh_behind(self, previous: Rendered) -> None:
        try:
            self._current = self.refresh(previous)
        except Exception:  # the database is down: keep serving the copy, try again on a later request
            log.exception("status page: refreshing failed; serving the previous copy")
        finally:
            self._refreshing.release()

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
        headers = [("Cache-Control", f"public, max-age={int(self.fresh)}"), ("ETag", body.etag),
                   ("Vary", "Accept-Encoding"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")]
        if body.etag in str(environ.get("HTTP_IF_NONE_MATCH", "")):
            return _answer(start_response, "304 Not Modified", PATHS[path], b"", headers)
        data = body.raw
        if "gzip" in str(environ.get("HTTP_ACCEPT_ENCODING", "")).lower():
            data = body.gzipped
            headers.append(("Content-Encoding", "gzip"))
        return _answer(start_response, "200 OK", PATHS[path], b"" if method == "HEAD" else data, headers,
                       length=len(data))


def _answer(start_response: StartResponse, status: str, content_type: str, body: bytes,
            headers: list[tuple[str, str]] | None = None, *, length: int | None = None) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body) if length is None
                                                                                    else length)), *(headers or [])])
    return [body]
