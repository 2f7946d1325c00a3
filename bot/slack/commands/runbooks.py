"""`/incident runbook [<name>]`, `/incident category <name>`, `/incident service <name>`."""

from __future__ import annotations

from bot.errors import ChatStepFailed, DomainError, InvalidInput
from bot.incidents import classification
from bot.incidents import queries as incident_queries
from bot.incidents.views import IncidentView
from bot.runbooks import posting, queries
from bot.runbooks.loader import load_library
from bot.slack import blocks, blocks_runbook
from bot.slack.commands.context import incident_here
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import COMMAND
from bot.slack.replies import via_respond
from bot.slack.runbooks import SlackChecklists


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
        with deps.begin() as session:
            change = (classification.change_category(session, deps.config, incident.id, inv.args,
                                                     actor_id=inv.user_id, now=deps.clock())
                      if what == "category" else
                      classification.change_service(session, incident.id, inv.args, actor_id=inv.user_id,
                                                    now=deps.clock()))
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    if change is None:
        inv.ack(text=f"The {what} already is *{blocks.escape(inv.args.strip())}*.")
        return
    old, new = change
    inv.ack(text=f"<@{inv.user_id}> changed the {_label(what)}: {blocks.escape(old or 'none')} → "
                 f"*{blocks.escape(new or 'none')}*", response_type="in_channel")
    reply = via_respond(inv.respond)
    guarded(reply, lambda: _post_matching(deps, inv, incident, f"{_label(what)} changed to {new or 'none'}"))


def _label(what: str) -> str:
    return "affected service" if what == "service" else what


def _post_matching(deps: Deps, inv: Invocation, incident: IncidentView, reason: str) -> None:
    with deps.begin() as session:
        after = incident_queries.by_id(session, deps.config, incident.id)
    if after is not None and after.card_ts:  # the card shows category and service
        try:
            deps.chat(inv.client).refresh_card(after)
        except ChatStepFailed as exc:
            raise DomainError(f"The change is recorded, but the incident card could not be updated "
                              f"({exc.reason}).") from exc
    result = posting.post_matching(deps.sessions, deps.config, SlackChecklists(inv.client), incident.id,
                                   deps.clock, reason=reason)
    if result.failed:
        names = ", ".join(f"`{name}` ({why})" for name, why in result.failed)
        raise DomainError(f"The runbook {names} could not be posted. Post it with `{COMMAND} runbook <name>`.")
