"""Roles: who leads, investigates and communicates. A hand-over ends one assignment and starts another,
so the history of who held what stays (`relieved_at`, `relieved_by`). Callers own the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import COMMAND, IncidentConfig, Role
from bot.errors import DomainError, InvalidInput
from bot.incidents.models import Incident, RoleAssignment
from bot.incidents.news import RoleChange
from bot.incidents.permissions import lead_role
from bot.timeline.events import record
from bot.timeline.kinds import EventKind


def role_named(config: IncidentConfig, text: str) -> Role:
    """The configured role called `text` (any case), or InvalidInput listing the roles."""
    for role in config.roles:
        if role.name == text.strip().lower():
            return role
    raise InvalidInput(f"`{text.strip()}` is not a role. Roles: {', '.join(r.name for r in config.roles)}.",
                       field="role")


def check_people(role: Role, people: list[str]) -> list[str]:
    """The people named for `role`, once each; InvalidInput when none, or several for a one-holder role."""
    people = list(dict.fromkeys(people))
    if not people:
        raise InvalidInput(f"Name the person: `{COMMAND} {role.name} @someone`.", field="role")
    if role.single and len(people) > 1:
        raise InvalidInput(f"The {role.name} role has one holder; name one person.", field="role")
    return people


def current(incident: Incident, role: str) -> list[RoleAssignment]:
    """The open assignments of `role`, earliest first."""
    return [a for a in incident.assignments if a.role == role and a.relieved_at is None]


def assign(session: Session, config: IncidentConfig, incident: Incident, role: Role, people: list[str], by: str,
           now: datetime, *, vacant_only: bool = False) -> list[RoleChange]:
    """Give `role` to `people`: a single-holder role is handed over, a shared one gains holders
    (`vacant_only`: a claim from the card that did not confirm a take-over; refused when the role is held)."""
    people = check_people(role, people)
    holders = [a.user_id for a in current(incident, role.name)]
    if vacant_only and role.single and holders and holders != people:
        raise DomainError(_held(config, role, holders[0]))
    newcomers = [p for p in people if p not in holders]
    if not newcomers:
        who = ", ".join(f"<@{p}>" for p in people)
        raise DomainError(f"{who} already {'holds' if len(people) == 1 else 'hold'} the {role.name} role.")
    if role.single:
        return [_hand_over(session, config, incident, role, newcomers[0], by, now)]
    return [_start(session, config, incident, role, p, None, by, now) for p in newcomers]


def _held(config: IncidentConfig, role: Role, holder: str) -> str:
    if role.name == lead_role(config):
        return (f"<@{holder}> is {role.name} now, so nothing changed. To take over, press *Take over command* "
                "on the incident card and confirm.")
    return f"<@{holder}> is {role.name} now, so nothing changed. Ask them, or hand it over with *Assign roles*."


def set_holders(session: Session, config: IncidentConfig, incident: Incident, role: Role, people: list[str], by: str,
                now: datetime) -> list[RoleChange]:
    """Make `people` exactly the holders of `role` (the roles form): hand over, add, relieve."""
    people = list(dict.fromkeys(people))[: 1 if role.single else None]
    holders = current(incident, role.name)
    if [a.user_id for a in holders] == people or (not role.single and {a.user_id for a in holders} == set(people)):
        return []
    if role.single and people:
        return [_hand_over(session, config, incident, role, people[0], by, now)]
    changes = [_relieve(session, incident, a, by, now) for a in holders if a.user_id not in people]
    kept = {a.user_id for a in holders}
    return changes + [_start(session, config, incident, role, p, None, by, now) for p in people if p not in kept]


def _hand_over(session: Session, config: IncidentConfig, incident: Incident, role: Role, person: str, by: str,
               now: datetime) -> RoleChange:
    previous = None
    for a in current(incident, role.name):
        a.relieved_at, a.relieved_by = now, by
        previous = a.user_id
    return _start(session, config, incident, role, person, previous, by, now)


def _start(session: Session, config: IncidentConfig, incident: Incident, role: Role, person: str,
           previous: str | None, by: str, now: datetime) -> RoleChange:
    incident.assignments.append(RoleAssignment(role=role.name, user_id=person, assigned_by=by, assigned_at=now))
    if role.name == lead_role(config) and incident.acknowledged_at is None:
        incident.acknowledged_at = now
    took = f" (taking over from <@{previous}>)" if previous else ""
    record(session, incident.id, EventKind.ROLE_ASSIGNED, by=by, now=now, text=f"<@{person}> is {role.name}{took}",
           data={"role": role.name, "user": person, "previous": previous})
    return RoleChange(role=role.name, user_id=person, previous=previous, by=by, duties=role.description)


def _relieve(session: Session, incident: Incident, a: RoleAssignment, by: str, now: datetime) -> RoleChange:
    a.relieved_at, a.relieved_by = now, by
    record(session, incident.id, EventKind.ROLE_RELIEVED, by=by, now=now, text=f"<@{a.user_id}> is no longer {a.role}",
           data={"role": a.role, "user": a.user_id})
    return RoleChange(role=a.role, user_id=None, previous=a.user_id, by=by, duties="")
