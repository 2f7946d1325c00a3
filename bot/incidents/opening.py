"""The declare workflow after the incident is recorded: open and furnish its channel, announce it.

A job at the edge: it owns its transactions. Slack round trips on the critical path are kept few:
the channel is created, then topic, invitation, card (then its pin) and announcement go out concurrently.

Every step is recorded as it completes (the intended channel name before `conversations.create`), under
a lease on the incident (bot/incidents/holding.py), so a process killed mid-way leaves a declaration that
another run carries on from where it stopped (bot/incidents/resuming.py). Resuming looks before acting:
a channel with the intended name that the bot made is adopted, a card or announcement already out is found
in the channel's history, so nothing appears twice. The first run does no look-ups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import COMMAND, IncidentConfig
from bot.db import utcnow
from bot.errors import ChannelNameTaken, ChatStepFailed, DomainError
from bot.incidents import announcing, holders, leases, service, timers
from bot.incidents.holding import DEFAULT_LEASE, Holding
from bot.incidents.models import Incident
from bot.incidents.naming import channel_name
from bot.incidents.ports import IncidentChat, RunbookShelf
from bot.incidents.snapshots import IncidentSnapshot, snapshot

log = logging.getLogger(__name__)
MAX_NAME_ATTEMPTS = 50
CATCH_UP = "update the announcement"


class CatchUpFailed(ChatStepFailed):
    """The announcement is out, but it could not be told what happened while it was on its way."""


def declare_incident(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                     declaration: service.Declaration, now: Callable[[], datetime],
                     runbooks: RunbookShelf | None = None,
                     lease: float = DEFAULT_LEASE) -> tuple[IncidentSnapshot, bool]:
    """Record the declaration and make its channel ready; returns (incident, created).

    A declaration already seen (same request key) is not opened again: (existing incident, False).
    Once the channel is ready (card and announcement out), the matching runbooks are posted on
    `runbooks`; a failure there leaves the incident ready and raises a DomainError saying what is missing.
    The incident is recorded already held (`lease` seconds, renewed while the work goes on), so no resumer
    touches a declaration that is alive.
    """
    with sessions.begin() as s:
        incident, created = service.declare(s, config, declaration, now())
        if created:
            s.flush()
            leases.hold(s, incident.id, utcnow() + timedelta(seconds=lease), holders.me())
            timers.plan_declared(s, config, incident)  # reminders, escalation, SLA checks, with the incident
        view = snapshot(incident, config)
    if not created:
        return view, False
    with Holding(sessions, view.id, lease):
        ready = open_incident(sessions, config, chat, view.id, now)
    if runbooks is not None:
        post_runbooks(runbooks, ready)
    return ready, True


def post_runbooks(runbooks: RunbookShelf, incident: IncidentSnapshot) -> None:
    """The runbooks of a just-declared incident. The incident is ready whatever happens here; a failure
    becomes a DomainError telling the declarer what is missing and how to post it."""
    try:
        failed = runbooks.post_matching(incident.id, "on declare")
    except Exception:  # the declaration itself succeeded: say so, never "nothing was changed"
        log.exception("runbooks of incident %s could not be posted", incident.number)
        raise DomainError(f"{incident.label} is declared in <#{incident.channel_id}>, but its runbooks could not "
                          f"be posted (an internal error, logged). List them with `{COMMAND} runbook`.") from None
    if failed:
        names = ", ".join(f"`{name}` ({why})" for name, why in failed)
        raise DomainError(f"{incident.label} is declared in <#{incident.channel_id}>, but the bot could not post "
                          f"the runbook {names}. Post it with `{COMMAND} runbook <name>`.")


def open_incident(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                  incident_id: int, now: Callable[[], datetime], *, resuming: bool = False) -> IncidentSnapshot:
    """Make the incident's channel ready, doing only the steps not recorded as done; returns the incident
    as it then stands. `resuming`: an earlier run may have done a step without recording it, so look first.

    Raises DomainError when the channel could not be made (the incident is then withdrawn) or when a
    later step failed (the incident stays, the failure is recorded and said in the channel).
    """
    with sessions.begin() as s:
        row = s.get_one(Incident, incident_id)
        incident = snapshot(row, config)
        done = {step for step in service.SETUP_STEPS if getattr(row, step)}
        intended = row.channel_name if row.channel_id is None else None
        owed = row.unthreaded_through is not None
    if incident.channel_id is None:
        incident = _create_channel(sessions, config, chat, incident, now, intended if resuming else None)
    return _furnish(sessions, config, chat, incident, now, done, resuming, owed=owed)


def _create_channel(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
                    incident: IncidentSnapshot, now: Callable[[], datetime], intended: str | None) -> IncidentSnapshot:
    """Create the channel, suffixing a taken name; a taken name that an earlier run asked for (`intended`)
    is looked up and adopted when the bot made it and no other incident has it."""
    for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
        name = channel_name(config.channel_name_template, incident.number, incident.title,
                            drill=incident.is_drill, attempt=attempt)
        with sessions.begin() as s:
            service.intend_channel(s, incident.id, name)
        try:
            channel_id = chat.open_channel(name, private=incident.is_private)
            break
        except ChannelNameTaken:
            adopted = _adoptable(sessions, chat, incident, name) if name == intended else None
            if adopted is not None:
                channel_id = adopted
                break
            continue
        except ChatStepFailed as exc:
            _withdraw(sessions, incident)
            raise DomainError(f"{incident.label} could not be declared: Slack refused to create its "
                              f"channel ({exc.reason}). Nothing was recorded; try again in a minute.") from exc
    else:
        _withdraw(sessions, incident)
        raise DomainError(f"{incident.label} could not be declared: every channel name up to `{name}` is "
                          "taken. Rename or archive old incident channels, or change the channel-name template.")
    with sessions.begin() as s:
        service.record_channel(s, incident.id, channel_id, name, now())
        return snapshot(s.get_one(Incident, incident.id), config)


def _adoptable(sessions: sessionmaker[Session], chat: IncidentChat, incident: IncidentSnapshot,
               name: str) -> str | None:
    try:
        channel_id = chat.find_channel(name)
    except ChatStepFailed as exc:
        log.warning("incident %s: could not look for channel #%s: %s", incident.number, name, exc.reason)
        return None
    if channel_id is None:
        return None
    with sessions.begin() as s:
        holder = service.channel_holder(s, channel_id)
    return channel_id if holder in (None, incident.id) else None


def _withdraw(sessions: sessionmaker[Session], incident: IncidentSnapshot) -> None:
    with sessions.begin() as s:
        service.withdraw(s, incident.id)


def _record(sessions: sessionmaker[Session], write: Callable[[Session], None]) -> None:
    with sessions.begin() as s:
        write(s)


def _card(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat, incident: IncidentSnapshot,
          pinned: bool, resuming: bool) -> str:
    """Post the card (unless it is out already), record it, bring it up to date if the incident moved while
    it was on its way, then pin it (an unpinned card is a nuisance, not a failure)."""
    channel_id = incident.channel_id or ""
    ts = incident.card_ts or (chat.find_card(channel_id, incident.number) if resuming else None)
    posted = None if ts is not None else incident
    if ts is None:
        ts = chat.post_card(incident)
    if ts != incident.card_ts:
        with sessions.begin() as s:
            current = snapshot(service.record_card(s, incident.id, ts), config)
        if posted is None or announcing.moved(posted, current):
            try:
                chat.refresh_card(current)
            except ChatStepFailed as exc:  # the next change refreshes it again
                log.warning("incident %s: could not bring the card up to date: %s", incident.number, exc.reason)
    if not pinned:
        try:
            chat.pin(channel_id, ts)
            _record(sessions, lambda s: service.record_step(s, incident.id, "card_pinned"))
        except ChatStepFailed as exc:
            log.warning("incident %s: could not pin the card: %s", incident.number, exc.reason)
    return ts


def _announce(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat,
              incident: IncidentSnapshot, now: Callable[[], datetime], resuming: bool) -> None:
    """Announce (unless an earlier run did), record it, then tell it what happened while it was on its way."""
    found = chat.find_announcement(incident.number) if resuming else None
    announcement = found or chat.announce(incident)
    if announcement is None:
        return
    with sessions.begin() as s:
        service.record_announcement(s, incident.id, announcement, now())
    try:
        _catch_up(sessions, config, chat, incident.id, posted=None if found else incident)
    except ChatStepFailed as exc:  # the announcement is out: say what is missing, not that it is
        raise CatchUpFailed(CATCH_UP, exc.reason) from exc


def _catch_up(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat, incident_id: int,
              posted: IncidentSnapshot | None) -> None:
    """Refresh the announcement card if the incident moved since `posted` (None: unknown, so refresh), and
    reply under it with the news it missed (bot/incidents/announcing.py), then record that it is told."""
    with sessions.begin() as s:
        row = s.get_one(Incident, incident_id)
        current, owed, through = snapshot(row, config), announcing.owed_news(s, config, row), row.unthreaded_through
    if posted is None or announcing.moved(posted, current):
        chat.refresh_announcement(current)
    if owed:
        chat.thread_under_announcement(current, owed)
    if through is not None:
        with sessions.begin() as s:
            service.record_threaded(s, incident_id, through)


def _step(sessions: sessionmaker[Session], incident: IncidentSnapshot, flag: str,
          fn: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        fn()
        _record(sessions, lambda s: service.record_step(s, incident.id, flag))
    return run


def _furnish(sessions: sessionmaker[Session], config: IncidentConfig, chat: IncidentChat, incident: IncidentSnapshot,
             now: Callable[[], datetime], done: set[str], resuming: bool, *, owed: bool) -> IncidentSnapshot:
    assert incident.channel_id is not None
    channel_id = incident.channel_id
    wanted: dict[str, tuple[str, Callable[[], Any]]] = {
        "set the topic": ("topic_set", lambda: chat.set_topic(incident)),
        "set the purpose": ("purpose_set", lambda: chat.set_purpose(incident)),
        "invite the declarer": ("declarer_invited", lambda: chat.invite(channel_id, [incident.reporter_id])),
    }
    steps: dict[str, Callable[[], Any]] = {
        step: _step(sessions, incident, flag, fn) for step, (flag, fn) in wanted.items() if flag not in done}
    if incident.card_ts is None or "card_pinned" not in done:
        steps["post the incident card"] = lambda: _card(sessions, config, chat, incident, "card_pinned" in done,
                                                        resuming)
    if not incident.is_private and not incident.is_announced:
        steps["announce the incident"] = lambda: _announce(sessions, config, chat, incident, now, resuming)
    elif incident.is_announced and owed:  # announced by a run cut short before it told the news it missed
        steps[CATCH_UP] = lambda: _catch_up(sessions, config, chat, incident.id, posted=None)
    failures: list[str] = []
    if steps:
        with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="declare") as pool:
            futures = {step: pool.submit(fn) for step, fn in steps.items()}
        for step, future in futures.items():
            try:
                future.result()
            except ChatStepFailed as exc:
                failures.append(f"could not {exc.step if isinstance(exc, CatchUpFailed) else step} ({exc.reason})")
    problem = "; ".join(failures)
    with sessions.begin() as s:
        if failures:
            service.record_setup_failure(s, incident.id, problem, now())
        else:
            service.record_ready(s, incident.id)
        ready = snapshot(s.get_one(Incident, incident.id), config)
    if failures:
        log.warning("incident %s set-up incomplete: %s", incident.number, problem)
        try:
            chat.say_setup_problem(ready, problem)
        except ChatStepFailed as exc:
            log.warning("incident %s: could not say so in its channel: %s", incident.number, exc.reason)
        raise DomainError(f"{incident.label} is declared in <#{incident.channel_id}>, but the bot "
                          f"{problem}. The incident is recorded; fix the cause and carry on in the channel.")
    return ready
