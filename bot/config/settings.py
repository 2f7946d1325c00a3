"""The process settings from the environment: Slack credentials, the database, the announce channel."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.config.incident import IncidentConfig, load_incident_config
from bot.config.parsing import ConfigError


class _Secret(str):
    """A string that never shows itself in repr or logs."""

    def __repr__(self) -> str:
        return "'***'" if self else "''"


@dataclass(frozen=True)
class Settings:
    """Everything the process needs, built once at start-up."""

    database_url: str = "sqlite:///incident-bot.db"
    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = "https://slack.com/api/"
    announce_channel: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    config_path: str | None = None
    incident: IncidentConfig = field(default_factory=IncidentConfig)
    setup_lease: float = 15.0  # s: how long a declaration cut short is left alone before another run resumes it
    status_page: bool = True   # INCIDENT_STATUS_PAGE: serve /status, /status.json, /status.atom
    public_url: str | None = None  # INCIDENT_PUBLIC_URL: base URL for links to the status page
    triage_channel: str | None = None  # alert groups go here (INCIDENT_TRIAGE_CHANNEL); None: the announce channel
    alert_token: str = field(default="", repr=False)  # INCIDENT_ALERT_TOKEN: the bearer token of the alert routes

    @property
    def alerts_channel(self) -> str | None:
        """Where triage messages go: the triage channel, else the announce channel."""
        return self.triage_channel or self.announce_channel

    def require_slack(self, *, socket_mode: bool) -> None:
        """Refuse to serve without the Slack credentials the chosen mode needs."""
        if not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (a bot token, xoxb-…)")
        if not self.slack_bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if socket_mode:
            if not self.slack_app_token.startswith("xapp-"):
                raise ConfigError("SLACK_APP_TOKEN must be set to an app-level token (xapp-…) for --socket-mode")
        elif not self.slack_signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret)")


def normalize_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pick the bundled PostgreSQL driver."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not re.match(r"^[a-z0-9+]+://", url):
        raise ConfigError(f"DATABASE_URL is not a database URL: {url!r} (e.g. sqlite:///incident-bot.db)")
    return url


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build `Settings` from the environment (and a `.env` file, read by the caller)."""
    env = os.environ if env is None else env
    port_text = env.get("PORT", "3000") or "3000"
    try:
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        raise ConfigError(f"PORT must be a port number, got {port_text!r}") from None
    api_url = env.get("SLACK_API_URL") or "https://slack.com/api/"
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    config_path = env.get("INCIDENT_BOT_CONFIG") or None
    lease_text = env.get("INCIDENT_SETUP_LEASE_SECONDS") or "15"
    try:
        setup_lease = float(lease_text)
        if not 1 <= setup_lease <= 3600:
            raise ValueError
    except ValueError:
        raise ConfigError(f"INCIDENT_SETUP_LEASE_SECONDS must be 1 to 3600 seconds, got {lease_text!r}") from None
    alert_token = (env.get("INCIDENT_ALERT_TOKEN") or "").strip()
    if alert_token and len(alert_token) < 16:
        raise ConfigError("INCIDENT_ALERT_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 24`)")
    return Settings(
        status_page=_switch(env, "INCIDENT_STATUS_PAGE", default=True),
        public_url=_public_url(env.get("INCIDENT_PUBLIC_URL") or ""),
        database_url=normalize_database_url(env.get("DATABASE_URL") or "sqlite:///incident-bot.db"),
        slack_bot_token=_Secret(env.get("SLACK_BOT_TOKEN", "")),
        slack_signing_secret=_Secret(env.get("SLACK_SIGNING_SECRET", "")),
        slack_app_token=_Secret(env.get("SLACK_APP_TOKEN", "")),
        slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
        announce_channel=(env.get("INCIDENT_ANNOUNCE_CHANNEL") or "").strip() or None,
        host=env.get("HOST") or "0.0.0.0",
        port=port,
        config_path=config_path,
        incident=load_incident_config(Path(config_path)) if config_path else IncidentConfig(),
        setup_lease=setup_lease,
        triage_channel=(env.get("INCIDENT_TRIAGE_CHANNEL") or "").strip() or None,
        alert_token=_Secret(alert_token),
    )


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """An on/off setting (`on`/`off`, also `true`/`false`, `yes`/`no`, `1`/`0`)."""
    text = (env.get(name) or "").strip().lower()
    if not text:
        return default
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    raise ConfigError(f"{name} must be on or off, got {text!r}")


def _public_url(text: str) -> str | None:
    """INCIDENT_PUBLIC_URL without its trailing slash, or None when unset."""
    text = text.strip()
    if not text:
        return None
    if not re.match(r"^https?://[^/\s]+", text):
        raise ConfigError(f"INCIDENT_PUBLIC_URL must be an http(s) URL, got {text!r}")
    return text.rstrip("/")
