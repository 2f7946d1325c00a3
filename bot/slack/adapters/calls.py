"""The one place where a failed Web API call becomes the domain's ChatStepFailed (or another port's error)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import ChatStepFailed

Failure = Callable[[str, str], Exception]  # (step, reason) → the exception the port promises


def call(step: str, fn: Callable[[], Any], *, ignore: Collection[str] = (),
         translate: Mapping[str, Callable[[], Exception]] | None = None,
         fail: Failure = ChatStepFailed) -> Any:
    """`fn()`, with Slack's refusals and unreachability raised as `fail(step, reason)`.

    An error code in `ignore` is no failure (None is returned); when Slack names an error per user
    (conversations.invite), every one of them must be in `ignore`. An error code in `translate` raises
    the exception its factory builds instead.
    """
    try:
        return fn()
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if ignore and _ignored(exc, error, ignore):
            return None
        if translate and error in translate:
            raise translate[str(error)]() from exc
        raise fail(step, str(error or exc)) from exc
    except (SlackClientError, OSError) as exc:
        raise fail(step, f"Slack could not be reached: {exc.__class__.__name__}") from exc


def _ignored(exc: SlackApiError, error: str | None, ignore: Collection[str]) -> bool:
    per_user = exc.response.get("errors") or [{"error": error}]
    return all(isinstance(e, dict) and e.get("error") in ignore for e in per_user)
