"""What a postmortem template sees: plain, read-only values built from the database (documented in the README)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import markup
from bot.config import IncidentConfig
from bot.followups.models import Followup
from bot.incidents import resolving, snapshots
from bot.incidents.models import Incident, RoleAssignment
from bot.incidents.permissions import lead_role
from bot.postmortem import story
from bot.runbooks import queries as runbook_queries
from bot.timeline import queries as timeline_queries
from bot.timeline.kinds import EventKind
from bot.timeline.models import TimelineEvent

Names = Callable[[set[str]], dict[str, str]]


@dataclass(frozen=True)
class Person:
    """Someone in the incident; prints as their name."""

    id: str
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Change:
    """A change of severity, priority or status: from `before` to `after`, by whom, why."""

    at: datetime
    before: str | None
    after: str
    by: Person | None
    reason: str | None


@dataclass(frozen=True)
class Holder:
    """One stint in a role; `relieved_at` is None for whoever holds it now."""

    person: Person
    assigned_at: datetime
    assigned_by: Person | None
    relieved_at: datetime | None
    relieved_by: Person | None


@dataclass(frozen=True)
class RoleHistory:
    """A role and everyone who held it, in order (hand-overs are the changes of holder)."""

    name: str
    holders: list[Holder]
    single: bool = True  # one holder at a time: a change of holder is a hand-over (else people join and leave)


@dataclass(frozen=True)
class Milestone:
    """A named moment of the incident (declared, detected, acknowledged, mitigated, resolved, closed)."""

    name: str
    at: datetime | None


@dataclass(frozen=True)
class Durations:
    """Time from declaration to each milestone (None when not reached)."""

    to_acknowledge: timedelta | None
    to_mitigate: timedelta | None
    to_resolve: timedelta | None
    to_close: timedelta | None


@dataclass(frozen=True)
class KeyEvent:
    """A key moment: a system event, a note, or a message marked with 📌 / "Add to timeline"."""

    at: datetime
    kind: str
    actor: Person | None
    text: str


@dataclass(frozen=True)
class LogLine:
    """A human message of the channel, as its newest text; deleted messages never appear."""

    at: datetime
    author: Person | None
    text: str
    in_thread: bool
    edited: bool
    files: list[dict[str, Any]] = field(default_factory=list)
    ts: str | None = None
    thread_ts: str | None = None


@dataclass(frozen=True)
class FollowupItem:
    """An action item: `type` mitigate, prevent or process, `priority` P1…P4 (None when not said)."""

    text: str
    owner: Person | None
    due_on: date | None
    done: bool
    type: str | None = None
    priority: str | None = None

    @property
    def status(self) -> str:
        """`open` or `done`."""
        return "done" if self.done else "open"


@dataclass(frozen=True)
class RunbookStep:
    """A runbook step, done (by whom, when) or not."""

    number: int
    text: str
    done: bool
    done_by: Person | None
    done_at: datetime | None


@dataclass(frozen=True)
class RunbookReport:
    """A runbook posted in the incident and what became of its steps."""

    title: str
    steps: list[RunbookStep]

    @property
    def done(self) -> list[RunbookStep]:
        """Steps ticked."""
        return [s for s in self.steps if s.done]

    @property
    def not_done(self) -> list[RunbookStep]:
        """Steps nobody ticked."""
        return [s for s in self.steps if not s.done]


@dataclass(frozen=True)
class PostmortemContext:
    """Everything a postmortem template may use, as `incident`, `milestones`, … (see README)."""

    incident: Incident
    label: str
    reporter: Person | None
    severity_history: list[Change]
    priority_history: list[Change]
    status_history: list[Change]
    roles: list[RoleHistory]
    milestones: list[Milestone]
    durations: Durations
    key_events: list[KeyEvent]
    followups: list[FollowupItem]
    runbooks: list[RunbookReport]
    messages: list[LogLine]
    owner: Person | None            # the commander (the latest), who owns the document
    summary: str                    # the resolve form's Summary, else a first one: title, impact, how long
    impact_window: story.ImpactWindow
    severity_time: list[story.SeverityStint]
    timeline: list[story.TimelineRow]
    updates: list[KeyEvent]         # the status updates sent, as sent
    threads: list[story.Thread]
    timezone: str
    generated_at: datetime
    sla: list[SlaResult] = field(default_factory=list)  # the severity's SLA targets and whether each was met
    detection: str | None = None    # how it was detected, in words (`A customer report`), from the resolve form

    def as_template_vars(self) -> dict[str, Any]:
        """The names a template sees."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Gathered:
    """Everything the postmortem says, read from the database in one transaction (names not yet known)."""

    incident: Incident
    events: list[TimelineEvent]
    assignments: list[RoleAssignment]
    followups: list[Followup]
    key: list[timeline_queries.Entry]
    log: list[timeline_queries.Entry]
    runbooks: list[runbook_queries.ChecklistReport]

    def people_ids(self) -> set[str]:
        """Everyone the postmortem names: actors, role holders, owners, people mentioned."""
        mentioned = {m.group(1) for e in [*self.key, *self.log] for m in markup.USER.finditer(e.text or "")}
        return _ids(self.incident, self.events, self.assignments, self.followups, self.key, self.log,
                    self.runbooks) | mentioned


