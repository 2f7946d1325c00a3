"""The timeline: every human message of an incident channel, edits, deletions, key events."""
