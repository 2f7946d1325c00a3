"""Channel names for incidents: always valid for Slack, always keeping the number, unique by suffix."""

from __future__ import annotations

import re

from anyascii import anyascii

MAX_CHANNEL_NAME = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by hyphens; any script is transliterated, emoji become their names."""
    text = anyascii(title).lower().replace("'", "")
    text = _NOT_ALLOWED.sub("-", text)
    return _DASHES.sub("-", text).strip("-_")


def channel_name(template: str, number: int, title: str, *, drill: bool = False, attempt: int = 1) -> str:
    """The Slack channel name for incident `number`; `attempt` > 1 adds `-2`, `-3` … after a name clash.

    The number and the suffix are never cut: only the slug shrinks (at a word boundary where it can).
    """
    slug = slugify(title) or "incident"
    if drill:
        slug = f"drill-{slug}"
    suffix = f"-{attempt}" if attempt > 1 else ""
    skeleton = _clean(template.format(number=number, slug="\0"))
    room = MAX_CHANNEL_NAME - len(skeleton.replace("\0", "")) - len(suffix)
    if len(slug) > room:
        cut = slug[: max(room, 0)]
        if "-" in cut and len(slug) > len(cut) and slug[len(cut)] != "-":
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-_")
    name = _clean(skeleton.replace("\0", slug)).strip("-_")
    return (name + suffix)[:MAX_CHANNEL_NAME]


def _clean(name: str) -> str:
    """Make template text valid for Slack, leaving the slug placeholder (NUL) in place."""
    parts = [_NOT_ALLOWED.sub("-", anyascii(part).lower()) for part in name.split("\0")]
    return _DASHES.sub("-", "\0".join(parts))
