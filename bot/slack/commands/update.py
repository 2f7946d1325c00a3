"""`/incident update [<text>]`: a status update (the form without text)."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.incidents import steering
from bot.incidents.updates import validate_update
from bot.slack import forms
from bot.slack.commands.invocation import Invocation
from bot.slack.commands.steer import after_ack, here_or_answer
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.replies import via_respond


def update(deps: Deps, inv: Invocation) -> None:
    """Post the update in the channel and under the announcement; without text, open the form."""
    incident = here_or_answer(deps, inv, "update")
    if incident is None:
        return
    if not inv.args:
        inv.ack()
        reply = via_respond(inv.respond)
        guarded(reply, lambda: forms.open_form(deps, inv.client, inv.trigger_id, reply, "update", incident,
                                               inv.user_id))
        return
    try:
        text = validate_update(inv.args)
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    after_ack(inv, lambda: steering.post_update(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                inv.user_id, text, deps.clock))
