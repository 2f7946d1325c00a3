"""Reading runbook files: Markdown with YAML front matter and a `- [ ] step` checklist.

```
---
title: Database outage
categories: [database]          # optional; each list may also be a single value
services: [orders-db, "payments-*"]
severities: [SEV1, SEV2]
---
Free text for responders (Markdown).

## Stabilise
- [ ] First step
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import IncidentConfig
from bot.resources import data_path
from bot.runbooks.definitions import Library, Problem, Runbook, Step

KEYS = ("title", "categories", "services", "severities")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_TITLE = 120          # shown in a header block (150 at most) after an icon and "Runbook: "
MAX_STEPS = 45           # one block per step; a message holds 50 blocks
MAX_STEP = 1000          # a step's section also carries who ticked it; a section holds 3,000
STEP = re.compile(r"^\s{0,3}[-*+]\s+\[( |x|X)\]\s*(.*)$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


class RunbookError(Exception):
    """A runbook file cannot be used; the message names the file and the problem."""


def folder_for(config: IncidentConfig) -> Path:
    """The configured runbooks folder, or the one that ships with the bot."""
    return config.runbooks_dir or data_path("runbooks")


def load_library(config: IncidentConfig, folder: Path | None = None) -> Library:
    """Every `*.md` file in the folder: the valid ones as runbooks, the others as problems."""
    folder = folder or folder_for(config)
    if not folder.is_dir():
        return Library(folder, problems=(Problem(folder, "is not a folder"),))
    runbooks: list[Runbook] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            runbooks.append(parse_file(path, config))
        except RunbookError as exc:
            problems.append(Problem(path, str(exc)))
    return Library(folder, tuple(runbooks), tuple(problems))


def check(config: IncidentConfig, folder: Path | None = None) -> list[Problem]:
    """Every problem in the folder's runbooks (an empty folder is fine: no runbooks, nothing posted)."""
    return list(load_library(config, folder).problems)


def parse_file(path: Path, config: IncidentConfig) -> Runbook:
    """Read one runbook file, or raise RunbookError saying what is wrong with it."""
    name = path.stem.lower()
    if not NAME.match(name):
        raise RunbookError(f"the file name {path.stem!r} must be lowercase letters, digits, - or _ "
                           "(it is the name people type: /incident runbook <name>)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    return parse(name, text, config, path)


def parse(name: str, text: str, config: IncidentConfig, path: Path | None = None) -> Runbook:
    """A runbook from its text; RunbookError names the problem."""
    meta, body = _split_front_matter(text)
    unknown = sorted(set(meta) - set(KEYS))
    if unknown:
        raise RunbookError(f"unknown front matter key {unknown[0]!r} (known: {', '.join(KEYS)})")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RunbookError("the front matter needs a title (title: Database outage)")
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        raise RunbookError(f"the title is {len(title)} characters; keep it under {MAX_TITLE}")
    summary, steps = _body(body)
    if not steps:
        raise RunbookError("the checklist is empty: add steps as `- [ ] what to do` lines")
    if len(steps) > MAX_STEPS:
        raise RunbookError(f"the checklist has {len(steps)} steps; a Slack message holds {MAX_STEPS}: "
                           "split it into two runbooks")
    for number, step in enumerate(steps, start=1):
        if not step.text:
            raise RunbookError(f"step {number} is empty")
        if len(step.text) > MAX_STEP:
            raise RunbookError(f"step {number} is {len(step.text)} characters; keep steps under {MAX_STEP}")
    return Runbook(
        name=name, title=title, path=path or Path(f"{name}.md"), steps=tuple(steps), summary=summary,
        categories=_categories(meta.get("categories"), config),
        services=tuple(s.lower() for s in _strings(meta.get("services"), "services")),
        severities=_severities(meta.get("severities"), config),
    )


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise RunbookError("no front matter: the file must start with a `---` line, then title, categories, "
                           "services and severities, then `---`")
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in ("---", "...")), None)
    if end is None:
        raise RunbookError("the front matter is not closed: add a `---` line after it")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise RunbookError(f"the front matter is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") \
            from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise RunbookError("the front matter must be `key: value` lines (title, categories, services, severities)")
    return meta, "\n".join(lines[end + 1:])


def _body(body: str) -> tuple[str, list[Step]]:
    """Free text (everything that is not a step) and the steps, each with the heading above it."""
    free: list[str] = []
    steps: list[Step] = []
    section: str | None = None
    for line in body.splitlines():
        step = STEP.match(line)
        if step:
            steps.append(Step(" ".join(step.group(2).split()), section))
            continue
        heading = HEADING.match(line)
        if heading:
            section = heading.group(1) or None
        if steps and line.startswith(("  ", "\t")) and line.strip() and not heading:
            # an indented line under a step continues it (a command, a link)
            last = steps[-1]
            steps[-1] = Step(f"{last.text} {line.strip()}", last.section)
            continue
        free.append(line)
    summary = "\n".join(_drop_step_headings(free, steps)).strip()
    return re.sub(r"\n{3,}", "\n\n", summary), steps


def _drop_step_headings(lines: list[str], steps: list[Step]) -> list[str]:
    """Headings that only title groups of steps are shown with the steps, not in the free text."""
    sections = {s.section for s in steps if s.section}
    out = []
    for line in lines:
        heading = HEADING.match(line)
        if heading and heading.group(1) in sections:
            continue
        out.append(line)
    return out


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v).strip() for v in value):
        raise RunbookError(f"{key} must be a list of names, e.g. {key}: [a, b]")
    return tuple(str(v).strip() for v in value)


def _categories(value: Any, config: IncidentConfig) -> tuple[str, ...]:
    out = []
    for category in _strings(value, "categories"):
        if category.lower() not in config.categories:
            raise RunbookError(f"unknown category {category!r} (known: {', '.join(config.categories)})")
        out.append(category.lower())
    return tuple(out)


def _severities(value: Any, config: IncidentConfig) -> tuple[str, ...]:
    out = []
    for severity in _strings(value, "severities"):
        canonical = next((n for n in config.severity_names if n.lower() == severity.lower()), None)
        if canonical is None:
            raise RunbookError(f"unknown severity {severity!r} (known: {', '.join(config.severity_names)})")
        out.append(canonical)
    return tuple(out)
