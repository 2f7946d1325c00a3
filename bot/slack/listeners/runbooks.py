"""Runbooks: `/incident runbook [<name>]`, `/incident category <name>`, `/incident service <name>`, and
ticking checklist steps."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput
from bot.incidents import classification, steering
from bot.incidents.news import News
from bot.markup import escape
from bot.runbooks import posting, queries
from bot.runbooks.loader import load_library
from bot.slack.adapters.checklists import SlackChecklists
from bot.slack.blocks import runbooks as blocks_runbook
from bot.slack.blocks import steering as blocks_steering
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND, Action, Block
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import via_respond


def runbook(deps: Deps, inv: Invocation) -> None:
    """Without a name, list the runbooks that apply; with one, post it in the incident channel."""
    incident = incident_here(deps, inv, "runbook")
    library = load_library(deps.config)
    name = inv.args.strip()
    if not name:
        with deps.begin() as session:
            overview = queries.overview(session, deps.config, incident.id, library)
        inv.ack(text=blocks_runbook.overview(incident.label, overview))
        return
    if library.get(name) is None:
        inv.ack(text=escape(posting.unknown_runbook(name, library)))
        return
    inv.ack()
    deps.after_ack(inv.reply, lambda: posting.post_runbook(deps.sessions, deps.config, SlackChecklists(inv.client),
                                                           incident.id, name, deps.clock, requested_by=inv.user_id))


def category(deps: Deps, inv: Invocation) -> None:
    """Re-classify the incident; the runbooks that now apply are posted."""
    _reclassify(deps, inv, "category")


def service(deps: Deps, inv: Invocation) -> None:
    """Change the affected service; the runbooks that now apply are posted."""
    _reclassify(deps, inv, "service")


def _reclassify(deps: Deps, inv: Invocation, what: str) -> None:
    incident = incident_here(deps, inv, what)
    if not inv.args.strip():
        current = (incident.category if what == "category" else incident.service) or "none"
        choices = ", ".join(deps.config.categories) if what == "category" else "a service name, e.g. `checkout-api`"
        inv.ack(text=f"The {what} is *{escape(current)}*. Change it with `{COMMAND} {what} <new>`: "
                     f"{choices} (or `none`).")
        return
    new = (classification.parse_category(deps.config, inv.args) if what == "category"
           else classification.parse_service(inv.args))
    if new == (incident.category if what == "category" else incident.service):
        inv.ack(text=f"The {what} already is *{escape(inv.args.strip())}*.")
        return

    def said(changes: list[News]) -> None:  # everyone in the channel sees the change, in the command's answer
        inv.ack(text="\n".join(blocks_steering.news_line(c) for c in changes), response_type="in_channel")

    # refused before the commit (it changed meanwhile): answered in the ack; problems after it: a reply
    deps.after_ack(inv.refuse, lambda: steering.reclassify(
        deps.sessions, deps.config, deps.chat(inv.client), incident, inv.user_id, what, new, deps.clock,
        runbooks=deps.runbooks(inv.client), committed=said))

def parse_tick(action: dict[str, Any]) -> tuple[int, int, bool]:
    """(checklist id, step index, ticked) from a step checkbox's block_actions entry.

    The block id names the step (`runbook_step:<checklist>:<step>`): an unticked box sends no option.
    """
    prefix, _, rest = str(action.get("block_id", "")).partition(":")
    try:
        if prefix != Block.RUNBOOK_STEP:
            raise ValueError
        checklist_id, step = (int(part) for part in rest.split(":", 1))
    except ValueError:
        raise InvalidInput("That checkbox does not belong to a runbook checklist the bot posted.") from None
    return checklist_id, step, bool(action.get("selected_options"))


def register(app: App, deps: Deps) -> None:
    """Ticking and unticking checklist steps."""

    @app.action(Action.RUNBOOK_STEP)
    def on_step(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()

        def work() -> None:
            checklist_id, step, done = parse_tick(action)
            posting.tick(deps.sessions, SlackChecklists(client), checklist_id, step, done,
                         user_id=body["user"]["id"], channel_id=(body.get("channel") or {}).get("id", ""),
                         now=deps.clock)

        deps.after_ack(via_respond(respond), work)
