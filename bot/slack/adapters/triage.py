"""Alert triage's chat port on the Web API: one message per alert group in the triage channel."""

from __future__ import annotations

import threading

from slack_sdk import WebClient

from bot.alerts.queries import TriageView
from bot.markup import escape
from bot.slack.adapters.calls import call
from bot.slack.blocks import alerts as blocks

TRIAGE_EVENT = "alert_triage"  # message metadata of a triage message: which group it shows


class SlackTriageChat:
    """TriageChat on a WebClient (the client paces posts per channel and waits out 429s)."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self.client = client
        self.channel = channel
        self._reporter: str | None = None
        self._lock = threading.Lock()

    def post(self, view: TriageView) -> tuple[str, str]:
        """Post the group's message; returns (channel id, ts)."""
        response = call("post the triage message", lambda: self.client.chat_postMessage(
            channel=self.channel, text=blocks.headline(view), blocks=blocks.triage_message(view),
            metadata={"event_type": TRIAGE_EVENT, "event_payload": {"group": view.id}},
            unfurl_links=False, unfurl_media=False))
        return str(response["channel"]), str(response["ts"])

    def update(self, view: TriageView) -> None:
        """Edit the group's message in place."""
        channel, ts = view.channel_id or "", view.message_ts or ""
        call("update the triage message", lambda: self.client.chat_update(
            channel=channel, ts=ts, text=blocks.headline(view),
            blocks=blocks.triage_message(view)))

    def notice(self, view: TriageView, text: str) -> None:
        """A reply under the group's message."""
        channel, ts = view.channel_id or "", view.message_ts or ""
        call("reply under the triage message", lambda: self.client.chat_postMessage(
            channel=channel, thread_ts=ts, text=escape(text)))

    def reporter(self) -> str:
        """The bot's own user id (auth.test, asked once)."""
        with self._lock:
            if self._reporter is None:
                self._reporter = str(call("find the bot's user", self.client.auth_test)["user_id"])
            return self._reporter
