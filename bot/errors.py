"""Typed domain errors. Their message is written for the responder who will read it in Slack."""


class DomainError(Exception):
    """A refusal the user can act on; shown to them as is (ephemeral)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value the user typed is not acceptable; `field` names it (for modal errors)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The incident (or thing) asked for does not exist."""


class ChatStepFailed(Exception):
    """The chat platform refused a step of the workflow for good (after retries)."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class ChannelNameTaken(Exception):
    """The channel name is already used (archived channels included)."""
