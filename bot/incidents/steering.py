"""Steering an incident: the one path every change takes (roles, severity, priority, status, updates,
category, service, follow-ups): lock, change, record, commit, then tell chat.

A workflow at the edge, like `opening`: it owns its transactions. Every change locks the incident row
first (`SELECT … FOR UPDATE`), so concurrent changes from several replicas are applied one after the
other against fresh state; chat is told after the commit (never inside the transaction), and when the
severity, category or service moved, the runbooks that now apply are posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import COMMAND, IncidentConfig
from bot.errors import DomainError, InvalidInput
from bot.incidents import classification, lifecycle, permissions, roles, severity, timers, updates
from bot.incidents.models import Incident
from bot.incidents.news import News
from bot.incidents.ports import IncidentNews, RunbookShelf
from bot.incidents.publishing import publish
from bot.incidents.snapshots import IncidentSnapshot, snapshot

log = logging.getLogger(__name__)
Change = Callable[[Session, Incident], Sequence[News]]


def lock(session: Session, incident_id: int) -> Incident:
    """The incident row, locked until the transaction ends (a no-op on SQLite, which serialises writers)."""
    return session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()


def steer(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
          user_id: str, what: str | None, change: Change, *, runbooks: RunbookShelf | None = None,
          committed: Callable[[list[News]], None] | None = None) -> IncidentSnapshot:
    """Check the person may `what`, apply `change` under the row lock, commit, then tell chat (and post
    the runbooks that now apply, when `runbooks` is given). `committed` hears the changes right after the
    commit, before chat is told: a listener still inside Slack's 3 seconds answers with them."""
    after, changes = apply(sessions, config, news, incident, user_id, what, change)
    if committed is not None:
        committed(changes)
    tell(news, incident, after, changes, runbooks)
    return after


def apply(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
          user_id: str, what: str | None, change: Change) -> tuple[IncidentSnapshot, list[News]]:
    """The first half of `steer`: permission, lock, change, record, commit; returns (after, changes)."""
    who = permissions.actor(config, news, user_id, incident) if what else None  # may ask chat: before the lock
    with sessions.begin() as s:
        row = lock(s, incident.id)
        if who is not None and what is not None:
            permissions.require(config, snapshot(row, config), who, what)
        changes = list(change(s, row))
        s.flush()
        timers.replan(s, config, row, changes)  # reminders, escalation, SLA checks: planned with the change
        after = snapshot(row, config)
    return after, changes


def tell(news: IncidentNews, before: IncidentSnapshot, after: IncidentSnapshot, changes: list[News],
         runbooks: RunbookShelf | None = None) -> None:
    """The second half of `steer`, after the commit: tell chat, post the runbooks that now apply; one
    DomainError names whatever could not be done (the change itself stands)."""
    problems: list[str] = []
    try:
        publish(news, after, changes)
    except DomainError as exc:
        problems.append(exc.message)
    reason = _rematched(before, after)
    if runbooks is not None and reason:
        try:
            failed = runbooks.post_matching(after.id, reason)
        except Exception:  # the change is committed and told: say what is missing, never "nothing changed"
            log.exception("incident %s: runbooks after a change could not be posted", after.number)
            failed = [("that now apply", "an internal error, logged")]
        if failed:
            names = ", ".join(f"`{name}` ({why})" for name, why in failed)
            problems.append(f"The runbook {names} could not be posted. Post it with `{COMMAND} runbook <name>`.")
    if problems:
        raise DomainError(" ".join(problems))


def _rematched(before: IncidentSnapshot, after: IncidentSnapshot) -> str | None:
    """Why other runbooks may apply now (shown on the checklists posted), or None when nothing they match moved."""
    if after.severity != before.severity:
        return f"severity changed to {after.severity}"
    if after.category != before.category:
        return f"category changed to {after.category or 'none'}"
    if after.service != before.service:
        return f"affected service changed to {after.service or 'none'}"
    return None


