"""`incident-bot demo`: the real bot on loopback against the bundled Slack emulator, played by a script."""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot import markup
from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.followups import service as followup_service
from bot.incidents.models import Incident
from bot.runtime import BotRuntime
from bot.timeline import queries as timeline_queries


def _plain(text: str, emu: SlackEmulator, runtime: BotRuntime) -> str:
    """Slack markup as a terminal shows it: people and channels by name, dates as Slack renders them in the
    configured zone, entities unescaped."""
    def channel(channel_id: str) -> str | None:
        try:
            return str(emu.channel(channel_id)["name"])
        except Exception:
            return None

    def user(user_id: str) -> str | None:
        return next((str(u["name"]) for u in emu.users() if u["id"] == user_id), None)

    return markup.readable(text, user, channel_of=channel, zone=runtime.settings.incident.tz())


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


def _show(title: str, lines: list[str], emu: SlackEmulator, runtime: BotRuntime) -> None:
    print(f"\n  ┌ {title}")
    for line in lines:
        for part in _plain(line, emu, runtime).splitlines() or [""]:
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
    _show(f"incident card in #{channel['name']}", _message_text(card), emu, runtime)
    if incident.announcement_ts:
        announcement = next(m for m in emu.messages(emu.channel_id("incidents"))
                            if m["ts"] == incident.announcement_ts)
        _show("announcement in #incidents", _message_text(announcement), emu, runtime)
    else:
        print("  → not announced")
    replies = emu.wait_for(lambda: [r["body"].get("text", "") for r in emu.responses() if r.get("user") == user]
                           + [e["text"] for e in emu.ephemerals(user=user)], timeout=5)
    _show("private reply to the declarer", [replies[-1]], emu, runtime)


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Only errors from logger `name` meanwhile: waitress warns when requests queue for a thread (the demo's
    bursts) or are cut at shutdown, noise in a demo's output."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_demo(*, database_url: str | None, output: str) -> int:
    """Play a few incidents through the real app; print what Slack would show."""
    out = Path(output).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    url = database_url or f"sqlite:///{out / 'demo.db'}"
    secret = secrets.token_hex(16)
    started = time.perf_counter()
    with _quiet("waitress"), SlackEmulator(signing_secret=secret) as emu:
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
            emu.drain()  # every event delivered, so no request is in flight when the server stops
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
    print(f"  → Slack shows her: {_plain(r.json().get('text', ''), emu, runtime)}")
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
    _show("ephemeral answer", [r.json().get("text", "")], emu, runtime)

    print("\n5. @alice types: /incident frobnicate")
    r = emu.slash_command(alice, general, "/incident", "frobnicate")
    _show("ephemeral answer", [r.json().get("text", "").split("\n")[0]], emu, runtime)

    _steer(runtime, emu)
    _converse_and_close(runtime, emu, out)


def _wait_post(emu: SlackEmulator, channel: str, seen: set[str], words: str) -> None:
    """Wait until the bot has posted a new message in `channel` that says `words` (counting posts would not
    do: a runbook posted because of a change is a post too)."""
    def posted() -> bool:
        return any(words in "\n".join(_message_text(m)) for m in emu.messages(channel, include_replies=False)
                   if m.get("bot_id") and m["ts"] not in seen)
    emu.wait_for(posted, timeout=10)


