"""`/incident runbook [<name>]`, `/incident category <name>`, `/incident service <name>`."""

from __future__ import annotations

from bot.errors import DomainError, InvalidInput
from bot.incidents import classification, steering
from bot.incidents.news import News
from bot.runbooks import posting, queries
from bot.runbooks.loader import load_library
from bot.slack import blocks, blocks_runbook, blocks_steering
from bot.slack.commands.context import incident_here
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import COMMAND
from bot.slack.replies import via_respond
from bot.slack.runbooks import SlackChecklists, shelf


def runbook(deps: Deps, inv: Invocation) -> None:
    """Without a name, list the runbooks that apply; with one, post it in the incident channel."""
    try:
        incident = incident_here(deps, inv, "runbook")
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    library = load_library(deps.config)
    name = inv.args.strip()
    if not name:
        with deps.begin() as session:
            overview = queries.overview(session, deps.config, incident.id, library)
        inv.ack(text=blocks_runbook.overview(incident.label, overview))
        return
    if library.get(name) is None:
        inv.ack(text=blocks.escape(posting.unknown_runbook(name, library)))
        return
    inv.ack()

    def post() -> None:
        posting.post_runbook(deps.sessions, deps.config, SlackChecklists(inv.client), incident.id, name,
                             deps.clock, requested_by=inv.user_id)

    guarded(via_respond(inv.respond), post)


def category(deps: Deps, inv: Invocation) -> None:
    """Re-classify the incident; the runbooks that now apply are posted."""
    _reclassify(deps, inv, "category")


def service(deps: Deps, inv: Invocation) -> None:
    """Change the affected service; the runbooks that now apply are posted."""
    _reclassify(deps, inv, "service")


def _reclassify(deps: Deps, inv: Invocation, what: str) -> None:
    try:
        incident = incident_here(deps, inv, what)
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    if not inv.args.strip():
        current = (incident.category if what == "category" else incident.service) or "none"
        choices = ", ".join(deps.config.categories) if what == "category" else "a service name, e.g. `checkout-api`"
        inv.ack(text=f"The {what} is *{blocks.escape(current)}*. Change it with `{COMMAND} {what} <new>`: "
                     f"{choices} (or `none`).")
        return
    try:
        new = (classification.parse_category(deps.config, inv.args) if what == "category"
               else classification.parse_service(inv.args))
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    if new == (incident.category if what == "category" else incident.service):
        inv.ack(text=f"The {what} already is *{blocks.escape(inv.args.strip())}*.")
        return

    acked: list[bool] = []

    def said(changes: list[News]) -> None:  # everyone in the channel sees the change, in the command's answer
        inv.ack(text="\n".join(blocks_steering.news_line(c) for c in changes), response_type="in_channel")
        acked.append(True)

    def change() -> None:
        try:
            steering.reclassify(deps.sessions, deps.config, deps.chat(inv.client), incident, inv.user_id, what, new,
                                deps.clock, runbooks=shelf(deps, inv.client), committed=said)
        except DomainError as exc:
            if acked:
                raise
            inv.ack(text=exc.message)  # refused before anything was written (it changed meanwhile)

    guarded(via_respond(inv.respond), change)
