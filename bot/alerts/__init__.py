"""Alerts in: monitoring tools' alerts stored once, grouped, triaged in Slack and, when they matter, declared."""
