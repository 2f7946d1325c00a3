"""Text for `/incident help` and `/incident list`: pure functions."""

from __future__ import annotations

from bot.config import IncidentConfig
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten
from bot.slack.blocks.card import commander_of


def help_text(commands: list[tuple[str, str]]) -> str:
    """The `/incident help` answer."""
    lines = ["*Incident bot*: declare and run incidents without leaving Slack.", ""]
    lines += [f"`{escape(usage)}`  {escape(what)}" for usage, what in commands]
    lines += ["", "Shortcuts: *Declare incident* (global); on a message: *Declare from message*, "
                  "*Add to timeline* (or react with :pushpin:) and *Add as follow-up*."]
    return "\n".join(lines)


def incident_list(incidents: list[IncidentSnapshot], config: IncidentConfig) -> str:
    """The `/incident list` answer."""
    if not incidents:
        return "No open incidents. :tada:  Declare one with `/incident declare &lt;title&gt;`."
    lines = [f"*Open incidents* ({len(incidents)})"]
    for i in incidents:
        drill = " · DRILL" if i.is_drill else ""
        lock = " · 🔒 private" if i.is_private else ""
        lines.append(f"• *#{i.number}* {escape(shorten(i.title, 200))} · {i.severity} · {i.status} · "
                     f"commander: {commander_of(i, config)} · <#{i.channel_id}>{drill}{lock}")
    return "\n".join(lines)
