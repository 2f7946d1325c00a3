"""Pure Block Kit and text builders (no Slack calls): card, declare, steering, resolve, followups,
runbooks, help, timeline."""
