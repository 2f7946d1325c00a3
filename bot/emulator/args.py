"""Web API argument access and the error type method handlers raise."""

from __future__ import annotations

import base64
import builtins
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .state import Workspace

T = TypeVar("T")


class ApiError(Exception):
    """A Slack method error: answered as HTTP 200 {"ok": false, "error": code, **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> ApiError:
    """invalid_arguments with response_metadata.messages, as Slack formats it."""
    return ApiError("invalid_arguments", response_metadata={"messages": list(messages)})


class Args:
    """Parsed method arguments (form, JSON or query) with typed accessors."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def has(self, name: builtins.str) -> builtins.bool:
        """True when the argument is present and non-empty."""
        value = self.data.get(name)
        return value is not None and value != "" and value != []

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        """The argument as a string (JSON scalars are stringified)."""
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        """The argument as a boolean ("1"/"true" are true, as slack_sdk sends them)."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes")

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        """The argument as an int; invalid_arguments when not numeric."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise invalid_arguments(f"[ERROR] invalid integer for field: {name}") from None

    def json(self, name: builtins.str, error: builtins.str = "invalid_arguments") -> Any:
        """The argument decoded from a JSON string (or taken as-is from a JSON body)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            if error == "invalid_arguments":
                raise invalid_arguments(f"[ERROR] invalid JSON in field: {name}") from None
            raise ApiError(error) from None

    def list(self, name: builtins.str) -> builtins.list[builtins.str]:
        """A comma-separated (or JSON list) argument as a list of stripped strings."""
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        return [v.strip() for v in str(value).split(",") if v.strip()]


def encode_cursor(kind: str, key: str) -> str:
    """A Slack-style opaque cursor, base64 of "kind:key"."""
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def decode_cursor(cursor: str, kind: str) -> str:
    """The key inside a cursor made by encode_cursor; invalid_cursor otherwise."""
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise ApiError("invalid_cursor") from None
    prefix, _, key = raw.partition(":")
    if prefix != kind or not key:
        raise ApiError("invalid_cursor")
    return key


def paginate(items: Sequence[T], key_of: Any, args: Args, kind: str,
             default_limit: int = 100, max_limit: int = 1000) -> tuple[list[T], str]:
    """Slice items by cursor/limit; returns (page, next_cursor or "")."""
    limit = args.int("limit", default_limit) or default_limit
    limit = max(1, min(limit, max_limit))
    start = 0
    cursor = args.str("cursor")
    if cursor:
        key = decode_cursor(cursor, kind)
        keys = [key_of(item) for item in items]
        if key not in keys:
            raise ApiError("invalid_cursor")
        start = keys.index(key)
    page = list(items[start:start + limit])
    rest = items[start + limit:]
    return page, (encode_cursor(kind, key_of(rest[0])) if rest else "")


Handler = Callable[["Workspace", Args], dict[str, Any]]
