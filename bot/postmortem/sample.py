"""A made-up incident with every section filled, to validate templates at start-up and in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.config import IncidentConfig
from bot.incidents.models import Incident
from bot.incidents.permissions import lead_role
from bot.postmortem.context import (
    Change,
    Durations,
    FollowupItem,
    Holder,
    KeyEvent,
    LogLine,
    Milestone,
    Person,
    PostmortemContext,
    RoleHistory,
    RunbookReport,
    RunbookStep,
    told,
)


def sample_context(config: IncidentConfig) -> PostmortemContext:
    """Every list non-empty and every optional value set, so a template's every branch is exercised."""
    t0 = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    ada, bo = Person("U1", "Ada <admin>"), Person("U2", "Bo & Co")

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    incident = Incident(
        id=0, number=42, title="Checkout <b>down</b> & out", description="Customers see 500s", severity="SEV1",
        priority="P1", category="application", service="checkout-api", status="closed", is_private=False,
        is_drill=True, reporter_id="U1", declared_at=t0, acknowledged_at=at(3), mitigated_at=at(30),
        resolved_at=at(45), closed_at=at(60 * 24), channel_id="C1", channel_name="inc-42-checkout-down",
        summary="Rolled back v2.3", impact="12% of checkouts failed", root_cause="A bad index",
        detection="alert",
        trigger="Deploy `v2.3` <rolled out>", users_affected=1200, tickets=3,
        setup_state="ready",
    )
    holder = Holder(ada, at(1), bo, at(20), bo)
    roles = [RoleHistory(r.name, [holder, Holder(bo, at(20), ada, None, None)], r.single) for r in config.roles]
    severity_history = [Change(at(5), "SEV2", "SEV1", bo, "spreading")]
    key_events = [KeyEvent(at(2), "note", ada, "Paged the DBA"), KeyEvent(at(3), "declared", None, "x"),
                  KeyEvent(at(4), "update_posted", bo, "# Rolling back | v2.3 `<level>`"),
                  KeyEvent(at(6), "message", ada, "Errors > 5% && rising")]
    messages = [LogLine(at(1), ada, "Seeing 500s\nsince 09:00", False, True, [{"name": "graph.png"}], "1.0", None),
                LogLine(at(2), bo, "On it <@U1>", True, False, [], "2.0", "1.0"),
                LogLine(at(3), bo, "# not a heading", True, False, [], "3.0", "9.0")]
    return PostmortemContext(
        incident=incident, label="DRILL #42", reporter=ada,
        severity_history=severity_history,
        priority_history=[Change(at(6), None, "P1", bo, None)],
        status_history=[Change(at(30), "investigating", "monitoring", ada, None)],
        roles=roles,
        milestones=[Milestone("declared", t0), Milestone("resolved", at(45)), Milestone("closed", None)],
        durations=Durations(timedelta(minutes=3), timedelta(minutes=30), timedelta(minutes=45), None),
        key_events=key_events,
        followups=[FollowupItem("Add an index check to CI", bo, date(2026, 2, 1), False, "prevent", "P2"),
                   FollowupItem("Write it up", None, None, True)],
        runbooks=[RunbookReport("Database outage", [RunbookStep(1, "Check replicas", True, ada, at(4)),
                                                    RunbookStep(2, "Fail over", False, None, None)])],
        messages=messages, **told(incident, roles, severity_history, key_events, messages, lead_role(config)),
        timezone=config.timezone, generated_at=at(60 * 25),
    )
