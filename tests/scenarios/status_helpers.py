"""Helpers for the status page scenarios: fetching its three routes over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from xml.etree import ElementTree

from tests.conftest import Harness

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(bot: Harness, path: str, method: str = "GET") -> tuple[int, str, str]:
    """(status, content type, body) of `path` on the running bot."""
    assert bot.runtime.server is not None
    request = urllib.request.Request(f"{bot.runtime.server.url}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def page_json(bot: Harness) -> dict[str, Any]:
    """`/status.json`, parsed."""
    status, content_type, body = fetch(bot, "/status.json")
    assert status == 200 and content_type.startswith("application/json")
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def feed(bot: Harness) -> ElementTree.Element:
    """`/status.atom`, parsed with an XML parser (a malformed feed fails here)."""
    status, content_type, body = fetch(bot, "/status.atom")
    assert status == 200 and content_type.startswith("application/atom+xml")
    root = ElementTree.fromstring(body.encode())
    assert root.tag == f"{ATOM}feed"
    return root


def wait_page(bot: Harness, needle: str) -> str:
    """The HTML page once it shows `needle` (the page is a copy at most a couple of seconds old)."""
    def shown() -> str | None:
        status, _, body = fetch(bot, "/status")
        return body if status == 200 and needle in body else None
    body = bot.emu.wait_for(shown, timeout=10)
    assert body is not None
    return body
