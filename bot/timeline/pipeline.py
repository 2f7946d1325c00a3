"""Timeline capture as the running bot holds it: the writer and catch-up, started and stopped together."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.timeline.catchup import CatchUp
from bot.timeline.ports import ChannelHistory, IncidentChannels
from bot.timeline.values import Capture
from bot.timeline.writer import TimelineWriter


class TimelinePipeline:
    """Live events go to `submit`; `start` and `joined` read back what was missed."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 history: Callable[[], ChannelHistory], channels: IncidentChannels) -> None:
        self.channels = channels  # which channels are incidents' (the incident domain answers)
        self.writer = TimelineWriter(sessions, clock, channels, on_overflow=self._lost)
        self.catch_up = CatchUp(sessions, self.writer, history)

    def submit(self, item: Capture) -> None:
        """Store a captured value after the ack, off the request path."""
        self.writer.submit(item)

    def start(self) -> Future[int]:
        """Catch up every open incident in the background (start-up)."""
        return self.catch_up.all_open()

    def joined(self, channel_id: str) -> None:
        """The bot joined a channel: read back what was said there before."""
        self.catch_up.channel(channel_id)

    def close(self, timeout: float = 5.0) -> None:
        """Stop catch-up, store what is queued, stop the writer."""
        self.catch_up.close()
        self.writer.close(timeout)

    def _lost(self, channel_id: str) -> None:
        self.catch_up.retry(channel_id)
