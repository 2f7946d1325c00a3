"""The one error handler: domain errors become answers, anything else an apology with an id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.errors import DomainError
from bot.slack.replies import Reply

log = logging.getLogger("bot.errors")


def apology(error_id: str) -> str:
    """What a user sees when the bot failed in a way they cannot fix."""
    return (f":warning: Sorry, something went wrong on our side (error id `{error_id}`). "
            "Nothing was changed. Try again, and tell your bot admins the id if it keeps happening.")


def guarded(reply: Reply, work: Callable[[], object]) -> None:
    """Run the work that follows an ack; never let an exception escape into Bolt (it would eat the ack)."""
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


def register(app: App) -> None:
    """Errors raised before or instead of an ack: log with an id, answer briefly."""

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse:
        if isinstance(error, DomainError):
            return BoltResponse(status=200, body=error.message)
        error_id = uuid.uuid4().hex[:10]
        log.error("unexpected error %s", error_id, exc_info=error)
        return BoltResponse(status=200, body=apology(error_id))
