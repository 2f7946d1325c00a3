"""The incident domain: models, the declare workflow, queries. Never imports Slack."""
