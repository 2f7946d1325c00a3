"""What arrives from Slack, one module per feature holding every entry point of that feature
(its `/incident` subcommands, forms, card controls, shortcuts and events)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.deps import Deps
from bot.slack.listeners import (
    alerts,
    command,
    declare,
    followups,
    home,
    levels,
    reminders,
    resolve,
    roles,
    runbooks,
    status,
    timeline,
    updates,
)


def register(app: App, deps: Deps) -> None:
    """Register every listener: the `/incident` router, then each feature's forms, buttons, shortcuts, events."""
    command.register(app, deps)
    for feature in (declare, roles, levels, status, updates, resolve, followups, runbooks, timeline, home,
                    reminders, alerts):
        feature.register(app, deps)
