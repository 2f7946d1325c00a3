"""Sending alerts to the bot over HTTP, as Alertmanager, Grafana or a script would, and reading the triage."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.alerts.models import Alert, AlertGroup
from tests.conftest import Harness

TOKEN = "alert-token-0123456789abcdef"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample(name: str) -> dict[str, Any]:
    """A payload kept as its sender's documentation shows it (the first line of the file names the source)."""
    text = (SAMPLES / name).read_text()
    return dict(json.loads("\n".join(line for line in text.splitlines() if not line.startswith("//"))))


def post_alerts(bot: Harness, kind: str, payload: Any, *, token: str | None = TOKEN,
                raw: bytes | None = None) -> tuple[int, dict[str, Any]]:
    """POST to /hooks/alerts/<kind>; returns (status, JSON answer)."""
    assert bot.runtime.server is not None
    body = raw if raw is not None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{bot.runtime.server.url}/hooks/alerts/{kind}", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        data = exc.read()
        try:
            return exc.code, json.loads(data or b"{}")
        except ValueError:  # waitress refuses an oversized body itself, in plain text
            return exc.code, {"error": data.decode(errors="replace")}


def generic(dedup_key: str, title: str = "Disk full on db-1", status: str = "firing", **extra: Any) -> dict[str, Any]:
    """A generic alert."""
    return {"title": title, "status": status, "dedup_key": dedup_key, **extra}


def groups(bot: Harness) -> list[AlertGroup]:
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(AlertGroup).order_by(AlertGroup.id)))


def alerts(bot: Harness) -> list[Alert]:
    with bot.runtime.sessions() as s:
        return list(s.scalars(select(Alert).order_by(Alert.id)))


def triage_messages(bot: Harness, channel: str | None = None) -> list[dict[str, Any]]:
    """The bot's triage messages (top level) in the triage channel."""
    channel = channel or bot.emu.channel_id("incidents")
    return [m for m in bot.emu.messages(channel, include_replies=False)
            if (m.get("metadata") or {}).get("event_type") == "alert_triage"]


def text_of(message: dict[str, Any]) -> str:
    return message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def told(bot: Harness) -> bool:
    """Every group's triage message shows its newest version."""
    rows = groups(bot)
    return bool(rows) and all(g.told_version == g.version and g.message_ts for g in rows)