def _steer(runtime: BotRuntime, emu: SlackEmulator) -> None:
    """Incident #1 is run: a commander, a severity change, an update, the status moved."""
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
    assert incident is not None and incident.channel_id is not None
    channel, seen = incident.channel_id, {m["ts"] for m in emu.messages(incident.channel_id)}
    steps = [(alice, f"commander <@{bob}>", "is now commander"),
             (bob, "severity sev1 checkout fails for every customer", "changed the severity"),
             (bob, "update Rolled back release 412; error rate falling", "Rolled back release 412"),
             (bob, "status monitoring", "moved the status")]
    print("\n6. In #" + (incident.channel_name or "") + ": " + " · ".join(
        f"@{'alice' if who == alice else 'bob'} types /incident {text.split(' ')[0]} …" for who, text, _ in steps))
    for who, text, said in steps:
        emu.slash_command(who, channel, "/incident", text)
        _wait_post(emu, channel, seen, said)
    emu.wait_for(lambda: "monitoring" in emu.channel(channel)["topic"]["value"], timeout=10)
    emu.drain()
    posts = [m for m in emu.messages(channel, include_system=False) if m.get("bot_id") and m["ts"] not in seen]
    _show("posted in the channel", [line for m in posts for line in _message_text(m)], emu, runtime)
    print(f"  → topic: {emu.channel(channel)['topic']['value']}")
    card = next(m for m in emu.messages(channel) if m["ts"] == incident.card_ts)
    _show("the incident card, edited in place", _message_text(card), emu, runtime)
    announce = emu.channel_id("incidents")
    card = next(m for m in emu.messages(announce) if m["ts"] == incident.announcement_ts)
    _show("the announcement card, edited in place", _message_text(card), emu, runtime)
    thread = [m for m in emu.messages(announce) if m.get("thread_ts") == incident.announcement_ts
              and m["ts"] != incident.announcement_ts]
    _show("replies under the announcement", [line for m in thread for line in _message_text(m)], emu, runtime)


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
    # the timeline writer stores events after their ack, in order per channel: the pin is the last of them
    emu.wait_for(lambda: _pinned(runtime, incident.id), timeout=10)
    r = emu.slash_command(alice, channel, "/incident", "timeline")
    _show("/incident timeline (ephemeral)", [r.json().get("text", "")], emu, runtime)

    _resolve_and_follow_up(runtime, emu, incident)
    emu.slash_command(bob, channel, "/incident", "close")
    emu.wait_for(lambda: emu.files(), timeout=20)
    emu.wait_for(lambda: _closed_and_linked(runtime), timeout=20)  # the close's last step is done
    upload = emu.files()[0]
    path = out / upload["name"]
    path.write_bytes(upload["content"])
    text = upload["content"].decode()
    print(f"  → the postmortem was uploaded to #{incident.channel_name} as {upload['name']} "
          f"({len(upload['content'])} bytes, files_upload_v2's three steps)")
    _show("the postmortem (first lines)", [*text.splitlines()[:14], "…"], emu, runtime)
    print(f"\nPostmortem written to {path}")


def _resolve_and_follow_up(runtime: BotRuntime, emu: SlackEmulator, incident: Incident) -> None:
    """@bob fills the resolve form (an impact window, users affected, detection, trigger); @alice adds a
    follow-up with a type and priority."""
    alice, bob, channel = emu.user_id("alice"), emu.user_id("bob"), incident.channel_id or ""
    print("\n8. @bob types /incident resolve and fills the form; @alice adds a follow-up; @bob types /incident close")
    emu.slash_command(bob, channel, "/incident", "resolve")
    view = emu.wait_for(lambda: [v for v in emu.views(user=bob) if v["callback_id"] == "incident_resolve_modal"])[-1]
    declared = int(incident.declared_at.timestamp())
    emu.submit_view(view["id"], {
        "summary": {"summary_input": {"type": "plain_text_input", "value": "Rolled back to release 411."}},
        "impact_began": {"impact_began_input": {"type": "datetimepicker", "selected_date_time": declared - 300}},
        "users_affected": {"users_affected_input": {"type": "number_input", "value": "1800"}},
        "detection": {"detection_input": {"type": "static_select", "selected_option": {"value": "customer"}}},
        "trigger": {"trigger_input": {"type": "plain_text_input", "value": "Release 412's index migration."}},
        "impact": {"impact_input": {"type": "plain_text_input", "value": "Checkout failed for all customers."}},
        "root_cause": {"root_cause_input": {"type": "plain_text_input",
                                            "value": "A migration took a table lock under load."}},
    }, user_id=bob)
    emu.wait_for(lambda: _status(runtime) == "resolved", timeout=10)
    emu.slash_command(alice, channel, "/incident",
                      f"followup Run migrations with lock timeouts <@{bob}> due 2099-01-31 type:prevent P2")
    emu.wait_for(lambda: _followups(runtime, incident.id), timeout=10)


def _pinned(runtime: BotRuntime, incident_id: int) -> bool:
    with runtime.sessions() as s:
        return any(e.kind == timeline_queries.MESSAGE for e in timeline_queries.key_events(s, incident_id))


def _followups(runtime: BotRuntime, incident_id: int) -> int:
    with runtime.sessions() as s:
        return len(followup_service.for_incident(s, incident_id))


def _closed_and_linked(runtime: BotRuntime) -> bool:
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
        return bool(incident and incident.status == "closed" and incident.postmortem_permalink)


def _status(runtime: BotRuntime) -> str | None:
    with runtime.sessions() as s:
        incident = s.scalar(select(Incident).where(Incident.number == 1))
        return incident.status if incident else None
