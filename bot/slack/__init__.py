"""Transport: the only package that imports slack_bolt / slack_sdk.

Plumbing: client (the one paced, guarded WebClient), sanitize (storable text), fastpath (message and
reaction events before Bolt), ids (every callback/block/action id), deps (what listeners need, and
`after_ack`, the one way to do work after the ack), errors (the one error handler and the helpers
turning domain errors into answers), replies (answering the person, opening modals).

- listeners/: what arrives from Slack, one module per feature holding every entry point of it:
  command (the `/incident` router, SUBCOMMANDS, help; with invocation and context), declare, roles,
  levels, status, updates, resolve, close, followups, runbooks, timeline, listing, and forms (shared
  form plumbing). `listeners.register(app, deps)` registers them all.
- blocks/: pure Block Kit and text builders, no Slack calls: card, declare, steering, resolve,
  followups, runbooks, help, timeline.
- adapters/: the domain's ports on the Web API (chat, checklists, postmortem, history), calls (the one
  place a Slack failure becomes ChatStepFailed or another port's error) and messages (Slack payloads →
  timeline values).
"""
