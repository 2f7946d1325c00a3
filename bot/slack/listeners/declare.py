"""Declaring: `/incident declare [--drill] [--private] [<title>]`, the declare form and its submission,
and the *Declare incident* (global) and *Declare from message* shortcuts."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import ChatStepFailed, InvalidInput
from bot.incidents import opening
from bot.incidents.service import Declaration, validate
from bot.markup import escape
from bot.slack.adapters import people
from bot.slack.adapters.calls import call
from bot.slack.blocks.declare import declare_modal
from bot.slack.deps import Deps
from bot.slack.errors import form_refusal
from bot.slack.ids import COMMAND, Action, Block, Callback, Option
from bot.slack.listeners.forms import form_metadata, form_reply, selected
from bot.slack.listeners.invocation import Invocation
from bot.slack.replies import Reply, ephemeral_or_dm, open_modal, via_respond

log = logging.getLogger(__name__)
FLAGS = {"--drill": "drill", "--private": "private"}


def parse_flags(args: str) -> tuple[set[str], str]:
    """Leading `--drill` / `--private` flags and the title after them; an unknown flag is refused."""
    flags: set[str] = set()
    words = args.split()
    while words and words[0].startswith("--"):
        flag = words.pop(0).lower()
        if flag not in FLAGS:
            raise InvalidInput(f"`{flag}` is not an option of `{COMMAND} declare`. Options: "
                               f"{', '.join(FLAGS)}. Example: `{COMMAND} declare --drill Checkout is down`.")
        flags.add(FLAGS[flag])
    return flags, " ".join(words)


def declare_command(deps: Deps, inv: Invocation) -> None:
    """With a title, declare at once; without one, open the declare modal."""
    flags, title = parse_flags(inv.args)
    if not title:
        inv.ack()
        deps.after_ack(inv.reply, lambda: open_declare(
            deps, inv.client, inv.trigger_id, inv.reply, origin_channel=inv.channel_id,
            private="private" in flags, drill="drill" in flags, response_url=inv.response_url))
        return
    declaration = validate(deps.config, Declaration(
        title=title, reporter_id=inv.user_id, drill="drill" in flags, private="private" in flags,
        source_channel_id=inv.channel_id, request_key=f"command:{inv.trigger_id}" if inv.trigger_id else None))
    kind = "drill" if declaration.drill else "incident"
    inv.ack(text=f"Declaring {kind} *{escape(declaration.title)}* ({declaration.severity})…")
    reply = inv.reply
    deps.after_ack(reply, lambda: declare_and_reply(deps, inv.client, declaration, reply), slow=True)


def open_declare(deps: Deps, client: WebClient, trigger_id: str, reply: Reply, *, origin_channel: str | None,
                 title: str = "", description: str = "", message_ts: str | None = None,
                 private: bool = False, drill: bool = False, response_url: str | None = None) -> None:
    """Open the declare modal on `trigger_id` at once (nothing slow first: the trigger lives 3 seconds);
    if Slack refuses, say what to do instead. The form remembers where it came from (channel, message,
    response_url); the message's permalink is fetched after the submission."""
    metadata = {"origin": origin_channel or "", "message_ts": message_ts or "", "reply": response_url or ""}
    view = declare_modal(deps.config, title=title, description=description, metadata=metadata,
                         private=private, drill=drill)
    open_modal(client, trigger_id, view, reply, form="declare form",
               instead=f"Run `{COMMAND} declare` again, or declare at once with `{COMMAND} declare <title>`.")


def declare_and_reply(deps: Deps, client: WebClient, declaration: Declaration, reply: Reply,
                      message_ts: str | None = None) -> None:
    """Declare, open the channel, tell the declarer where it is (a repeated submission stays quiet).
    `message_ts`: declared from that message in the source channel, whose permalink goes on the card."""
    if declaration.description:  # `@bob` typed (or shown from a message) in the form becomes a mention
        declaration = replace(declaration, description=people.with_mentions(client, declaration.description))
    if message_ts and declaration.source_channel_id and not declaration.source_permalink:
        declaration = replace(declaration, source_permalink=_permalink(client, declaration.source_channel_id,
                                                                       message_ts))
    incident, created = opening.declare_incident(deps.sessions, deps.config, deps.chat(client), declaration,
                                                 deps.clock, runbooks=deps.runbooks(client),
                                                 lease=deps.settings.setup_lease)
    if not created:
        return
    reply(f"{incident.label} declared: <#{incident.channel_id}>. You are in the channel; "
          "gather responders there.")


def parse_submission(view: dict[str, Any], user_id: str) -> Declaration:
    """The declaration a submitted declare modal asks for."""
    values = view.get("state", {}).get("values", {})
    metadata = form_metadata(view)
    options = selected(values, Block.OPTIONS, Action.OPTIONS) or []
    return Declaration(
        title=selected(values, Block.TITLE, Action.TITLE) or "",
        severity=selected(values, Block.SEVERITY, Action.SEVERITY),
        priority=selected(values, Block.PRIORITY, Action.PRIORITY),
        category=selected(values, Block.CATEGORY, Action.CATEGORY),
        service=selected(values, Block.SERVICE, Action.SERVICE),
        description=selected(values, Block.DESCRIPTION, Action.DESCRIPTION) or "",
        private=Option.PRIVATE in options, drill=Option.DRILL in options, reporter_id=user_id,
        source_channel_id=metadata.get("origin") or None,
        request_key=f"view:{view['id']}",
    )


def _permalink(client: WebClient, channel_id: str, ts: str) -> str | None:
    try:
        return str(call("get the permalink", lambda: client.chat_getPermalink(channel=channel_id,
                                                                           message_ts=ts))["permalink"])
    except ChatStepFailed as exc:
        log.info("no permalink for %s/%s: %s", channel_id, ts, exc.reason)
        return None


def register(app: App, deps: Deps) -> None:
    """The declare form's submission; declare from anywhere, or from a message."""

    @app.view(Callback.DECLARE_MODAL)
    def on_declare_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        declaration = form_refusal(ack, Block.TITLE, lambda: validate(deps.config, parse_submission(view, user_id)))
        if declaration is None:
            return
        ack()
        reply = form_reply(client, user_id, view, declaration.source_channel_id)
        message_ts = str(form_metadata(view).get("message_ts") or "") or None
        deps.after_ack(reply, lambda: declare_and_reply(deps, client, declaration, reply, message_ts), slow=True)

    @app.shortcut(Callback.DECLARE_SHORTCUT)
    def on_declare_shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        reply = ephemeral_or_dm(client, body["user"]["id"], None)
        deps.after_ack(reply, lambda: open_declare(deps, client, body["trigger_id"], reply, origin_channel=None))

    @app.shortcut(Callback.DECLARE_FROM_MESSAGE)
    def on_declare_from_message(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        channel_id = body.get("channel", {}).get("id")
        message = body.get("message", {})

        reply = via_respond(respond)
        def work() -> None:
            # Slack sends the message's text escaped, mentions as ids: readable in the form, once unescaped
            open_declare(deps, client, body["trigger_id"], reply, origin_channel=channel_id,
                         description=people.readable(client, message.get("text", "")),
                         message_ts=message.get("ts") if channel_id else None, response_url=body.get("response_url"))
            people.prefetch(client)  # after the modal is open: names next time

        deps.after_ack(reply, work)
