"""The one error handler, and the one helper turning domain errors into answers.

- `run_guarded`: work after the ack; a domain error becomes a reply, anything else an apology with an id.
- `refusal_answered`: a listener's part before the ack; a domain error becomes the (ephemeral) answer.
- `form_refusal`: reading a view submission; a domain error stays in the form (`response_action=errors`).
- `register`: Bolt's error handler, for whatever escapes before or instead of an ack.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltResponse

from bot.errors import DomainError
from bot.slack.replies import Reply

log = logging.getLogger("bot.errors")
T = TypeVar("T")


def apology(error_id: str) -> str:
    """What a user sees when the bot failed in a way they cannot fix."""
    return (f":warning: Sorry, something went wrong on our side (error id `{error_id}`). "
            "Nothing was changed. Try again, and tell your bot admins the id if it keeps happening.")


def run_guarded(reply: Reply, work: Callable[[], object]) -> None:
    """Run the work that follows an ack; never let an exception escape into Bolt (it would eat the ack).

    Listeners do not call this themselves: they hand their work to `Deps.after_ack`.
    """
    try:
        work()
    except DomainError as exc:
        reply(exc.message)
    except Exception:
        error_id = uuid.uuid4().hex[:10]
        log.exception("unexpected error %s", error_id)
        try:
            reply(apology(error_id))
        except Exception:
            log.exception("could not tell the user about error %s", error_id)


def refusal_answered(work: Callable[[], object], answer: Reply) -> None:
    """Run a listener's part before the ack; a DomainError it raises is answered with its message."""
    try:
        work()
    except DomainError as exc:
        answer(exc.message)


def form_refusal(ack: Ack, block: str, read: Callable[[], T]) -> T | None:
    """`read()` a view submission; a DomainError is acked as the form's error (under its field, else
    `block`) and None returned, so the form stays open saying what to fix."""
    try:
        return read()
    except DomainError as exc:
        ack(response_action="errors", errors={getattr(exc, "field", None) or block: exc.message})
        return None


def register(app: App) -> None:
    """Errors raised before or instead of an ack: log with an id, answer briefly."""

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse:
        if isinstance(error, DomainError):
            return BoltResponse(status=200, body=error.message)
        error_id = uuid.uuid4().hex[:10]
        log.error("unexpected error %s", error_id, exc_info=error)
        return BoltResponse(status=200, body=apology(error_id))
