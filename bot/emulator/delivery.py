"""Signed HTTP delivery to the app, and the Response the driver returns."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

# Our own opener: loopback deliveries must never go through an HTTP(S)_PROXY.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Response:
    """The app's answer to a delivered request (HTTP response or Socket Mode ack)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    duration: float = 0.0
    error: str | None = None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; a plain-text body reads as {"text": ...} the way Slack (and Socket Mode) treat it."""
        if not self.body.strip():
            return None
        if "json" in self.headers.get("content-type", "") or self.body.lstrip()[:1] in (b"{", b"["):
            return json.loads(self.body)
        return {"text": self.text}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature: v0=HMAC-SHA256(secret, f"v0:{ts}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(url: str, body: bytes, content_type: str, secret: str, *, timestamp: str | None = None,
                sig: str | None = None, headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> Response:
    """POST body to url with X-Slack-Signature/X-Slack-Request-Timestamp; never raises."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": sig if sig is not None else signature(secret, ts, body),
                   "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    start = time.monotonic()
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            data = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, data,
                            time.monotonic() - start)
    except urllib.error.HTTPError as e:
        data = e.read() if e.fp is not None else b""
        return Response(e.code, {k.lower(): v for k, v in (e.headers or {}).items()}, data,
                        time.monotonic() - start)
    except (urllib.error.URLError, OSError) as e:
        return Response(0, {}, b"", time.monotonic() - start, error=str(e))
