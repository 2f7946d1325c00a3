"""The postmortem desk on Slack: names from users.info, the file via files_upload_v2, archiving."""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient

from bot.errors import ChatStepFailed
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import shorten
from bot.slack.adapters.calls import call

log = logging.getLogger(__name__)
MAX_LOOKUPS = 300  # users.info is Tier 4; a huge incident falls back to ids for the rest


class SlackPostmortemDesk:
    """PostmortemDesk on a WebClient."""

    share_wait = 10.0  # seconds to wait for Slack's asynchronous share of an upload before giving up

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def names(self, user_ids: set[str]) -> dict[str, str]:
        """Display name, else real name, else the handle; people Slack does not know keep their id."""
        found: dict[str, str] = {}
        for user_id in sorted(user_ids)[:MAX_LOOKUPS]:
            try:
                user = call("look up a name", lambda u=user_id: self.client.users_info(user=u))["user"]  # type: ignore[misc]
            except ChatStepFailed as exc:
                log.info("no name for %s: %s", user_id, exc.reason)
                continue
            profile = user.get("profile") or {}
            found[user_id] = (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                              or user.get("name") or user_id)
        return found

    def upload(self, incident: IncidentSnapshot, filename: str, markdown: str) -> tuple[str, str | None]:
        """files_upload_v2 into the incident channel (three calls: URL, bytes, complete)."""
        response = call("post the postmortem", lambda: self.client.files_upload_v2(
            channel=incident.channel_id, content=markdown, filename=filename,
            title=shorten(f"Postmortem: {incident.label}: {incident.title}", 250),
            initial_comment=f":page_facing_up: Postmortem of {incident.label}, generated on close. "
                            "Fill in the review sections together."))
        file = response.get("file") or (response.get("files") or [{}])[0]
        file_id = str(file.get("id", ""))
        permalink = file.get("permalink")
        if not permalink and file_id:  # completeUploadExternal answers with id and title only
            try:
                permalink = call("read the file", lambda: self.client.files_info(file=file_id))["file"].get("permalink")
            except ChatStepFailed as exc:
                log.info("no permalink for %s: %s", file_id, exc.reason)
        return file_id, permalink

    def wait_shared(self, channel_id: str, file_id: str) -> bool:
        """Poll files.info (Tier 4) with backoff until its `shares` name the channel, for `share_wait` s.

        completeUploadExternal answers before Slack shares the file; archiving in between loses the share.
        """
        deadline, pause = time.monotonic() + self.share_wait, 0.05
        while True:
            try:
                file = call("read the file", lambda: self.client.files_info(file=file_id))["file"]
                shares = file.get("shares") or {}
                if any(channel_id in (shares.get(kind) or {}) for kind in ("public", "private")):
                    return True
            except ChatStepFailed as exc:
                log.info("file %s not read while waiting for its share: %s", file_id, exc.reason)
            left = deadline - time.monotonic()
            if left <= 0:
                log.warning("file %s not shared in %s after %.0f s", file_id, channel_id, self.share_wait)
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 2.0)

    def archive(self, channel_id: str) -> None:
        """Archive the channel; one already archived is fine."""
        call("archive the channel", lambda: self.client.conversations_archive(channel=channel_id),
             ignore={"already_archived"})
