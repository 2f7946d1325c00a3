"""Runbooks as read from their files, and which incidents each one applies to."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from bot.incidents.snapshots import IncidentSnapshot


@dataclass(frozen=True)
class Step:
    """One `- [ ] …` line; `section` is the heading it stands under, if any."""

    text: str
    section: str | None = None


@dataclass(frozen=True)
class Runbook:
    """One runbook file. Empty criteria match anything; every non-empty one must match.

    Within a criterion any entry may match: `categories: [database, infrastructure]` applies to either.
    Services are case-insensitive shell patterns (`payments-*`).
    """

    name: str
    title: str
    path: Path
    steps: tuple[Step, ...]
    summary: str = ""
    categories: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()

    def applies_to(self, incident: IncidentSnapshot) -> bool:
        """Whether this runbook is for `incident` as it now stands."""
        if self.categories and (incident.category or "").lower() not in self.categories:
            return False
        if self.severities and incident.severity not in self.severities:
            return False
        if self.services:
            service = (incident.service or "").lower()
            if not service or not any(fnmatchcase(service, pattern) for pattern in self.services):
                return False
        return True

    @property
    def specificity(self) -> int:
        """How many criteria narrow it down: a runbook for one category and service beats a catch-all."""
        return sum(1 for c in (self.categories, self.services, self.severities) if c)

    def criteria(self) -> str:
        """`category database · severity SEV1, SEV2`, or `every incident`."""
        parts = [f"{label} {', '.join(values)}" for label, values in (
            ("category", self.categories), ("service", self.services), ("severity", self.severities)) if values]
        return " · ".join(parts) or "every incident"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a runbook file, said so its author can fix it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Library:
    """The valid runbooks of a folder (sorted by name) and the problems of the others."""

    folder: Path
    runbooks: tuple[Runbook, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """Every valid runbook's name."""
        return [r.name for r in self.runbooks]

    def get(self, name: str) -> Runbook | None:
        """The runbook called `name` (case-insensitive; `.md` may be typed too)."""
        wanted = name.strip().lower().removesuffix(".md")
        return next((r for r in self.runbooks if r.name == wanted), None)

    def matching(self, incident: IncidentSnapshot) -> list[Runbook]:
        """The runbooks that apply to `incident`, the most specific first."""
        found = [r for r in self.runbooks if r.applies_to(incident)]
        return sorted(found, key=lambda r: (-r.specificity, r.name))
