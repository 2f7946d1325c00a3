"""`/incident roles` (the roles form) and `/incident <role> @person` (assign directly)."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.incidents import steering
from bot.incidents.roles import check_people, role_named
from bot.slack import forms
from bot.slack.commands.invocation import Invocation
from bot.slack.commands.steer import after_ack, here_or_answer, mentioned
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import COMMAND
from bot.slack.replies import via_respond


def open_form(deps: Deps, inv: Invocation) -> None:
    """A person picker per role, current holders preselected."""
    incident = here_or_answer(deps, inv, "roles")
    if incident is None:
        return
    inv.ack()
    reply = via_respond(inv.respond)
    guarded(reply, lambda: forms.open_form(deps, inv.client, inv.trigger_id, reply, "roles", incident, inv.user_id))


def assign(deps: Deps, inv: Invocation) -> None:
    """`/incident commander @alice` or `/incident assign investigator @bob @carol`: give a role directly."""
    role_text, args = (inv.args.partition(" ")[::2] if inv.word == "assign" else (inv.word, inv.args))
    incident = here_or_answer(deps, inv, role_text or "assign")
    if incident is None:
        return
    try:
        role = role_named(deps.config, role_text or "?")
        people = check_people(role, mentioned(inv, args, f"{COMMAND} {role.name} @alice"))
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    after_ack(inv, lambda: steering.assign_role(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                inv.user_id, role.name, people, deps.clock))
