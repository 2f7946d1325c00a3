"""`/incident`: one slash command, routed by its first word to the feature module that handles it.

Handlers raise DomainError for a refusal; the router answers it (in the ack, or as a reply once acked)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.markup import escape
from bot.slack.blocks import help as blocks_help
from bot.slack.deps import Deps
from bot.slack.errors import refusal_answered
from bot.slack.ids import COMMAND
from bot.slack.listeners import (
    catchup,
    close,
    declare,
    followups,
    levels,
    listing,
    reminders,
    resolve,
    roles,
    runbooks,
    stats,
    status,
    timeline,
    updates,
)
from bot.slack.listeners.invocation import Handler, Invocation


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
               declare.declare_command, ("new",)),
    Subcommand("declare", f"{COMMAND} declare <title>",
               "declare at once with the default severity (`--drill` for a drill, `--private` for a private one)",
               declare.declare_command),
    Subcommand("list", f"{COMMAND} list", "open incidents with their channels", listing.show, ("ls", "open")),
    Subcommand("roles", f"{COMMAND} roles", "the roles form: a person picker per role", roles.roles_command),
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
    Subcommand("update", f"{COMMAND} update [--public] [<text>]",
               "post a status update in the channel and under the announcement (the form without text); "
               "`--public` also puts it on the status page", updates.update),
    Subcommand("snooze", f"{COMMAND} snooze <duration>",
               "pause this incident's update reminders (`30m`, `2h`, `1d`)", reminders.snooze),
    Subcommand("runbook", f"{COMMAND} runbook [<name>]",
               "the runbooks that apply here (in an incident channel); with a name, post that checklist",
               runbooks.runbook, ("runbooks",)),
    Subcommand("category", f"{COMMAND} category <name>",
               "re-classify the incident (`none` clears it); runbooks that now apply are posted", runbooks.category),
    Subcommand("service", f"{COMMAND} service <name>",
               "change the affected service (`none` clears it); runbooks that now apply are posted",
               runbooks.service),
    Subcommand("note", f"{COMMAND} note <text>", "add a key event to the incident's timeline",
               timeline.note),
    Subcommand("timeline", f"{COMMAND} timeline", "the incident's key events so far", timeline.show),
    Subcommand("catchup", f"{COMMAND} catchup",
               "where the incident stands: status, severity, roles, age, last update, key events, open follow-ups",
               catchup.catchup, ("catch-up",)),
    Subcommand("resolve", f"{COMMAND} resolve",
               "service is restored: a form for the summary, the impact and its window, detection, trigger and "
               "root cause", resolve.resolve),
    Subcommand("close", f"{COMMAND} close",
               "the review is done: closes (resolving first if needed) and posts the postmortem", close.close),
    Subcommand("followup",
               f"{COMMAND} followup <what> [@owner] [due YYYY-MM-DD] [type:mitigate|prevent|process] [P1…P4]",
               "record a follow-up action (its owner gets a DM on the due date)",
               followups.add_followup, ("follow-up", "action")),
    Subcommand("followup", f"{COMMAND} followup done|wontdo <n>", "close follow-up n of `followups` as done or "
               "won't do", followups.add_followup),
    Subcommand("followups", f"{COMMAND} followups", "the incident's follow-ups", followups.list_followups,
               ("follow-ups", "actions")),
    Subcommand("stats", f"{COMMAND} stats [7d|30d|90d|…]", "figures of a period (default 30d): incidents by severity, "
               "median and p90 time to acknowledge, mitigate and resolve, SLA breaches, follow-ups done", stats.show,
               ("metrics",)),
    Subcommand("help", f"{COMMAND} help", "this help", _help, ("?", "h")),
)


def help_text() -> str:
    """Usage for every subcommand."""
    return blocks_help.help_text([(s.usage, s.summary) for s in SUBCOMMANDS])


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
                         trigger_id=command.get("trigger_id", ""), slack_ack=ack, respond=respond, client=client,
                         response_url=command.get("response_url", ""), word=word.lower())
        if not word:
            ack(text=help_text())
            return
        sub = find(word)
        if sub is None and word.lower() in {r.name for r in deps.config.roles}:
            sub = find("assign")  # a configured role beyond the default three
        if sub is None:
            ack(text=f"I don't know `{COMMAND} {escape(word)}`.\n\n{help_text()}")
            return
        handler = sub.handler
        refusal_answered(lambda: handler(deps, inv), inv.refuse)
