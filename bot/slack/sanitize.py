"""Text from Slack made safe to store: no NUL characters (PostgreSQL refuses them in text) and no lone
surrogates (a JSON `\\ud800` decodes to one; no encoder accepts it). Applied once, where a request body
has been verified and parsed, so nothing downstream meets them."""

from __future__ import annotations

from typing import Any

_NUL = "\x00"


def clean_text(text: str) -> str:
    """The text without NULs, lone surrogates replaced by U+FFFD."""
    if _NUL in text:
        text = text.replace(_NUL, "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def clean(value: Any) -> Any:
    """Every string inside a parsed payload (keys included) cleaned; other values unchanged."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def middleware(req: Any, resp: Any, next: Any) -> Any:
    """Bolt middleware: the verified, parsed body cleaned before any listener sees it."""
    req.body = clean(req.body)
    return next()
