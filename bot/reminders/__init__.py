"""Keeping an incident moving: what happens when an update reminder, an escalation or an SLA check falls due."""
