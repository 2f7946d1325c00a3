"""`/incident resolve`, `/incident close`, `/incident followup …`, `/incident followups`."""

from __future__ import annotations

from bot.errors import DomainError, InvalidInput
from bot.followups import adding
from bot.followups import service as followups
from bot.incidents import lifecycle
from bot.incidents.views import IncidentView
from bot.postmortem import closing
from bot.slack import blocks_review, forms
from bot.slack.commands.invocation import Invocation
from bot.slack.commands.steer import after_ack, here_or_answer
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.postmortem import SlackPostmortemDesk
from bot.slack.replies import via_respond


def _movable(deps: Deps, inv: Invocation, subcommand: str, target: str) -> IncidentView | None:
    """The incident here, if it may move to `target`; otherwise the ack says why (None)."""
    incident = here_or_answer(deps, inv, subcommand)
    if incident is None:
        return None
    try:
        lifecycle.check_move(deps.config, incident.label, incident.status, target)
    except DomainError as exc:
        inv.ack(text=exc.message)
        return None
    return incident


def resolve(deps: Deps, inv: Invocation) -> None:
    """Open the resolve form (summary, impact, root cause)."""
    incident = _movable(deps, inv, "resolve", lifecycle.RESOLVED)
    if incident is None:
        return
    inv.ack()
    reply = via_respond(inv.respond)
    guarded(reply, lambda: forms.open_form(deps, inv.client, inv.trigger_id, reply, "resolve", incident,
                                           inv.user_id))


def close(deps: Deps, inv: Invocation) -> None:
    """Close (resolving first if needed) and post the postmortem."""
    incident = _movable(deps, inv, "close", lifecycle.CLOSED)
    if incident is None:
        return
    inv.ack(text=f"Closing {incident.label} and writing its postmortem…")
    deps.later(via_respond(inv.respond), lambda: _close(deps, inv, incident))


def _close(deps: Deps, inv: Invocation, incident: IncidentView) -> None:
    closing.close(deps.sessions, deps.config, deps.chat(inv.client), SlackPostmortemDesk(inv.client),
                  deps.templates, incident, inv.user_id, deps.clock)


def add_followup(deps: Deps, inv: Invocation) -> None:
    """Record an action item: `<text> [@owner] [due YYYY-MM-DD]`."""
    incident = here_or_answer(deps, inv, "followup")
    if incident is None:
        return
    try:
        request = followups.parse(inv.args, deps.clock().date())
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    after_ack(inv, lambda: adding.add_followup(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                               inv.user_id, request, deps.clock))


def list_followups(deps: Deps, inv: Invocation) -> None:
    """The incident's follow-ups (ephemeral)."""
    incident = here_or_answer(deps, inv, "followups")
    if incident is None:
        return
    with deps.begin() as session:
        items = followups.for_incident(session, incident.id)
        text = blocks_review.followup_list(incident, items)
    inv.ack(text=text)
