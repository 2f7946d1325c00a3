"""`/incident status [<state>]` and `/incident reopen [<state>]`: move through the lifecycle."""

from __future__ import annotations

from bot.errors import DomainError
from bot.incidents import lifecycle, steering
from bot.slack.commands import review
from bot.slack.commands.invocation import Invocation
from bot.slack.commands.steer import after_ack, here_or_answer
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND


def status(deps: Deps, inv: Invocation) -> None:
    """Move to a state; without one, say where the incident is and where it can go."""
    incident = here_or_answer(deps, inv, "status")
    if incident is None:
        return
    allowed = lifecycle.allowed_next(deps.config, incident.status)
    if not inv.args:
        where = f" It can move to: {', '.join(allowed)}." if allowed else " Nothing leaves that state."
        inv.ack(text=f"{incident.label} is *{incident.status}*.{where} Type `{COMMAND} status <state>`.")
        return
    try:
        target = lifecycle.status_named(deps.config, inv.args.split()[0])
        lifecycle.check_move(deps.config, incident.label, incident.status, target)
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    if target in (lifecycle.RESOLVED, lifecycle.CLOSED):  # the same as `/incident resolve` / `close`
        (review.resolve if target == lifecycle.RESOLVED else review.close)(deps, inv)
        return
    after_ack(inv, lambda: steering.move_status(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                inv.user_id, target, deps.clock))


def reopen(deps: Deps, inv: Invocation) -> None:
    """Take a resolved incident back to the first state (or the one named)."""
    incident = here_or_answer(deps, inv, "reopen")
    if incident is None:
        return
    try:
        target = lifecycle.reopen_target(deps.config, incident.label, incident.status,
                                         inv.args.split()[0] if inv.args else None)
    except DomainError as exc:
        inv.ack(text=exc.message)
        return
    after_ack(inv, lambda: steering.move_status(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                inv.user_id, target, deps.clock))
