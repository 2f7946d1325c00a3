"""Alert triage's chat port on the Web API: one message per alert group in the triage channel."""

from __future__ import annotations

import threading

from slack_sdk import WebClient

from bot.alerts.queries import TriageView
from bot.markup import escape
from bot.slack.adapters.calls import call
from bot.slack.blocks import alerts as blocks
from bot.slack.repeats import LIST_PAGE

TRIAGE_EVENT = "alert_triage"  # message metadata of a triage message: which group it shows
LOOK_BACK = 200                # recent messages searched for a post a teller made before it died


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

    def find(self, view: TriageView) -> tuple[str, str] | None:
        """The group's message by its metadata marker in the triage channel's recent history."""
        channel = self._channel_id()
        if channel is None:
            return None
        page = call("look for the triage message", lambda: self.client.conversations_history(
            channel=channel, limit=LOOK_BACK, include_all_metadata=True))
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == TRIAGE_EVENT and (metadata.get("event_payload") or {}).get(
                    "group") == view.id:
                return channel, str(message["ts"])
        return None

    def _channel_id(self) -> str | None:
        """The triage channel's id (history needs one; the setting may name the channel `#name`)."""
        if not self.channel.startswith("#"):
            return self.channel
        cursor: str | None = None
        while True:
            page = call("look for the triage channel", lambda c=cursor: self.client.conversations_list(  # type: ignore[misc]
                types="public_channel,private_channel", limit=LIST_PAGE, cursor=c))
            for found in page.get("channels") or []:
                if found.get("name") == self.channel[1:]:
                    return str(found["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

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
