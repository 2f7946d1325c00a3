"""Reading severities and priorities the way people type them (`sev1`, `SEV1`, `1`)."""

from __future__ import annotations

import re

from bot.config import IncidentConfig
from bot.errors import InvalidInput


def parse_severity(config: IncidentConfig, text: str) -> str:
    """The canonical severity name for `text`, or InvalidInput listing the valid ones."""
    return _match(text, config.severity_names, "severity")


def parse_priority(config: IncidentConfig, text: str) -> str:
    """The canonical priority name for `text`, or InvalidInput listing the valid ones."""
    return _match(text, list(config.priorities), "priority")


def _match(text: str, names: list[str], what: str) -> str:
    typed = text.strip()
    for name in names:
        if typed.lower() == name.lower():
            return name
    digits = re.fullmatch(r"\d+", typed)
    if digits:
        for name in names:
            found = re.search(r"(\d+)$", name)
            if found and int(found.group(1)) == int(typed):
                return name
    raise InvalidInput(f"`{typed}` is not a {what}. Use one of: {', '.join(names)}.", field=what)
