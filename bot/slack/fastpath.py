"""The HTTP fast path for the busiest requests: message and reaction events go straight to the timeline.

During a storm almost every request is a message event, and Bolt's per-request dispatch (context,
a WebClient per request, middleware chain, listener matching, a task on its listener pool) costs more
than everything else together. These events need none of it: the signature is checked exactly as Bolt
checks it (slack_sdk's SignatureVerifier: HMAC v0 and a 5-minute replay window), the payload is parsed
into a timeline value, queued for the writer, and answered 200. Anything else, or anything this path
is unsure of (a bad signature, another event type, a body that is not JSON), goes to Bolt unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from slack_sdk.signature import SignatureVerifier

from bot.slack.adapters.messages import parse
from bot.slack.sanitize import clean
from bot.timeline.pipeline import TimelinePipeline

log = logging.getLogger(__name__)
FAST_EVENTS = {"message", "reaction_added", "reaction_removed"}


class EventFastPath:
    """`handle(body, headers)` answers a signed message/reaction event, or returns None for Bolt to."""

    def __init__(self, signing_secret: str, timeline: TimelinePipeline, key_reaction: str) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.timeline = timeline
        self.key_reaction = key_reaction

    def handle(self, body: bytes, headers: Mapping[str, str]) -> int | None:
        """HTTP status when handled here (always 200), None to pass the request on to Bolt."""
        if not body.startswith(b"{") or b'"event_callback"' not in body:
            return None
        if not self.verifier.is_valid(body, headers.get("x-slack-request-timestamp"),
                                      headers.get("x-slack-signature")):
            return None  # Bolt answers 401 and logs it, as for every other request
        try:
            payload = clean(json.loads(body))
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("type") != "event_callback":
            return None
        event = payload.get("event")
        if not isinstance(event, dict) or event.get("type") not in FAST_EVENTS:
            return None
        try:
            value = parse(event, self.key_reaction)
            if value is not None:
                self.timeline.submit(value)
        except Exception:  # a malformed event must still be acknowledged, or Slack retries it for an hour
            log.exception("could not capture event %s", payload.get("event_id"))
        return 200
