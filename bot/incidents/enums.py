"""Fixed vocabularies of the incident domain (configurable ones, like severities, live in config)."""

from enum import StrEnum


class EventKind(StrEnum):
    """What a timeline entry records."""

    DECLARED = "declared"
    CHANNEL_OPENED = "channel_opened"
    ANNOUNCED = "announced"
    SETUP_FAILED = "setup_failed"


class SetupState(StrEnum):
    """How far the incident's Slack side has been built."""

    OPENING = "opening"    # recorded; channel not ready yet
    READY = "ready"        # channel created, described, declarer invited, card posted
    FAILED = "failed"      # a step failed for good; `setup_error` says which
