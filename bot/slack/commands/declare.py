"""`/incident declare [--drill] [--private] [<title>]`: the form, or an immediate declaration."""

from __future__ import annotations

from bot.errors import InvalidInput
from bot.incidents.service import Declaration, validate
from bot.slack import blocks, modals
from bot.slack.commands.invocation import Invocation
from bot.slack.deps import Deps
from bot.slack.ids import COMMAND
from bot.slack.replies import via_respond

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


def open_form(deps: Deps, inv: Invocation) -> None:
    """With a title, declare at once; without one, open the declare modal."""
    try:
        flags, title = parse_flags(inv.args)
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    if not title:
        inv.ack()
        modals.open_declare(deps, inv.client, inv.trigger_id, via_respond(inv.respond),
                            origin_channel=inv.channel_id, private="private" in flags, drill="drill" in flags)
        return
    declaration = Declaration(title=title, reporter_id=inv.user_id, drill="drill" in flags,
                              private="private" in flags, source_channel_id=inv.channel_id,
                              request_key=f"command:{inv.trigger_id}" if inv.trigger_id else None)
    try:
        declaration = validate(deps.config, declaration)
    except InvalidInput as exc:
        inv.ack(text=exc.message)
        return
    kind = "drill" if declaration.drill else "incident"
    inv.ack(text=f"Declaring {kind} *{blocks.escape(declaration.title)}* ({declaration.severity})…")
    reply = via_respond(inv.respond)
    deps.later(reply, lambda: modals.declare_and_reply(deps, inv.client, declaration, reply))
