"""Status updates: `/incident update [--public] [<text>]`, the update form's submission, the card's button."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.incidents.updates import validate_update
from bot.slack.adapters.people import with_mentions
from bot.slack.deps import Deps
from bot.slack.errors import form_refusal
from bot.slack.ids import Action, Block, Callback
from bot.slack.ids import Option as Opt
from bot.slack.listeners.context import incident_here
from bot.slack.listeners.forms import form_channel, form_incident, form_reply, open_form, opener, value
from bot.slack.listeners.invocation import Invocation
from bot.statuspage.publishing import check_publishable, post_update

PUBLIC_FLAG = "--public"


def public_flag(args: str) -> tuple[bool, str]:
    """`'--public The fix is out'` → `(True, 'The fix is out')`; without the flag, `(False, args)`."""
    word, _, rest = args.partition(" ")
    return (True, rest.strip()) if word.lower() == PUBLIC_FLAG else (False, args)


def update(deps: Deps, inv: Invocation) -> None:
    """Post the update in the channel and under the announcement (and on the status page with `--public`);
    without text, open the form."""
    incident = incident_here(deps, inv, "update")
    public, args = public_flag(inv.args)
    if not args and not public:
        inv.ack()
        deps.after_ack(inv.reply, lambda: open_form(deps, inv.client, inv.trigger_id, inv.reply, "update",
                                                    incident, inv.user_id, response_url=inv.response_url))
        return
    if public:
        check_publishable(incident)
    text = validate_update(args)
    inv.ack()
    deps.after_ack(inv.reply, lambda: post_update(deps.sessions, deps.config, deps.chat(inv.client), incident,
                                                  inv.user_id, text, deps.clock, public=public))


def register(app: App, deps: Deps) -> None:
    """The update form's submission (a blank or too long update stays in the form); the card's button."""

    @app.view(Callback.UPDATE_MODAL)
    def on_update(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        text = form_refusal(ack, Block.UPDATE, lambda: validate_update(value(view, Block.UPDATE, Action.UPDATE) or ""))
        if text is None:
            return
        public = Opt.PUBLIC in (value(view, Block.PUBLISH, Action.PUBLISH) or [])
        ack()
        user_id = body["user"]["id"]
        deps.after_ack(form_reply(client, user_id, view, form_channel(view)), lambda: post_update(
            deps.sessions, deps.config, deps.chat(client), form_incident(deps, view), user_id,
            with_mentions(client, text), deps.clock, public=public))  # plain text: `@bob` becomes a mention here

    app.action(Action.OPEN_UPDATE)(opener(deps, "update"))
