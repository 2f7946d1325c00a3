"""Runbooks: checklists a team keeps in `runbooks/`, posted into incident channels and ticked off there."""
