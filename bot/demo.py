"""`incident-bot demo`: the real bot on loopback against the bundled Slack emulator, played by a script."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import markup
from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.incidents.models import Incident
from bot.runtime import BotRuntime


def _plain(text: str, emu: SlackEmulator) -> str:
    """Slack markup as a terminal shows it: people and channels by name, dates as text, entities unescaped."""
    def channel(channel_id: str) -> str | None:
        try:
            return str(emu.channel(channel_id)["name"])
        except Exception:
            return None

    def user(user_id: str) -> str | None:
        return next((str(u["name"]) for u in emu.users() if u["id"] == user_id), None)

    return markup.readable(text, user, channel_of=channel)

def _message_text(message: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        if block.get("text"):
            lines.append(block["text"]["text"])
        for field in block.get("fields") or []:
            lines.append(field["text"].replace("\n", ": "))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                lines.append(element["text"])
        controls = [e["text"]["text"] for e in block.get("elements") or []
                    if isinstance(e, dict) and e.get("type") == "button"]
        if controls:
            lines.append(" ".join(f"[{c}]" for c in controls))
    return lines or [message.get("text", "")]


def _show(title: str, lines: list[str], emu: SlackEmulator) -> None:
    print(f"\n  ┌ {title}")
    for line in lines:
        for part in _plain(line, emu).splitlines() or [""]:
            print(f"  │ {part}")
    print("  └")


def _wait_incident(runtime: BotRuntime, emu: SlackEmulator, number: int) -> Incident:
    def ready() -> Incident | None:
        with runtime.sessions() as s:
            found = s.scalar(select(Incident).where(Incident.number == number))
            return found if found is not None and found.setup_state != "opening" else None
    result = emu.wait_for(ready, timeout=15)
    assert result is not None
    return result


def _report(runtime: BotRuntime, emu: SlackEmulator, number: int, user: str) -> None:
    incident = _wait_incident(runtime, emu, number)
    assert incident.channel_id is not None
    channel = emu.channel(incident.channel_id)
    members = ", ".join("@" + next((u["name"] for u in emu.users() if u["id"] == m), m)
                        for m in channel["members"])
    print(f"  → #{channel['name']} ({'private' if channel['is_private'] else 'public'}), "
          f"state {incident.setup_state}, members: {members}")
    print(f"  → topic: {channel['topic']['value']}")
    card = next(m for m in emu.messages(incident.channel_id) if m.get("bot_id"))
    _show(f"incident card in #{channel['name']}", _message_text(card), emu)
    if incident.announcement_ts:
        announcement = next(m for m in emu.messages(emu.channel_id("incidents"))
                            if m["ts"] == incident.announcement_ts)
        _show("announcement in #incidents", _message_text(announcement), emu)
    else:
        print("  → not announced")
    replies = emu.wait_for(lambda: [r["body"].get("text", "") for r in emu.responses() if r.get("user") == user]
                           + [e["text"] for e in emu.ephemerals(user=user)], timeout=5)
    _show("private reply to the declarer", [replies[-1]], emu)


def run_demo(*, database_url: str | None, output: str) -> int:
    """Play a few incidents through the real app; print what Slack would show."""
    out = Path(output).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    url = database_url or f"sqlite:///{out / 'demo.db'}"
    secret = secrets.token_hex(16)
    started = time.perf_counter()
    with SlackEmulator(signing_secret=secret) as emu:
        settings = Settings(database_url=url, slack_bot_token=emu.bot_token, slack_signing_secret=secret,
                            slack_api_url=emu.api_url, announce_channel=emu.channel_id("incidents"))
        runtime = BotRuntime(settings)
        try:
            runtime.migrate()
            server = runtime.http("127.0.0.1", 0).start()
            emu.app_url = f"{server.url}/slack/events"
            runtime.start()
            print(f"Slack emulator at {emu.api_url}; bot at {emu.app_url}; database {url}")
            _play(runtime, emu, out)
        finally:
            runtime.close()
        calls = [c.method for c in emu.calls()]
        (out / "slack-calls.json").write_text(json.dumps(calls, indent=1))
    print(f"\nDone in {time.perf_counter() - started:.1f}s: {len(calls)} Slack Web API calls "
          f"(log: {out / 'slack-calls.json'}), database: {url}")
    return 0


def _play(runtime: BotRuntime, emu: SlackEmulator, out: Path) -> None:
    alice, bob, carol = emu.user_id("alice"), emu.user_id("bob"), emu.user_id("carol")
    general = emu.channel_id("general")

    print("\n1. @alice in #general types: /incident declare Checkout API returning 500s")
    r = emu.slash_command(alice, general, "/incident", "declare Checkout API returning 500s")
    print(f"  → Slack shows her: {_plain(r.json().get('text', ''), emu)}")
    _report(runtime, emu, 1, alice)

    print("\n2. @bob types /incident declare, fills the form (SEV2, P1, database, payments-api) and submits")
    emu.slash_command(bob, general, "/incident", "declare")
    view = emu.wait_for(lambda: emu.views(user=bob))[-1]
    values: dict[str, dict[str, dict[str, Any]]] = {
        "title": {"title_input": {"type": "plain_text_input", "value": "Payments delayed by 10 minutes"}},
        "severity": {"severity_select": {"type": "static_select", "selected_option": {"value": "SEV2"}}},
        "priority": {"priority_select": {"type": "static_select", "selected_option": {"value": "P1"}}},
        "category": {"category_select": {"type": "static_select", "selected_option": {"value": "database"}}},
        "service": {"service_input": {"type": "plain_text_input", "value": "payments-api"}},
        "description": {"description_input": {"type": "plain_text_input",
                                               "value": "Queue depth growing since 09:40; retries failing."}},
    }
    emu.submit_view(view["id"], values, user_id=bob)
    _report(runtime, emu, 2, bob)

    print("\n3. @carol rehearses: /incident declare --drill Primary database failover")
    emu.slash_command(carol, general, "/incident", "declare --drill Primary database failover")
    _report(runtime, emu, 3, carol)

    print("\n4. @alice types: /incident list")
    r = emu.slash_command(alice, general, "/incident", "list")
    _show("ephemeral answer", [r.json().get("text", "")], emu)

    print("\n5. @alice types: /incident frobnicate")
    r = emu.slash_command(alice, general, "/incident", "frobnicate")
    _show("ephemeral answer", [r.json().get("text", "").split("\n")[0]], emu)

    _steer(runtime, emu)
    _converse_and_close(runtime, emu, out)


def _wait_posts(emu: SlackEmulator, channel: str, seen: set[str], count: int) -> None:
    """Wait until the bot has posted `count` new messages in `channel`."""
    def enough() -> bool:
        return len([m for m in emu.messages(channel, include_replies=False)
                    if m.get("bot_id") and m["ts"] not in seen]) >= count
    emu.wait_for(enough, timeout=10)


def _steer(runtime: BotRuntime, emu: SlackEmulator) -> None:
    """Incident #1 is run: a commander, a severity change, an update, the status moved."""
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
    assert incident is not None and incident.channel_id is not None
    channel, seen = incident.channel_id, {m["ts"] for m in emu.messages(incident.channel_id)}
    steps = [(alice, f"commander <@{bob}>"), (bob, "severity sev1 checkout fails for every customer"),
             (bob, "update Rolled back release 412; error rate falling"), (bob, "status monitoring")]
    print("\n6. In #" + (incident.channel_name or "") + ": " + " · ".join(
        f"@{'alice' if who == alice else 'bob'} types /incident {text.split(' ')[0]} …" for who, text in steps))
    for number, (who, text) in enumerate(steps, 1):
        emu.slash_command(who, channel, "/incident", text)
        _wait_posts(emu, channel, seen, number)
    emu.wait_for(lambda: "monitoring" in emu.channel(channel)["topic"]["value"], timeout=10)
    emu.drain()
    posts = [m for m in emu.messages(channel, include_system=False) if m.get("bot_id") and m["ts"] not in seen]
    _show("posted in the channel", [line for m in posts for line in _message_text(m)], emu)
    print(f"  → topic: {emu.channel(channel)['topic']['value']}")
    card = next(m for m in emu.messages(channel) if m["ts"] == incident.card_ts)
    _show("the incident card, edited in place", _message_text(card), emu)
    announce = emu.channel_id("incidents")
    card = next(m for m in emu.messages(announce) if m["ts"] == incident.announcement_ts)
    _show("the announcement card, edited in place", _message_text(card), emu)
    thread = [m for m in emu.messages(announce) if m.get("thread_ts") == incident.announcement_ts
              and m["ts"] != incident.announcement_ts]
    _show("replies under the announcement", [line for m in thread for line in _message_text(m)], emu)


