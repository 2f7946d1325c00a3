"""The domain never imports Slack or Jinja; only bot/slack imports slack_bolt / slack_sdk."""

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


DOMAIN = sorted([*(BOT / "incidents").rglob("*.py"), *(BOT / "runbooks").rglob("*.py"),
                 *(BOT / "timeline").rglob("*.py")])


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_domain_does_not_import_slack_or_jinja(path: Path) -> None:
    assert not imports(path) & {"slack_bolt", "slack_sdk", "jinja2"}


def test_only_the_transport_and_composition_import_slack() -> None:
    allowed = {BOT / "slack", BOT / "app.py", BOT / "runtime.py", BOT / "__main__.py", BOT / "web"}
    offenders = [
        str(p.relative_to(BOT)) for p in BOT.rglob("*.py")
        if imports(p) & {"slack_bolt", "slack_sdk"} and not any(p == a or a in p.parents for a in allowed)
    ]
    assert offenders == []
