"""The postmortem: rendered from Jinja templates a team owns, stored, uploaded, printable."""