def _converse_and_close(runtime: BotRuntime, emu: SlackEmulator, out: Path) -> None:
    """Incident #1 is talked through, resolved, given a follow-up and closed: the postmortem is written."""
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
    assert incident is not None and incident.channel_id is not None
    channel = incident.channel_id
    print(f"\n7. The responders talk in #{incident.channel_name}: a thread, a typo fixed by an edit, a pasted "
          "secret deleted, a key message pinned with 📌")
    first = emu.post_message(bob, channel, "Errors started right after release 412 went out")
    emu.post_message(alice, channel, "Confirmed: the new index migration locks the orders table", thread_ts=first)
    typo = emu.post_message(alice, channel, "Rolling bakc to 411 now")
    secret = emu.post_message(bob, channel, "db password is hunter2, use it to check the locks")
    emu.edit_message(alice, channel, typo, "Rolling back to 411 now")
    emu.delete_message(channel, secret)
    emu.add_reaction(alice, channel, first, "pushpin")
    emu.drain()
    r = emu.slash_command(alice, channel, "/incident", "timeline")
    _show("/incident timeline (ephemeral)", [r.json().get("text", "")], emu)

    print("\n8. @bob types /incident resolve and fills the form; @alice adds a follow-up; @bob types /incident close")
    emu.slash_command(bob, channel, "/incident", "resolve")
    view = emu.wait_for(lambda: [v for v in emu.views(user=bob) if v["callback_id"] == "incident_resolve_modal"])[-1]
    emu.submit_view(view["id"], {
        "summary": {"summary_input": {"type": "plain_text_input", "value": "Rolled back to release 411."}},
        "impact": {"impact_input": {"type": "plain_text_input", "value": "Checkout failed for all customers."}},
        "root_cause": {"root_cause_input": {"type": "plain_text_input",
                                            "value": "A migration took a table lock under load."}},
    }, user_id=bob)
    emu.wait_for(lambda: _status(runtime) == "resolved", timeout=10)
    emu.slash_command(alice, channel, "/incident",
                      f"followup Run migrations with lock timeouts <@{bob}> due 2099-01-31")
    emu.slash_command(bob, channel, "/incident", "close")
    emu.wait_for(lambda: emu.files(), timeout=20)
    upload = emu.files()[0]
    path = out / upload["name"]
    path.write_bytes(upload["content"])
    text = upload["content"].decode()
    print(f"  → the postmortem was uploaded to #{incident.channel_name} as {upload['name']} "
          f"({len(upload['content'])} bytes, files_upload_v2's three steps)")
    _show("the postmortem (first lines)", [*text.splitlines()[:14], "…"], emu)
    print(f"\nPostmortem written to {path}")


def _status(runtime: BotRuntime) -> str | None:
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
        return incident.status if incident else None
