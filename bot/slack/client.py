"""The bot's one Slack Web API client: retries, pacing per channel, and a stop when the token is refused.

- 429: slack_sdk's RateLimitErrorRetryHandler waits `Retry-After` (plus jitter) and tries again.
- 500/503 and dropped connections: retried with exponential backoff (slack_sdk's handlers), except for
  calls that must not run twice (chat.postMessage, conversations.create, files.completeUploadExternal):
  Slack may have done them before the answer was lost, so bot/slack/repeats.py looks before trying again.
- Posts to one channel are paced to about one a second after a short burst (Slack's documented limit
  for chat.postMessage), so a burst of news is not answered with 429s in the first place.
- Calls, errors and 429s are counted by method for GET /metrics (`meter`, set by the runtime).
- `invalid_auth`, `token_revoked`, `account_inactive`, `not_authed`: Slack will never accept this token
  again. The first such answer is logged as an error, every later call fails at once without calling
  Slack (no retry loops against a dead token), and /healthz answers 503 naming the reason.

Every listener gets this client (a Bolt middleware swaps it in for Bolt's per-request one), so the
rules hold for every call the bot makes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.slack.repeats import NOT_REPEATABLE, call_looking_first

log = logging.getLogger(__name__)
FATAL_AUTH_ERRORS = {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"}
RATE_LIMIT_RETRIES = 30   # 429s are waited out (Retry-After each time): a storm queues and finishes
SERVER_ERROR_RETRIES = 5  # 0.5, 1, 2, 4, 8 s (+ jitter): a Slack blip of ~15 s is ridden out
POSTS_BURST = 4           # posts to one channel at once before pacing starts
POST_INTERVAL = 1.1       # then one every this many seconds (Slack: ~1 message/s per channel)


class Credentials:
    """Whether Slack still accepts the bot token; `problem` says why not."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self._lock = threading.Lock()

    def refused(self, error: str, method: str) -> None:
        """Slack refused the token for good: stop, loudly, once."""
        with self._lock:
            if self.problem is not None:
                return
            self.problem = f"Slack refused the bot token ({error})"
        log.error("Slack refused the bot token on %s (%s): all Slack work is stopped and /healthz answers 503. "
                  "Reinstall the app or set a valid SLACK_BOT_TOKEN, then restart.", method, error)


class ChannelPacer:
    """Pace per channel (GCRA): `burst` posts at once, then one per `interval` seconds."""

    def __init__(self, burst: int = POSTS_BURST, interval: float = POST_INTERVAL) -> None:
        self.tolerance, self.interval = (burst - 1) * interval, interval
        self._due: dict[str, float] = {}  # channel -> theoretical time of its next post (monotonic)
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        """Block until a post to `channel` fits the pace."""
        with self._lock:
            now = time.monotonic()
            due = max(self._due.get(channel, now), now)
            delay = max(0.0, due - self.tolerance - now)
            self._due[channel] = due + self.interval
            if len(self._due) > 10_000:
                self._due = {c: t for c, t in self._due.items() if t > now}
        if delay > 0:
            time.sleep(delay)


class SlackMeter(Protocol):
    """Where calls, failures and 429s are counted (bot/web/metrics.py)."""

    def slack_call(self, method: str) -> None: ...
    def slack_error(self, method: str, error: str) -> None: ...
    def slack_rate_limited(self, method: str) -> None: ...


def _method(request: HttpRequest) -> str:
    return request.url.split("?", 1)[0].rsplit("/", 1)[-1]


class CountedRateLimits(RateLimitErrorRetryHandler):
    """429 retries (after Retry-After), each 429 counted."""

    def __init__(self, meter: Callable[[], SlackMeter | None], max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.meter = meter

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        limited = super()._can_retry(state=state, request=request, response=response, error=error)
        meter = self.meter()
        if limited and meter is not None:
            meter.slack_rate_limited(_method(request))
        return limited


def _repeatable(request: HttpRequest) -> bool:
    return request.url.split("?", 1)[0].rsplit("/", 1)[-1] not in NOT_REPEATABLE


class RepeatableServerErrors(ServerErrorRetryHandler):
    """5xx retries, only for calls that may safely run twice."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return _repeatable(request) and super()._can_retry(state=state, request=request, response=response,
                                                           error=error)


class RepeatableConnectionErrors(ConnectionErrorRetryHandler):
    """Dropped-connection retries, only for calls that may safely run twice."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return _repeatable(request) and super()._can_retry(state=state, request=request, response=response,
                                                           error=error)


def _fatal(client: WebClient, method: str, error: str) -> SlackApiError:
    response = SlackResponse(client=client, http_verb="POST", api_url=f"{client.base_url}{method}", req_args={},
                             data={"ok": False, "error": error}, headers={}, status_code=200)
    return SlackApiError(f"not called: Slack refused the bot token earlier ({error})", response)


class BotWebClient(WebClient):
    """A WebClient with the bot's retry handlers, per-channel pacing and a stop on a refused token."""

    def __init__(self, *, token: str | None, base_url: str, timeout: int = 15,
                 credentials: Credentials | None = None, pacer: ChannelPacer | None = None) -> None:
        super().__init__(token=token, base_url=base_url, timeout=timeout, retry_handlers=[
            RepeatableConnectionErrors(max_retry_count=3, interval_calculator=BackoffRetryIntervalCalculator(0.5)),
            CountedRateLimits(lambda: self.meter, RATE_LIMIT_RETRIES),  # a 429 was not processed: retry
            RepeatableServerErrors(max_retry_count=SERVER_ERROR_RETRIES,
                                   interval_calculator=BackoffRetryIntervalCalculator(0.5)),
        ])
        self.credentials = credentials or Credentials()
        self.pacer = pacer or ChannelPacer()
        self.meter: SlackMeter | None = None  # set by the runtime (GET /metrics)

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        """Every Web API call: refused at once after a fatal auth error, paced for posts, watched for one."""
        problem = self.credentials.problem
        if problem is not None:
            raise _fatal(self, api_method, problem.rsplit("(", 1)[-1].rstrip(")"))
        if api_method == "chat.postMessage":
            args = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
            channel = args.get("channel") if isinstance(args, dict) else None
            if channel:
                self.pacer.wait(str(channel))
        if self.meter is not None:
            self.meter.slack_call(api_method)
        try:
            if api_method in NOT_REPEATABLE:
                return call_looking_first(self, api_method, kwargs, lambda: super(BotWebClient, self).api_call(
                    api_method, **kwargs), tries=SERVER_ERROR_RETRIES + 1)
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if self.meter is not None:
                self.meter.slack_error(api_method, str(error))
                if error == "ratelimited":  # the 429 that ran out of retries (the others were counted as retried)
                    self.meter.slack_rate_limited(api_method)
            if error in FATAL_AUTH_ERRORS and api_method != "apps.connections.open":
                self.credentials.refused(str(error), api_method)
            raise


def register(app: App, client: WebClient) -> None:
    """Every listener calls Slack through `client`; a revocation or uninstall stops Slack work."""

    @app.middleware
    def shared_client(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["client"] = client  # Bolt's per-request client would bypass pacing and the stop
        return next()

    def revoked(event: dict[str, Any]) -> None:
        if isinstance(client, BotWebClient):
            client.credentials.refused("token_revoked" if event.get("type") == "tokens_revoked"
                                       else "app_uninstalled", f"the {event.get('type')} event")

    app.event("tokens_revoked")(revoked)
    app.event("app_uninstalled")(revoked)
