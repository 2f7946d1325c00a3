"""What a key event on an incident's timeline records: one vocabulary for every package that records one."""

from enum import StrEnum


class EventKind(StrEnum):
    """What a timeline entry records."""

    DECLARED = "declared"
    CHANNEL_OPENED = "channel_opened"
    ANNOUNCED = "announced"
    SETUP_FAILED = "setup_failed"
    ROLE_ASSIGNED = "role_assigned"              # roles, severity, status, updates: issue 3
    ROLE_RELIEVED = "role_relieved"
    SEVERITY_CHANGED = "severity_changed"
    PRIORITY_CHANGED = "priority_changed"
    STATUS_CHANGED = "status_changed"
    UPDATE_POSTED = "update_posted"
    RUNBOOK_POSTED = "runbook_posted"            # bot/runbooks
    RUNBOOK_STEP_DONE = "runbook_step_done"
    RUNBOOK_STEP_UNDONE = "runbook_step_undone"
    CATEGORY_CHANGED = "category_changed"
    SERVICE_CHANGED = "service_changed"
    NOTE = "note"                                # /incident note: bot/timeline
    RESOLVED = "resolved"                        # the resolve form's summary: bot/incidents/resolving
    FOLLOWUP_ADDED = "followup_added"            # bot/followups
    POSTMORTEM_PUBLISHED = "postmortem_published"  # bot/postmortem
    REMINDER_SENT = "reminder_sent"              # bot/reminders: an update was due (not a key event)
    REMINDERS_SNOOZED = "reminders_snoozed"      # /incident snooze
    ESCALATED = "escalated"                      # no commander after escalate_after
    SLA_BREACHED = "sla_breached"                # an acknowledge or resolve target missed
    FOLLOWUP_CLOSED = "followup_closed"          # a follow-up done or dropped (won't do)
    ALERT_FIRING = "alert_firing"                # bot/alerts: an alert of a group tied to the incident fired
    ALERT_RESOLVED = "alert_resolved"            # …and resolved
