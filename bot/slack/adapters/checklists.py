"""The runbooks' ChecklistChat port on Slack: post a checklist, update it in place."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.runbooks.snapshots import ChecklistSnapshot
from bot.slack.adapters.calls import call
from bot.slack.blocks import runbooks as blocks_runbook


class SlackChecklists:
    """ChecklistChat on a WebClient (429s and dropped connections are retried by the client)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_checklist(self, channel_id: str, checklist: ChecklistSnapshot) -> str:
        """Post the checklist in the incident channel; returns its ts."""
        response = call("post the checklist", lambda: self.client.chat_postMessage(
            channel=channel_id, text=blocks_runbook.fallback(checklist), blocks=blocks_runbook.checklist(checklist),
            unfurl_links=False, unfurl_media=False))
        return str(response["ts"])

    def update_checklist(self, channel_id: str, message_ts: str, checklist: ChecklistSnapshot) -> None:
        """Show the checklist's current state in place."""
        call("update the checklist", lambda: self.client.chat_update(
            channel=channel_id, ts=message_ts, text=blocks_runbook.fallback(checklist),
            blocks=blocks_runbook.checklist(checklist)))
