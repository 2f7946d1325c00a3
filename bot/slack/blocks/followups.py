"""Text for `/incident followups`: a pure function."""

from __future__ import annotations

from bot.followups.models import Followup
from bot.followups.service import USAGE
from bot.incidents.snapshots import IncidentSnapshot
from bot.markup import escape, shorten


def followup_list(incident: IncidentSnapshot, followups: list[Followup]) -> str:
    """`/incident followups`."""
    if not followups:
        return f"{incident.label} has no follow-ups yet. Add one with `{escape(USAGE)}`."
    lines = [f"*Follow-ups of {incident.label}* ({len(followups)})"]
    for n, f in enumerate(followups, 1):
        owner = f" · <@{f.owner_id}>" if f.owner_id else " · _no owner_"
        due = f" · due {f.due_on.isoformat()}" if f.due_on else ""
        kind = "".join(f" · {x}" for x in (f.action_type, f.priority) if x)
        done = " · ✅ done" if f.done_at else ""
        lines.append(f"{n}. {escape(shorten(f.text, 500))}{kind}{owner}{due}{done}")
    return "\n".join(lines)
