"""The follow-ups' chat port on the Web API: the owner's DM, the digest (carrying its firing's mark, so a
retry after a crash finds it instead of posting twice)."""

from __future__ import annotations

from datetime import date

from slack_sdk import WebClient

from bot.followups.ports import FollowupView
from bot.slack.adapters.calls import call
from bot.slack.adapters.reminders import post_once
from bot.slack.blocks import followups as blocks


class SlackFollowups:
    """FollowupChat on a WebClient."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def remind_owner(self, item: FollowupView) -> None:
        """The DM with Done and Won't do buttons."""
        text, message_blocks = blocks.nudge(item)
        call("send the follow-up reminder", lambda: self.client.chat_postMessage(
            channel=item.owner_id or "", text=text, blocks=message_blocks, unfurl_links=False))

    def post_digest(self, channel: str, items: list[FollowupView], today: date, hidden: int, mark: str, *,
                    retry: bool) -> None:
        """One message in the digest channel."""
        post_once(self.client, "post the follow-up digest", channel, blocks.digest(items, today, hidden), mark,
                  retry=retry)
