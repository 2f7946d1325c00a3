"""One `/incident …` as typed, handed to the subcommand that handles it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

if TYPE_CHECKING:
    from bot.slack.deps import Deps


@dataclass(frozen=True)
class Invocation:
    """Who typed it, where, the subcommand's arguments, and how to answer."""

    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    ack: Ack
    respond: Respond
    client: WebClient
    word: str = ""  # the subcommand as typed, lowercased (`commander`, `investigator`, … share a handler)


Handler = Callable[["Deps", Invocation], None]