def check_allowed(config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot, user_id: str,
                  what: str) -> None:
    """Refuse early (before a form opens) when the person may not `what`."""
    permissions.require(config, incident, permissions.actor(config, news, user_id, incident), what)


def assign_role(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
                user_id: str, role_name: str, people: list[str], now: Callable[[], datetime], *,
                vacant_only: bool = False) -> IncidentSnapshot:
    """`/incident commander @bob`, or a claim from the card: give the role (handing it over if single;
    `vacant_only`: a claim made without confirming a take-over, refused if someone holds the role now)."""
    role = roles.role_named(config, role_name)
    # anyone may step into a vacant supporting role; leading, and handing roles over, follow the permission
    vacant_claim = people == [user_id] and not incident.holders_of(role.name)
    what = None if vacant_claim and role.name != permissions.lead_role(config) else "change the roles"
    return steer(sessions, config, news, incident, user_id, what,
                 lambda s, row: roles.assign(s, config, row, role, people, user_id, now(), vacant_only=vacant_only))


def set_roles(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
              user_id: str, wanted: dict[str, list[str]], now: Callable[[], datetime]) -> IncidentSnapshot:
    """The roles form: make each role's holders exactly those chosen."""
    def change(s: Session, row: Incident) -> list[News]:
        out: list[News] = []
        for role in config.roles:
            if role.name in wanted:
                out += roles.set_holders(s, config, row, role, wanted[role.name], user_id, now())
        return out
    return steer(sessions, config, news, incident, user_id, "change the roles", change)


def change_levels(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews,
                  incident: IncidentSnapshot, user_id: str, *, severity_to: str | None = None,
                  priority_to: str | None = None, reason: str | None = None,
                  now: Callable[[], datetime], runbooks: RunbookShelf | None = None) -> IncidentSnapshot:
    """Change severity and/or priority (canonical names), with an optional reason; after a severity change
    the runbooks that now apply are posted (when `runbooks` is given)."""
    def change(s: Session, row: Incident) -> list[News]:
        out: list[News] = []
        # asked for one level alone, the same value is refused ("already SEV2"); from the form, skipped
        if severity_to is not None and (severity_to != row.severity or priority_to is None):
            out.append(severity.change_severity(s, config, row, severity_to, user_id, reason, now()))
        if priority_to is not None and (priority_to != row.priority or severity_to is None):
            out.append(severity.change_priority(s, row, priority_to, user_id, reason, now()))
        if not out:
            raise InvalidInput("Nothing to change: choose another severity or priority.", field="severity")
        return out
    what = "change the severity" if severity_to else "change the priority"
    return steer(sessions, config, news, incident, user_id, what, change, runbooks=runbooks)


def reclassify(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
               user_id: str, field: str, new: str | None, now: Callable[[], datetime], *,
               runbooks: RunbookShelf | None = None,
               committed: Callable[[list[News]], None] | None = None) -> IncidentSnapshot:
    """Change the category or the affected service (already parsed; None clears it): recorded, the cards
    refreshed, and the runbooks that now apply posted."""
    return steer(sessions, config, news, incident, user_id, None,
                 lambda s, row: classification.set_field(s, row, field, new, user_id, now()), runbooks=runbooks,
                 committed=committed)


def move_status(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
                user_id: str, target: str, now: Callable[[], datetime]) -> IncidentSnapshot:
    """Move the incident to `target` (checked against the lifecycle under the lock)."""
    return steer(sessions, config, news, incident, user_id, "change the status",
                 lambda s, row: lifecycle.change_status(s, config, row, target, user_id, now()))


def post_update(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentSnapshot,
                user_id: str, text: str, now: Callable[[], datetime]) -> IncidentSnapshot:
    """A status update: in the channel, threaded under the announcement, the cards refreshed."""
    return steer(sessions, config, news, incident, user_id, None,
                 lambda s, row: [updates.post_update(s, row, text, user_id, now())])
