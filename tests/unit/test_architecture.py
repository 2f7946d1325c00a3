"""The shape of the house: the domain never imports Slack, Jinja or the edge, and the packages form no cycle.

Imports are compared by full module name (`bot.slack.listeners.declare`, not `bot`), so a domain module
importing anything under `bot.slack` fails, however deep.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
DOMAIN_PACKAGES = ("config", "incidents", "timeline", "runbooks", "followups", "postmortem")
DOMAIN_MODULES = ("db", "errors", "markup", "resources")
SLACK = ("slack_bolt", "slack_sdk")
EDGE = ("bot.slack", "bot.web", "bot.app", "bot.runtime", "bot.emulator", "bot.demo", "bot.__main__")
# Who may be imported by whom, lowest first: a package may import those before it, never after.
LAYERS = ("bot.timeline", "bot.incidents", ("bot.runbooks", "bot.followups", "bot.statuspage"), "bot.postmortem")


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, by full name (relative imports resolved)."""
    here = module_name(path).split(".") if BOT in path.parents else [path.stem]
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}  # `from bot.slack import blocks`
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def domain_files() -> list[Path]:
    files = [p for pkg in DOMAIN_PACKAGES for p in (BOT / pkg).rglob("*.py")]
    return sorted(files + [BOT / f"{m}.py" for m in DOMAIN_MODULES])


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: module_name(p))
def test_the_domain_imports_neither_slack_nor_the_edge(path: Path) -> None:
    wrong = sorted(m for m in imports(path) if within(m, SLACK + EDGE))
    assert wrong == [], f"{module_name(path)} imports {wrong}"


@pytest.mark.parametrize("path", sorted(p for pkg in ("incidents", "timeline", "runbooks", "followups")
                                        for p in (BOT / pkg).rglob("*.py")), ids=lambda p: module_name(p))
def test_only_templates_use_jinja(path: Path) -> None:
    assert not any(within(m, ("jinja2",)) for m in imports(path))


def test_only_the_transport_and_composition_import_slack() -> None:
    allowed = ("bot.slack", "bot.app", "bot.runtime", "bot.__main__", "bot.web", "bot.emulator", "bot.demo")
    offenders = [module_name(p) for p in BOT.rglob("*.py")
                 if any(within(m, SLACK) for m in imports(p)) and not within(module_name(p), allowed)]
    assert offenders == []


def package_of(name: str) -> str | None:
    """`bot.incidents.steering` → `bot.incidents`; modules directly under bot/ are packages of their own."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else None


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in BOT.rglob("*.py"):
        source = package_of(module_name(path))
        if source is None:
            continue
        targets = {package_of(m) for m in imports(path)} - {None, source}
        graph.setdefault(source, set()).update(t for t in targets if t is not None)
    return graph


def test_the_packages_form_no_cycle() -> None:
    graph = package_graph()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append([*path[path.index(nxt):], nxt] if nxt in path else [*path, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_domain_packages_depend_downwards_only() -> None:
    rank = {name: i for i, layer in enumerate(LAYERS) for name in ((layer,) if isinstance(layer, str) else layer)}
    graph = package_graph()
    upward = sorted(f"{src} -> {dst}" for src, dsts in graph.items() if src in rank
                    for dst in dsts if dst in rank and rank[dst] >= rank[src])
    assert upward == []


def test_a_deep_import_of_the_edge_counts(tmp_path: Path) -> None:
    """What the checks above rely on: `from bot.slack.listeners import declare` is seen in full."""
    module = tmp_path / "probe.py"
    module.write_text("from bot.slack.listeners import declare\nimport slack_sdk.errors\n")
    found = imports(module)
    assert "bot.slack.listeners.declare" in found and within("bot.slack.listeners.declare", EDGE)
    assert any(within(m, SLACK) for m in found)
