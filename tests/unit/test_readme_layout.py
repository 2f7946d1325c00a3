"""The README's Layout section names every module of the tree, so "where is X?" has a written answer."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def layout() -> dict[str, str]:
    """Package path → the text of its entry in the README's Layout block."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    entries: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        if line and not line.startswith(" "):
            current, _, rest = line.partition(" ")
            entries[current] = rest
        elif current:
            entries[current] += " " + line.strip()
    return entries


def test_the_layout_names_every_module() -> None:
    entries = layout()
    missing = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        package = f"{path.parent.relative_to(ROOT).as_posix()}/"
        text = entries.get(package)
        if text is None or not re.search(rf"(?<![\w.]){re.escape(path.stem)}(?![\w])", text):
            missing.append(path.relative_to(ROOT).as_posix())
    assert missing == []


def test_the_layout_names_no_package_that_is_gone() -> None:
    gone = [p for p in layout() if p.startswith("bot/") and not (ROOT / p).is_dir()]
    assert gone == []
