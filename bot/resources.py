"""Where the files that ship with the bot live: installed inside the package, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """The shipped `migrations`, `templates`, `runbooks` or `alembic.ini`, wherever the bot is installed."""
    installed = _PACKAGE / "_data" / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / name