def build(session: Session, config: IncidentConfig, incident: Incident, names: Names,
          now: datetime) -> PostmortemContext:
    """Gather the incident's history into a template context; `names` maps user ids to display names."""
    gathered = gather(session, incident)
    return assemble(config, gathered, names(gathered.people_ids()), now)


def gather(session: Session, incident: Incident) -> Gathered:
    """Read what the postmortem needs (the caller's transaction; no chat calls here or while it is open)."""
    events = list(session.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident.id)
                                  .order_by(TimelineEvent.occurred_at, TimelineEvent.id)))
    assignments = list(session.scalars(select(RoleAssignment).where(RoleAssignment.incident_id == incident.id)
                                       .order_by(RoleAssignment.assigned_at, RoleAssignment.id)))
    followups = list(session.scalars(select(Followup).where(Followup.incident_id == incident.id)
                                     .order_by(Followup.created_at, Followup.id)))
    key = timeline_queries.key_events(session, incident.id)
    log = [e for e in timeline_queries.full_timeline(session, incident.id)
           if e.kind == timeline_queries.MESSAGE and not e.deleted]
    runbooks = runbook_queries.runbook_steps(session, incident.id)
    return Gathered(incident, events, assignments, followups, key, log, runbooks)


def assemble(config: IncidentConfig, gathered: Gathered, names: dict[str, str], now: datetime) -> PostmortemContext:
    """The template context from what was gathered and the names found for its people (a pure function)."""
    incident, events, assignments = gathered.incident, gathered.events, gathered.assignments
    followups, key, log, runbooks = gathered.followups, gathered.key, gathered.log, gathered.runbooks
    people = {i: Person(i, names.get(i) or i) for i in gathered.people_ids()}
    who = people.get

    def plain(text: str | None) -> str:
        return markup.readable(text or "", lambda user_id: people[user_id].name if user_id in people else None)

    severity_history = _changes(events, EventKind.SEVERITY_CHANGED, who)
    roles = _roles(config, assignments, who)
    key_events = [KeyEvent(e.at, e.kind, who(e.actor_id) if e.actor_id else None, plain(e.text)) for e in key]
    messages = [LogLine(e.at, who(e.actor_id) if e.actor_id else None, plain(e.text),
                        bool(e.thread_ts and e.thread_ts != e.ts), e.edited_at is not None, e.files, e.ts, e.thread_ts)
                for e in log]
    return PostmortemContext(
        incident=incident, label=snapshots.label(incident.number, incident.is_drill),
        reporter=who(incident.reporter_id), severity_history=severity_history,
        priority_history=_changes(events, EventKind.PRIORITY_CHANGED, who),
        status_history=_changes(events, EventKind.STATUS_CHANGED, who),
        roles=roles, milestones=_milestones(incident, events), durations=_durations(incident),
        key_events=key_events,
        followups=[FollowupItem(f.text, who(f.owner_id) if f.owner_id else None, f.due_on, f.done_at is not None,
                                f.action_type, f.priority) for f in followups],
        runbooks=[RunbookReport(r.title, [RunbookStep(s.number, s.text, s.done,
                                                      who(s.done_by) if s.done_by else None, s.done_at)
                                          for s in r.steps]) for r in runbooks],
        messages=messages, **told(incident, roles, severity_history, key_events, messages, lead_role(config)),
        timezone=config.timezone, generated_at=now, sla=_sla(config, incident),
    )


