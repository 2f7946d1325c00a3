"""One `/incident …` as typed, handed to the subcommand that handles it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack.replies import Reply, via_respond

if TYPE_CHECKING:
    from bot.slack.deps import Deps


@dataclass
class Invocation:
    """Who typed it, where, the subcommand's arguments, and how to answer (acked at most once)."""

    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    slack_ack: Ack
    respond: Respond
    client: WebClient
    response_url: str = ""  # the command's: answers in place for 30 minutes, 5 times (carried into its forms)
    word: str = ""  # the subcommand as typed, lowercased (`commander`, `investigator`, … share a handler)
    acked: bool = field(default=False, init=False)

    def ack(self, text: str | None = None, **kwargs: Any) -> None:
        """Acknowledge the command, with an (ephemeral) answer when `text` is given."""
        self.acked = True
        if text is None:
            self.slack_ack(**kwargs)
        else:
            self.slack_ack(text=text, **kwargs)

    @property
    def reply(self) -> Reply:
        """An ephemeral reply through the command's response_url (for work after the ack)."""
        return via_respond(self.respond)

    def refuse(self, text: str) -> None:
        """Answer a refusal: in the ack if there has been none yet, else as a reply."""
        if self.acked:
            self.reply(text)
        else:
            self.ack(text=text)


Handler = Callable[["Deps", Invocation], None]
