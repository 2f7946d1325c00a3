"""Every callback_id, block_id and action_id the bot uses. The manifest names the shortcut ids too."""

from enum import StrEnum

from bot.config import COMMAND

__all__ = ["COMMAND", "Action", "Block", "Callback", "Option"]


class Callback(StrEnum):
    """Shortcut and modal callback ids (the shortcut ones are part of the public contract)."""

    DECLARE_SHORTCUT = "declare_incident"
    DECLARE_FROM_MESSAGE = "declare_from_message"
    ADD_TO_TIMELINE = "add_to_timeline"
    DECLARE_MODAL = "declare_incident_modal"
    ROLES_MODAL = "incident_roles_modal"
    SEVERITY_MODAL = "incident_severity_modal"
    UPDATE_MODAL = "incident_update_modal"
    RESOLVE_MODAL = "incident_resolve_modal"
    ADD_FOLLOWUP = "add_followup"                # message shortcut: the message becomes a follow-up
    ALERT_DECLARE_MODAL = "alert_declare_modal"  # the declare form opened from a triage message


class Block(StrEnum):
    """Input blocks of the declare modal; submission errors are keyed by these."""

    TITLE = "title"
    SEVERITY = "severity"
    PRIORITY = "priority"
    CATEGORY = "category"
    SERVICE = "service"
    DESCRIPTION = "description"
    OPTIONS = "options"
    REASON = "reason"                  # severity modal
    UPDATE = "update"                  # update modal
    PUBLISH = "publish"                # update modal: the "publish on the status page" checkbox
    ROLE_PREFIX = "role:"              # roles modal: one input block per role, "role:<name>"
    CARD_ACTIONS = "card_actions"      # incident card: claim buttons and forms
    CARD_STATUS = "card_status"        # incident card: the status select
    RUNBOOK_STEP = "runbook_step"                # prefix: a checklist step is block "runbook_step:<checklist>:<n>"
    SUMMARY = "summary"                # resolve modal
    IMPACT = "impact"
    ROOT_CAUSE = "root_cause"
    OVERVIEW = "overview"              # resolve modal: the postmortem's Summary
    IMPACT_BEGAN = "impact_began"
    IMPACT_ENDED = "impact_ended"
    DETECTION = "detection"
    TRIGGER = "trigger"
    USERS_AFFECTED = "users_affected"
    TICKETS = "tickets"
    TRIAGE_ACTIONS = "triage_actions"  # triage message: Declare, Acknowledge, Dismiss


class Action(StrEnum):
    """Element action ids."""

    TITLE = "title_input"
    SEVERITY = "severity_select"
    PRIORITY = "priority_select"
    CATEGORY = "category_select"
    SERVICE = "service_input"
    DESCRIPTION = "description_input"
    OPTIONS = "options_checkboxes"
    REASON = "reason_input"
    UPDATE = "update_input"
    PUBLISH = "publish_checkbox"
    HOME_DECLARE = "home_declare"      # App Home: the Declare incident button
    ROLE_USERS = "role_users"
    CLAIM_ROLE = "claim_role:"         # card buttons "claim_role:<name>" (action ids are unique per block)
    OPEN_ROLES = "open_roles_form"
    OPEN_SEVERITY = "open_severity_form"
    OPEN_UPDATE = "open_update_form"
    STATUS = "status_select"
    RUNBOOK_STEP = "runbook_step"                # a checklist step's checkbox (its block id names the step)
    SUMMARY = "summary_input"
    IMPACT = "impact_input"
    ROOT_CAUSE = "root_cause_input"
    OVERVIEW = "overview_input"
    IMPACT_BEGAN = "impact_began_input"
    IMPACT_ENDED = "impact_ended_input"
    DETECTION = "detection_input"
    TRIGGER = "trigger_input"
    USERS_AFFECTED = "users_affected_input"
    TICKETS = "tickets_input"
    REMINDER_UPDATE = "reminder_post_update"     # the reminder DM's Post update button (value: incident id)
    REMINDER_SNOOZE = "reminder_snooze"          # the nudge's Snooze button (value: "<incident id>:<seconds>")
    FOLLOWUP_DONE = "followup_done"              # the follow-up DM's buttons (value: the follow-up's id)
    FOLLOWUP_WONT_DO = "followup_wont_do"
    ALERT_DECLARE = "alert_declare"    # triage buttons; their value is the alert group's id
    ALERT_ACKNOWLEDGE = "alert_acknowledge"
    ALERT_DISMISS = "alert_dismiss"


class Option(StrEnum):
    """Checkbox values in the declare and update modals."""

    PRIVATE = "private"
    DRILL = "drill"
    PUBLIC = "public"                  # update modal: publish on the status page
