"""Update reminders: `/incident snooze <duration>`, the nudge's Snooze button, the DM's Post update button."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.config import COMMAND
from bot.errors import InvalidInput
from bot.incidents import queries, steering, timers
from bot.incidents.news import News
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import date_token
from bot.slack.blocks import steering as blocks_steering
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.forms import open_form
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond

LENGTH = re.compile(r"^\s*(\d+)\s*([smhd])\s*$", re.IGNORECASE)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
HOW = f"Say how long, e.g. `{COMMAND} snooze 30m` (a number with s, m, h or d; at most 7d)."


def parse_length(text: str) -> timedelta:
    """`30m`, `2h`, `90s`, `1d`; anything else (`forever`, `0s`, over 7 days) says what to type."""
    match = LENGTH.match(text or "")
    if not match:
        raise InvalidInput(f"`{text.strip() or '(nothing)'}` is not a duration. {HOW}", field="snooze")
    length = timedelta(seconds=int(match.group(1)) * UNITS[match.group(2).lower()])
    if length <= timedelta(0) or length > timers.MAX_SNOOZE:
        raise InvalidInput(f"Snooze for more than nothing and at most 7d. {HOW}", field="snooze")
    return length


def _snooze(deps: Deps, client: WebClient, incident: IncidentSnapshot, user_id: str, length: timedelta,
            said: Any = None) -> IncidentSnapshot:
    return steering.steer(deps.sessions, deps.config, deps.chat(client), incident, user_id, None,
                          lambda s, row: [timers.snooze(s, deps.config, row, length, user_id, deps.clock())],
                          committed=said)


def snooze(deps: Deps, inv: Invocation) -> None:
    """Pause the update reminders of the incident whose channel this is."""
    incident = incident_here(deps, inv, "snooze")
    length = parse_length(inv.args)

    def said(changes: list[News]) -> None:  # everyone in the channel sees it, in the command's answer
        inv.ack(text="\n".join(blocks_steering.news_line(c) for c in changes), response_type="in_channel")
    _snooze(deps, inv.client, incident, inv.user_id, length, said)


def register(app: App, deps: Deps) -> None:
    """The nudge's Snooze button and the DM's Post update button."""

    @app.action(Action.REMINDER_SNOOZE)
    def on_snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                  respond: Respond) -> None:
        ack()
        incident_id, _, seconds = str(action.get("value", "")).partition(":")
        user_id, reply = body["user"]["id"], via_respond(respond)

        def work() -> None:
            with deps.begin() as s:
                incident = queries.by_id(s, deps.config, int(incident_id))
            if incident is None:
                raise InvalidInput("That incident no longer exists.")
            after = _snooze(deps, client, incident, user_id, timedelta(seconds=int(seconds or 1800)))
            due = date_token(after.update_due_at, "{time}") if after.update_due_at else "later"
            reply(f":zzz: Update reminders for {after.label} snoozed; the next update is due {due}.")
        deps.after_ack(reply, work)

    @app.action(Action.REMINDER_UPDATE)
    def on_post_update(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                       respond: Respond) -> None:
        ack()
        reply = via_respond(respond)

        def work() -> None:
            with deps.begin() as s:
                incident = queries.by_id(s, deps.config, int(action.get("value") or 0))
            if incident is None:
                raise InvalidInput("That incident no longer exists.")
            open_form(deps, client, body["trigger_id"], reply, "update", incident, body["user"]["id"],
                      response_url=body.get("response_url"))
        deps.after_ack(reply, work)
