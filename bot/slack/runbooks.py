"""Runbook checklists on Slack: the chat port (post, update in place) and the listener for ticked steps."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput
from bot.runbooks import posting
from bot.runbooks.posting import Shelf
from bot.runbooks.views import ChecklistView
from bot.slack import blocks_runbook
from bot.slack.adapters import _call
from bot.slack.deps import Deps
from bot.slack.errors import guarded
from bot.slack.ids import Action, Block
from bot.slack.replies import via_respond


def shelf(deps: Deps, client: WebClient) -> Shelf:
    """The incident domain's RunbookShelf, posting checklists on `client`."""
    return Shelf(deps.sessions, deps.config, SlackChecklists(client), deps.clock)


class SlackChecklists:
    """ChecklistChat on a WebClient (429s and dropped connections are retried by the client)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_checklist(self, channel_id: str, checklist: ChecklistView) -> str:
        """Post the checklist in the incident channel; returns its ts."""
        response = _call("post the checklist", lambda: self.client.chat_postMessage(
            channel=channel_id, text=blocks_runbook.fallback(checklist), blocks=blocks_runbook.checklist(checklist),
            unfurl_links=False, unfurl_media=False))
        return str(response["ts"])

    def update_checklist(self, channel_id: str, message_ts: str, checklist: ChecklistView) -> None:
        """Show the checklist's current state in place."""
        _call("update the checklist", lambda: self.client.chat_update(
            channel=channel_id, ts=message_ts, text=blocks_runbook.fallback(checklist),
            blocks=blocks_runbook.checklist(checklist)))


def parse_tick(action: dict[str, Any]) -> tuple[int, int, bool]:
    """(checklist id, step index, ticked) from a step checkbox's block_actions entry.

    The block id names the step (`runbook_step:<checklist>:<step>`): an unticked box sends no option.
    """
    prefix, _, rest = str(action.get("block_id", "")).partition(":")
    try:
        if prefix != Block.RUNBOOK_STEP:
            raise ValueError
        checklist_id, step = (int(part) for part in rest.split(":", 1))
    except ValueError:
        raise InvalidInput("That checkbox does not belong to a runbook checklist the bot posted.") from None
    return checklist_id, step, bool(action.get("selected_options"))


def register(app: App, deps: Deps) -> None:
    """Ticking and unticking checklist steps."""

    @app.action(Action.RUNBOOK_STEP)
    def on_step(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        reply = via_respond(respond)

        def work() -> None:
            checklist_id, step, done = parse_tick(action)
            posting.tick(deps.sessions, SlackChecklists(client), checklist_id, step, done,
                         user_id=body["user"]["id"], channel_id=(body.get("channel") or {}).get("id", ""),
                         now=deps.clock)

        guarded(reply, work)
