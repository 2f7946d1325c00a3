"""Every callback_id, block_id and action_id the bot uses. The manifest names the shortcut ids too."""

from enum import StrEnum

COMMAND = "/incident"


class Callback(StrEnum):
    """Shortcut and modal callback ids (the shortcut ones are part of the public contract)."""

    DECLARE_SHORTCUT = "declare_incident"
    DECLARE_FROM_MESSAGE = "declare_from_message"
    ADD_TO_TIMELINE = "add_to_timeline"
    DECLARE_MODAL = "declare_incident_modal"


class Block(StrEnum):
    """Input blocks of the declare modal; submission errors are keyed by these."""

    TITLE = "title"
    SEVERITY = "severity"
    PRIORITY = "priority"
    CATEGORY = "category"
    SERVICE = "service"
    DESCRIPTION = "description"
    OPTIONS = "options"


class Action(StrEnum):
    """Element action ids."""

    TITLE = "title_input"
    SEVERITY = "severity_select"
    PRIORITY = "priority_select"
    CATEGORY = "category_select"
    SERVICE = "service_input"
    DESCRIPTION = "description_input"
    OPTIONS = "options_checkboxes"
    OPEN_CHANNEL = "open_incident_channel"


class Option(StrEnum):
    """Checkbox values in the declare modal."""

    PRIVATE = "private"
    DRILL = "drill"