def told(incident: Incident, roles: list[RoleHistory], severity_history: list[Change], key_events: list[KeyEvent],
         messages: list[LogLine], lead: str) -> dict[str, Any]:
    """The reading aids (owner, summary, impact window, time per severity, curated timeline, updates,
    threads) drawn from the facts; the sample incident uses it too."""
    window = story.impact_window(incident)
    commanders = next((r.holders for r in roles if r.name == lead), [])
    return {"owner": commanders[-1].person if commanders else None, "summary": story.summary(incident, window),
            "impact_window": window, "severity_time": story.severity_stints(incident, severity_history),
            "timeline": story.timeline(key_events, window),
            "updates": [e for e in key_events if e.kind == EventKind.UPDATE_POSTED],
            "threads": story.threads(messages), "detection": resolving.DETECTION.get(incident.detection or "")}


@dataclass(frozen=True)
class SlaResult:
    """One SLA target: `acknowledge` or `resolve`, within how long, and whether it was met (None: not yet)."""

    target: str
    within: timedelta
    met: bool | None


def _sla(config: IncidentConfig, incident: Incident) -> list[SlaResult]:
    targets = config.reminders.targets(incident.severity)
    out = []
    for name, reached in (("acknowledge", incident.acknowledged_at), ("resolve", incident.resolved_at)):
        within = targets.target(name)
        if within is None:
            continue
        missed = name in (incident.sla_breaches or "").split(",")
        met = (reached - incident.declared_at <= within) if reached is not None else (False if missed else None)
        out.append(SlaResult(name, within, met))
    return out


def _ids(incident: Incident, events: list[TimelineEvent], assignments: list[RoleAssignment],
         followups: list[Followup], key: Iterable[Any], log: Iterable[Any], runbooks: Iterable[Any]) -> set[str]:
    ids = {incident.reporter_id}
    ids |= {e.actor_id for e in events if e.actor_id}
    for a in assignments:
        ids |= {x for x in (a.user_id, a.assigned_by, a.relieved_by) if x}
    ids |= {f.owner_id for f in followups if f.owner_id}
    ids |= {e.actor_id for e in key if e.actor_id}
    ids |= {e.actor_id for e in log if e.actor_id}
    ids |= {s.done_by for r in runbooks for s in r.steps if s.done_by}
    return ids


def _changes(events: list[TimelineEvent], kind: str, who: Callable[[str], Person | None]) -> list[Change]:
    out = []
    for e in events:
        if e.kind != kind:
            continue
        data = e.data or {}
        out.append(Change(e.occurred_at, data.get("from"), str(data.get("to", "")),
                          who(e.actor_id) if e.actor_id else None, data.get("reason") or None))
    return out


def _roles(config: IncidentConfig, assignments: list[RoleAssignment],
           who: Callable[[str], Person | None]) -> list[RoleHistory]:
    def person(user_id: str | None) -> Person | None:
        return who(user_id) if user_id else None

    out = []
    for role in config.roles:
        holders = [Holder(who(a.user_id) or Person(a.user_id, a.user_id), a.assigned_at, person(a.assigned_by),
                          a.relieved_at, person(a.relieved_by)) for a in assignments if a.role == role.name]
        out.append(RoleHistory(role.name, holders, role.single))
    return out


def _milestones(incident: Incident, events: list[TimelineEvent]) -> list[Milestone]:
    # detected: when the first alert of a group tied to the incident fired (its startsAt); without alerts it
    # is not known apart from the declaration, so it is not listed
    alerted = min((e.occurred_at for e in events if e.kind == EventKind.ALERT_FIRING), default=None)
    detected = [Milestone("detected", min(alerted, incident.declared_at))] if alerted is not None else []
    return [*detected, Milestone("declared", incident.declared_at), Milestone("acknowledged", incident.acknowledged_at),
            Milestone("mitigated", incident.mitigated_at),
            Milestone("resolved", incident.resolved_at), Milestone("closed", incident.closed_at)]


def _durations(incident: Incident) -> Durations:
    def since(at: datetime | None) -> timedelta | None:
        return at - incident.declared_at if at else None

    return Durations(since(incident.acknowledged_at), since(incident.mitigated_at), since(incident.resolved_at),
                     since(incident.closed_at))
