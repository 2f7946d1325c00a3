"""`/incident`: one slash command, routed by its first word to a subcommand module."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.commands import declare, levels, listing, review, roles, runbooks, status, update
from bot.slack.commands import timeline as timeline_cmd
from bot.slack.commands.invocation import Handler, Invocation
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND


@dataclass(frozen=True)
class Subcommand:
    """A subcommand: its name, other names, usage line, and handler."""

    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()


def _help(deps: Deps, inv: Invocation) -> None:
    inv.ack(text=help_text())


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("declare", f"{COMMAND} declare", "open the declare form (title, severity, priority, …)",
               declare.open_form, ("new",)),
    Subcommand("declare", f"{COMMAND} declare <title>",
               "declare at once with the default severity (`--drill` for a drill, `--private` for a private one)",
               declare.open_form),
    Subcommand("list", f"{COMMAND} list", "open incidents with their channels", listing.show, ("ls", "open")),
    Subcommand("roles", f"{COMMAND} roles", "the roles form: a person picker per role", roles.open_form),
    Subcommand("assign", f"{COMMAND} commander|investigator|communicator <@person>",
               "give a role directly (hands a one-holder role over; `me` for yourself)", roles.assign,
               ("commander", "investigator", "communicator")),
    Subcommand("severity", f"{COMMAND} severity [<level> [reason]]",
               "change the severity: the form, or directly (`sev1`, `SEV1`, `1`)", levels.severity, ("sev",)),
    Subcommand("priority", f"{COMMAND} priority [<p> [reason]]", "change the priority (`p1`, `P1`, `1`)",
               levels.priority),
    Subcommand("status", f"{COMMAND} status [<state>]",
               "move through the lifecycle (investigating → identified → monitoring → resolved → closed, "
               "or declined)", status.status),
    Subcommand("reopen", f"{COMMAND} reopen", "reopen a resolved incident", status.reopen),
    Subcommand("update", f"{COMMAND} update [<text>]",
               "post a status update in the channel and under the announcement (the form without text)",
               update.update),
    Subcommand("runbook", f"{COMMAND} runbook [<name>]",
               "the runbooks that apply here (in an incident channel); with a name, post that checklist",
               runbooks.runbook, ("runbooks",)),
    Subcommand("category", f"{COMMAND} category <name>",
               "re-classify the incident (`none` clears it); runbooks that now apply are posted", runbooks.category),
    Subcommand("service", f"{COMMAND} service <name>",
               "change the affected service (`none` clears it); runbooks that now apply are posted",
               runbooks.service),
    Subcommand("note", f"{COMMAND} note <text>", "add a key event to the incident's timeline",
               timeline_cmd.note),
    Subcommand("timeline", f"{COMMAND} timeline", "the incident's key events so far", timeline_cmd.show),
    Subcommand("resolve", f"{COMMAND} resolve",
               "service is restored: a form for the summary, impact and root cause", review.resolve),
    Subcommand("close", f"{COMMAND} close",
               "the review is done: closes (resolving first if needed) and posts the postmortem", review.close),
    Subcommand("followup", f"{COMMAND} followup <what> [@owner] [due YYYY-MM-DD]", "record a follow-up action",
               review.add_followup, ("follow-up", "action")),
    Subcommand("followups", f"{COMMAND} followups", "the incident's follow-ups", review.list_followups,
               ("follow-ups", "actions")),
    Subcommand("help", f"{COMMAND} help", "this help", _help, ("?", "h")),
)


def help_text() -> str:
    """Usage for every subcommand."""
    return blocks.help_text([(s.usage, s.summary) for s in SUBCOMMANDS])


def find(word: str) -> Subcommand | None:
    """The subcommand called `word` (or one of its aliases)."""
    word = word.lower()
    return next((s for s in SUBCOMMANDS if word == s.name or word in s.aliases), None)


def split(text: str) -> tuple[str, str]:
    """`'declare  Checkout &amp; cart down'` → `('declare', 'Checkout & cart down')` (Slack escapes &, <, >)."""
    text = html.unescape(text or "").strip()
    word, _, rest = text.partition(" ")
    return word, rest.strip()


def register(app: App, deps: Deps) -> None:
    """Route `/incident` to its subcommands; unknown or empty text gets help."""

    @app.command(COMMAND)
    def on_incident(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        word, args = split(command.get("text", ""))
        inv = Invocation(user_id=command["user_id"], channel_id=command.get("channel_id", ""), args=args,
                         trigger_id=command.get("trigger_id", ""), ack=ack, respond=respond, client=client,
                         word=word.lower())
        if not word:
            ack(text=help_text())
            return
        sub = find(word)
        if sub is None and word.lower() in {r.name for r in deps.config.roles}:
            sub = find("assign")  # a configured role beyond the default three
        if sub is None:
            ack(text=f"I don't know `{COMMAND} {blocks.escape(word)}`.\n\n{help_text()}")
            return
        sub.handler(deps, inv)
