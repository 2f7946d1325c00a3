"""Who may steer an incident (severity, roles, status): anyone, or only its commander and the admins."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import IncidentConfig
from bot.errors import ChatStepFailed, DomainError
from bot.incidents.ports import IncidentNews
from bot.incidents.snapshots import IncidentSnapshot

log = logging.getLogger(__name__)


class NotAllowed(DomainError):
    """The person may not make this change; the message says who can."""


@dataclass(frozen=True)
class Actor:
    """The person making a change, and whether they are a configured admin (override)."""

    user_id: str
    is_admin: bool = False


def lead_role(config: IncidentConfig) -> str:
    """The role that leads the response: `commander`, or the first configured role when it is renamed."""
    names = [r.name for r in config.roles]
    return "commander" if "commander" in names or not names else names[0]


def actor(config: IncidentConfig, news: IncidentNews, user_id: str, incident: IncidentSnapshot) -> Actor:
    """Who is acting; user groups among the admins are looked up only when it can matter."""
    commanders = incident.holders_of(lead_role(config))
    if config.permission != "commander" or not commanders or user_id in commanders:
        return Actor(user_id)  # no override needed
    if user_id in config.admins:
        return Actor(user_id, is_admin=True)
    for group in (a for a in config.admins if a.startswith("S")):
        try:
            if user_id in news.group_members(group):
                return Actor(user_id, is_admin=True)
        except ChatStepFailed as exc:
            log.warning("could not read the members of admin group %s: %s", group, exc.reason)
    return Actor(user_id)


def require(config: IncidentConfig, incident: IncidentSnapshot, who: Actor, what: str) -> None:
    """Refuse (NotAllowed, saying who can) unless `who` may `what` (e.g. "change the severity")."""
    if config.permission != "commander" or who.is_admin:
        return
    lead = lead_role(config)
    commanders = incident.holders_of(lead)
    if not commanders or who.user_id in commanders:
        return  # nobody leads yet: anyone may act, and so someone can take command
    admins = ", ".join(_mention(a) for a in config.admins)
    also = f" or an admin ({admins})" if admins else ""
    raise NotAllowed(f"Only the {lead} of {incident.label} ({_mention(commanders[0])}){also} can {what} "
                     f"here. Ask them to do it, or to hand the {lead} role to you.")


def _mention(slack_id: str) -> str:
    return f"<!subteam^{slack_id}>" if slack_id.startswith("S") else f"<@{slack_id}>"
