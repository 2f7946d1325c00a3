"""Steering an incident: roles, severity, status and updates, each one transaction then the news.

A workflow at the edge, like `opening`: it owns its transactions. Every change locks the incident row
first (`SELECT … FOR UPDATE`), so concurrent changes from several replicas are applied one after the
other against fresh state; the chat side is told after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.errors import DomainError, InvalidInput
from bot.incidents import lifecycle, permissions, roles, severity, updates
from bot.incidents.models import Incident
from bot.incidents.news import News
from bot.incidents.ports import IncidentNews
from bot.incidents.publishing import publish
from bot.incidents.views import IncidentView, snapshot
from bot.runbooks import posting
from bot.runbooks.ports import ChecklistChat

Change = Callable[[Session, Incident], Sequence[News]]


def lock(session: Session, incident_id: int) -> Incident:
    """The incident row, locked until the transaction ends (a no-op on SQLite, which serialises writers)."""
    return session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()


def steer(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentView,
          user_id: str, what: str | None, change: Change) -> IncidentView:
    """Check the person may `what`, apply `change` under the row lock, commit, then tell chat."""
    who = permissions.actor(config, news, user_id, incident) if what else None
    with sessions.begin() as s:
        row = lock(s, incident.id)
        if who is not None and what is not None:
            permissions.require(config, snapshot(row, config), who, what)
        changes = list(change(s, row))
        s.flush()
        after = snapshot(row, config)
    publish(news, after, changes)
    return after


def check_allowed(config: IncidentConfig, news: IncidentNews, incident: IncidentView, user_id: str,
                  what: str) -> None:
    """Refuse early (before a form opens) when the person may not `what`."""
    permissions.require(config, incident, permissions.actor(config, news, user_id, incident), what)


def assign_role(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentView,
                user_id: str, role_name: str, people: list[str], now: Callable[[], datetime]) -> IncidentView:
    """`/incident commander @bob`, or a claim from the card: give the role (handing it over if single)."""
    role = roles.role_named(config, role_name)
    # anyone may step into a vacant supporting role; leading, and handing roles over, follow the permission
    vacant_claim = people == [user_id] and not incident.holders_of(role.name)
    what = None if vacant_claim and role.name != permissions.lead_role(config) else "change the roles"
    return steer(sessions, config, news, incident, user_id, what,
                 lambda s, row: roles.assign(s, config, row, role, people, user_id, now()))


def set_roles(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentView,
              user_id: str, wanted: dict[str, list[str]], now: Callable[[], datetime]) -> IncidentView:
    """The roles form: make each role's holders exactly those chosen."""
    def change(s: Session, row: Incident) -> list[News]:
        out: list[News] = []
        for role in config.roles:
            if role.name in wanted:
                out += roles.set_holders(s, config, row, role, wanted[role.name], user_id, now())
        return out
    return steer(sessions, config, news, incident, user_id, "change the roles", change)


def change_levels(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews,
                  incident: IncidentView, user_id: str, *, severity_to: str | None = None,
                  priority_to: str | None = None, reason: str | None = None,
                  now: Callable[[], datetime], checklists: ChecklistChat | None = None) -> IncidentView:
    """Change severity and/or priority (canonical names), with an optional reason; after a severity change
    the runbooks that now apply are posted (when `checklists` is given)."""
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
    after = steer(sessions, config, news, incident, user_id, what, change)
    if checklists is not None and after.severity != incident.severity:
        posted = posting.post_matching(sessions, config, checklists, after.id, now,
                                       reason=f"severity changed to {after.severity}")
        if posted.failed:
            names = ", ".join(f"`{name}` ({why})" for name, why in posted.failed)
            raise DomainError(f"The severity changed, but the runbook {names} could not be posted.")
    return after


def move_status(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentView,
                user_id: str, target: str, now: Callable[[], datetime]) -> IncidentView:
    """Move the incident to `target` (checked against the lifecycle under the lock)."""
    return steer(sessions, config, news, incident, user_id, "change the status",
                 lambda s, row: lifecycle.change_status(s, config, row, target, user_id, now()))


def post_update(sessions: sessionmaker[Session], config: IncidentConfig, news: IncidentNews, incident: IncidentView,
                user_id: str, text: str, now: Callable[[], datetime]) -> IncidentView:
    """A status update: in the channel, threaded under the announcement, the cards refreshed."""
    return steer(sessions, config, news, incident, user_id, None,
                 lambda s, row: [updates.post_update(s, row, text, user_id, now())])
