"""Fixed vocabularies of the incident domain (configurable ones, like severities, live in config)."""

from enum import StrEnum


class SetupState(StrEnum):
    """How far the incident's Slack side has been built."""

    OPENING = "opening"    # recorded; channel not ready yet
    READY = "ready"        # channel created, described, declarer invited, card posted
    FAILED = "failed"      # a step failed for good; `setup_error` says which
