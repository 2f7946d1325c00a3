"""Telling Slack about alert groups, after the webhook has answered: the triage desk.

The database says what is owed (a group whose `told_version` is behind its `version`, or whose
auto-declaration is pending), so nothing depends on this process's memory: a restart, or another
replica's sweep, finds what was left. A group is told by one process at a time (a claim with a lease);
the message is rendered from the group as it stands when told, so a storm of alerts becomes one post and
a few edits. Posts are paced per channel by the Slack client; edits of one group are spaced `edit_every`
apart, so Slack's edit limit (chat.update, ~50 a minute) is kept for the incident cards too.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.alerts import queries, service
from bot.alerts.ports import TriageChat
from bot.alerts.queries import TriageView
from bot.config.alerts import AlertConfig
from bot.errors import ChatStepFailed, DomainError
from bot.incidents import holders
from bot.incidents.service import MAX_DESCRIPTION, MAX_SERVICE, MAX_TITLE, Declaration

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ROUNDS = 3


def declaration(view: TriageView, reporter_id: str, severity: str | None, request_key: str) -> Declaration:
    """The declaration an alert group asks for: its summary, mapped severity, service and source link."""
    description = view.description or f"{view.alert_count} alert(s) from {view.source}: {view.title}"
    return Declaration(title=view.title[:MAX_TITLE], reporter_id=reporter_id, severity=severity,
                       service=(view.service or "")[:MAX_SERVICE] or None, description=description[:MAX_DESCRIPTION],
                       source_permalink=view.url, request_key=request_key)


def auto_key(group_id: int) -> str:
    """The request key of the auto-declaration of a group (held unique with the incident: declared once)."""
    return f"alerts:{group_id}"


class TriageDesk:
    """Worker threads telling triage messages, a scheduler for spaced edits, and a sweep for what is owed."""

    def __init__(self, sessions: sessionmaker[Session], config: AlertConfig, chat: Callable[[], TriageChat | None],
                 declare: Callable[[Declaration], object], now: Callable[[], datetime], *, threads: int = 4,
                 edit_every: float = 3.0, sweep_every: float = 10.0, holder: str | None = None,
                 gone: Callable[[str | None], bool] = holders.is_gone) -> None:
        self.sessions, self.config, self.chat, self.declare, self.now = sessions, config, chat, declare, now
        self.holder, self.gone = holder or holders.me(), gone
        self.edit_every, self.sweep_every, self.threads = edit_every, sweep_every, threads
        self._due: list[tuple[float, int]] = []   # (monotonic time, group id), a heap
        self._queued: set[int] = set()
        self._busy = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._workers: list[threading.Thread] = []

    def start(self) -> None:
        """Start the workers and the sweep (which first ends the claims of dead predecessors on this host, then
        looks for what an earlier run left owed)."""
        for i in range(self.threads):
            self._spawn(self._work, f"triage-{i}")
        self._spawn(self._sweep, "triage-sweep")

    def _free_orphans(self) -> None:
        """Run out the claims of processes here that are gone, so what they owed is told at once."""
        try:
            with self.sessions.begin() as s:
                freed = service.free_orphans(s, self.holder, self.gone, self.now())
            if freed:
                log.info("alert groups %s: their triage claims were held by a process here that is gone", freed)
        except Exception:  # the database is away: those claims run out instead
            log.warning("alert triage: could not end the claims of processes that are gone", exc_info=True)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._workers.append(thread)

    def notify(self, group_ids: tuple[int, ...] | list[int], delay: float = 0.0) -> None:
        """Tell these groups (after `delay` s); a group already waiting keeps its place."""
        at = time.monotonic() + delay
        with self._cond:
            for group_id in group_ids:
                if group_id not in self._queued:
                    self._queued.add(group_id)
                    heapq.heappush(self._due, (at, group_id))
            self._cond.notify_all()

    def idle(self) -> bool:
        """Nothing queued and nothing being told (by this process)."""
        with self._cond:
            return not self._due and not self._busy

    def stop(self, timeout: float) -> bool:
        """Tell what is due now (up to `timeout` s), then stop; what is left stays owed in the database."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._busy or any(at <= time.monotonic() for at, _ in self._due)) and time.monotonic() < deadline:
                self._cond.wait(0.05)
            self._stopping = True
            self._cond.notify_all()
        for thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))
        return self.idle()

    def _next(self) -> int | None:
        with self._cond:
            while not self._stopping:
                if self._due and self._due[0][0] <= time.monotonic():
                    _, group_id = heapq.heappop(self._due)
                    self._queued.discard(group_id)
                    self._busy += 1
                    return group_id
                self._cond.wait(min(0.5, self._due[0][0] - time.monotonic()) if self._due else 0.5)
            return None

    def _work(self) -> None:
        while (group_id := self._next()) is not None:
            try:
                more = self.tell(group_id)
            except Exception:  # a worker must outlive any one group; the sweep tries it again
                log.exception("alert group %s: could not tell its triage message", group_id)
                more = False
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()
            if more:
                self.notify([group_id], delay=self.edit_every)

    def _sweep(self) -> None:
        self._free_orphans()
        while True:
            try:
                with self.sessions() as s:
                    owed = queries.pending(s, self.now())
                if owed:
                    self.notify(owed)
            except Exception:  # the database is away: the next sweep looks again
                log.warning("alert triage: could not look for owed messages", exc_info=True)
            with self._cond:
                if self._cond.wait_for(lambda: self._stopping, timeout=self.sweep_every):
                    return

    def tell(self, group_id: int) -> bool:
        """Bring the group's triage message (and auto-declaration) up to date once; True when more is owed."""
        now = self.now()
        with self.sessions.begin() as s:
            claimed, taken_over = service.claim(s, group_id, now, now + LEASE, self.holder, self.gone)
            if not claimed:
                return False
            view = queries.triage_view(s, self.config, group_id, now)
        told, where, noticed = None, None, False
        try:
            if view.declare_severity is not None and view.incident_number is None:
                self._auto_declare(view)
                with self.sessions() as s:
                    view = queries.triage_view(s, self.config, group_id, self.now())
            chat = self.chat()
            if chat is not None:
                where, noticed = self._show(chat, view, taken_over)
            told = view.version
        except ChatStepFailed as exc:
            log.warning("alert group %s: could not tell its triage message: %s", group_id, exc.reason)
        finally:
            channel, ts = where or (None, None)
            with self.sessions.begin() as s:
                more = service.release(s, group_id, self.holder, told=told, channel_id=channel, message_ts=ts,
                                       notice_told=noticed)
        return more and told is not None

    @staticmethod
    def _show(chat: TriageChat, view: TriageView, taken_over: bool) -> tuple[tuple[str, str] | None, bool]:
        """Post the message, or edit it (and say it fires again); returns (where it was posted, noticed).
        A claim taken over from a teller that died may have posted already: that post is looked for first."""
        where = chat.find(view) if taken_over and view.message_ts is None else None
        if where is not None:
            view = replace(view, channel_id=where[0], message_ts=where[1])
        if view.message_ts is None:
            return chat.post(view), False
        chat.update(view)
        if view.notice_owed:
            chat.notice(view, f"Firing again: {view.firing_count} alert(s) now, "
                              f"{view.alert_count} in this group in all.")
        return where, view.notice_owed

    def _auto_declare(self, view: TriageView) -> None:
        """Declare the group's incident through the declare workflow (once: its request key), then tie them."""
        chat = self.chat()
        key = auto_key(view.id)
        try:
            reporter = chat.reporter() if chat is not None else "alerts"
            self.declare(declaration(view, reporter, view.declare_severity, key))
        except (DomainError, ChatStepFailed) as exc:
            log.warning("alert group %s: auto-declaration: %s", view.id, getattr(exc, "message", exc))
        finally:
            with self.sessions.begin() as s:
                incident_id = queries.incident_for_key(s, key)
                if incident_id is not None:
                    service.attach(s, view.id, incident_id)
                else:  # refused for good (the channel could not be made): the Declare button stays
                    service.locked(s, view.id).declare_severity = None
