"""Figures as people read them: durations, rates, what was left out. Pure functions, no markup."""

from __future__ import annotations

from bot.reporting.queries import LeftOut


def spoken(seconds: float | None) -> str:
    """`3725.4` → `1h 2m 5s`; `90061` → `1d 1h 1m`; None → `n/a` (to the second, rounded)."""
    if seconds is None:
        return "n/a"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def rate(done: int, total: int) -> str:
    """`3 of 4 done (75%)`."""
    return f"{done} of {total} done ({100 * done / total:.0f}%)" if total else "none recorded"


def left_out_line(left: LeftOut) -> str:
    """`Left out: 2 drills, 1 declined.` (or that none were)."""
    if not left.total:
        return "Left out: no drills or declined incidents in this period."
    parts = [f"{left.drills} drill{'s' if left.drills != 1 else ''}", f"{left.declined} declined"]
    return f"Left out: {', '.join(parts)} ({left.total} in all)."


DETECTION_NOTE = ("Time to detect is 0 s for every incident until alert intake lands: detection is the "
                  "declaration for now.")
