"""Alert triage in Slack: the **Declare**, **Acknowledge** and **Dismiss** buttons of a triage message, and
the declare form they open (prefilled from the alert group), whose incident is tied to the group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.alerts import queries, service
from bot.alerts.models import AlertGroup
from bot.errors import DomainError
from bot.incidents import opening
from bot.incidents.service import Declaration, validate
from bot.slack.blocks.declare import declare_modal
from bot.slack.deps import Deps
from bot.slack.errors import form_refusal
from bot.slack.ids import Action, Block, Callback
from bot.slack.listeners.declare import parse_submission
from bot.slack.listeners.forms import form_metadata, form_reply
from bot.slack.replies import Reply, open_modal, via_respond

Change = Callable[[Session, int, str, datetime], tuple[AlertGroup, bool]]


def group_id(value: Any) -> int:
    """The alert group a button or form names."""
    try:
        return int(str(value))
    except ValueError:
        raise DomainError("This button is not about an alert group the bot knows.") from None


def change(deps: Deps, reply: Reply, group: int, user_id: str, change: Change, done: str) -> None:
    """Acknowledge or dismiss the group, then have its triage message edited; a repeat says who did it first."""
    with deps.begin() as session:
        row, changed = change(session, group, user_id, deps.clock())
        first = row.acknowledged_by if change is service.acknowledge else row.dismissed_by
    if deps.triage is not None:
        deps.triage.notify([group])
    if not changed:
        reply(f"This alert group was already {done} by <@{first}>.")


def open_declare(deps: Deps, client: WebClient, body: dict[str, Any], group: int, reply: Reply) -> None:
    """The declare form, prefilled from the group: title from its summary, severity mapped, its service."""
    with deps.begin() as session:
        view = queries.triage_view(session, deps.config.alerts, group, deps.clock())
    if view.incident_number is not None:
        raise DomainError(f"This alert group is already Incident #{view.incident_number}.")
    metadata = {"origin": body.get("channel", {}).get("id", ""), "message_ts": "", "group": str(group),
                "reply": body.get("response_url") or ""}
    modal = declare_modal(deps.config, title=view.title, description=view.description, metadata=metadata,
                          severity=view.incident_severity, service=view.service or "")
    modal["callback_id"] = Callback.ALERT_DECLARE_MODAL
    open_modal(client, body["trigger_id"], modal, reply, form="declare form",
               instead="Click *Declare* again, or declare with `/incident declare <title>`.")


def declare_group(deps: Deps, client: WebClient, group: int, d: Declaration, reply: Reply) -> None:
    """Declare through the declare workflow, then tie the incident to the group (also when set-up failed
    part-way: the incident exists), then tell the declarer where it is."""
    try:
        incident, created = opening.declare_incident(deps.sessions, deps.config, deps.chat(client), d, deps.clock,
                                                     runbooks=deps.runbooks(client), lease=deps.settings.setup_lease)
    finally:
        with deps.begin() as session:
            incident_id = queries.incident_for_key(session, d.request_key or "")
            if incident_id is not None:
                service.attach(session, group, incident_id)
        if deps.triage is not None:
            deps.triage.notify([group])
    if created:
        reply(f"{incident.label} declared from the alerts: <#{incident.channel_id}>.")


def register(app: App, deps: Deps) -> None:
    """The triage buttons and the declare form they open."""

    @app.action(Action.ALERT_ACKNOWLEDGE)
    def on_acknowledge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        deps.after_ack(reply, lambda: change(deps, reply, group_id(action.get("value")), body["user"]["id"],
                                             service.acknowledge, "acknowledged"))

    @app.action(Action.ALERT_DISMISS)
    def on_dismiss(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        deps.after_ack(reply, lambda: change(deps, reply, group_id(action.get("value")), body["user"]["id"],
                                             service.dismiss, "dismissed"))

    @app.action(Action.ALERT_DECLARE)
    def on_declare(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                   respond: Respond) -> None:
        ack()
        reply = via_respond(respond)
        deps.after_ack(reply, lambda: open_declare(deps, client, body, group_id(action.get("value")), reply))

    @app.view(Callback.ALERT_DECLARE_MODAL)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        group = form_metadata(view).get("group")
        d = form_refusal(ack, Block.TITLE, lambda: validate(deps.config, parse_submission(view, user_id)))
        if d is None:
            return
        ack()
        reply = form_reply(client, user_id, view, d.source_channel_id)

        def work() -> None:
            gid = group_id(group)
            with deps.begin() as session:
                url = queries.triage_view(session, deps.config.alerts, gid, deps.clock()).url
            declare_group(deps, client, gid, replace(d, source_permalink=url), reply)

        deps.after_ack(reply, work, slow=True)


