"""Reading YAML settings: small checked readers whose errors are one line naming the file and the key."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def nonempty_list(value: Any, where: str, key: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty list")
    return value


def names(value: Any, where: str, key: str) -> tuple[str, ...]:
    names = tuple(text(v, where, f"{key}[{i}]") for i, v in enumerate(nonempty_list(value, where, key)))
    unique(names, where, key)
    return names


def unique(names: tuple[str, ...], where: str, key: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n.lower() in seen:
            raise ConfigError(f"{where}: {key} names {n!r} twice")
        seen.add(n.lower())


def entries(value: Any, where: str, key: str) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(nonempty_list(value, where, key)):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"{where}: {key}[{i}] must be a mapping with a name")
        out.append(item)
    return out


def folder(value: Any, where: str, key: str, base: Path) -> Path | None:
    if value is None:
        return None
    path = Path(text(value, where, key)).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_dir():
        raise ConfigError(f"{where}: {key} {str(path)!r} is not a folder")
    return path


DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(value: Any, where: str, key: str) -> timedelta:
    """`90s`, `15m`, `4h`, `2d` as a positive timedelta; anything else names the key and says what to write."""
    match = DURATION.match(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    seconds = int(match.group(1)) * UNITS[match.group(2)] if match else 0
    if seconds <= 0:
        raise ConfigError(f"{where}: {key} must be a positive duration such as 90s, 15m, 4h or 2d (got {value!r})")
    return timedelta(seconds=seconds)
