"""HTTP: the Slack endpoint, health, and (later) pages and webhooks."""
