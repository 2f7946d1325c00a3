"""Handing an HTTP request from Slack to Bolt, without Bolt's body-parsing quirks.

Bolt's `parse_body` treats any form body containing the substring `payload` as an interactivity
payload; a slash command whose text says "payload" parses to `{}` and is answered 404. A slash command
is a plain form (`command=…&text=…`, no `payload` field), so such a body is given to Bolt already
parsed. Bolt still checks the signature against the raw body, exactly as for every other request.
A body Bolt cannot parse at all (broken JSON, a `payload` field that is not JSON) is answered 400
instead of escaping as a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context

log = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"


def headers_of(environ: Mapping[str, Any]) -> dict[str, str | Sequence[str]]:
    """The request headers, lower-case, as Bolt reads them."""
    headers: dict[str, str | Sequence[str]] = {}
    for key, value in environ.items():
        if key in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            headers[key.lower().replace("_", "-")] = str(value)
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = str(value)
    return headers


def slash_command_form(raw: str, content_type: str) -> dict[str, str] | None:
    """The fields of a form-encoded slash command, or None for anything else."""
    if raw.startswith("{") or not content_type.startswith(FORM):
        return None
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "command" not in fields or "payload" in fields:
        return None
    return fields


def bolt_request(body: bytes, environ: Mapping[str, Any]) -> BoltRequest | None:
    """A BoltRequest for the body, or None when the body cannot be parsed."""
    raw = body.decode("utf-8", errors="replace")  # a mangled byte fails the signature check, as it should
    headers = headers_of(environ)
    query = str(environ.get("QUERY_STRING") or "")
    command = slash_command_form(raw, str(headers.get("content-type", "")))
    try:
        if command is None:
            return BoltRequest(body=raw, query=query, headers=headers)
        request = BoltRequest(body="", query=query, headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # Bolt reads fields as it parses
        return None
    request.raw_body = raw  # what the signature covers
    request.body = command
    request.context = build_context(BoltContext({}), command)
    return request


def dispatch(app: App, body: bytes, environ: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the request through Bolt; returns (status line, headers, body)."""
    request = bolt_request(body, environ)
    if request is None:
        response = BoltResponse(status=400, body=json.dumps({"error": "the request body could not be parsed"}),
                                headers={"content-type": "application/json"})
    elif not isinstance(request.body, dict):
        response = BoltResponse(status=400, body=json.dumps({"error": "the request body is not an object"}),
                                headers={"content-type": "application/json"})
    else:
        response = app.dispatch(request)
    status = HTTPStatus(response.status)
    data = (response.body or "").encode("utf-8")
    headers = [(k, v) for k, values in response.headers.items() if k.lower() != "content-length" for v in values]
    headers.append(("Content-Length", str(len(data))))
    return f"{status.value} {status.phrase}", headers, data
