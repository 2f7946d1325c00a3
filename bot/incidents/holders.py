"""Who holds a set-up lease: this process, named so that a process on the same host can tell it is gone.

A holder is `hostname|boot id|pid namespace|pid|start time`. Only a holder in the same place (same
hostname, same kernel boot, same pid namespace) is judged: it is gone when its pid no longer exists, is a
zombie, or is another process now (a different start time: the pid was reused). Anything that cannot be
judged (another host or container, a system without /proc) counts as alive, and its lease runs its course.
Containers that share a hostname but not a pid namespace (host networking) thus never judge each other;
a restarted container starts in a new pid namespace, so it waits for its predecessor's lease as before.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

GONE_STATES = {"Z", "X"}  # zombie, dead: exited, not yet reaped


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _stat(pid: int) -> list[str]:
    """Fields 3… of /proc/<pid>/stat (state first); empty when there is no such process. The command name
    (field 2) is in parentheses and may hold spaces or parentheses, so the fields start after the last ')'."""
    return _read(f"/proc/{pid}/stat").rpartition(")")[2].split()


def _place() -> str:
    """This host, this kernel boot, this pid namespace ('' parts when unknown)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}|{_read('/proc/sys/kernel/random/boot_id')}|{namespace}"


def me() -> str:
    """This process as a lease holder."""
    pid = os.getpid()
    fields = _stat(pid)
    started = fields[19] if len(fields) > 19 else ""  # field 22: start time, clock ticks since boot
    return f"{_place()}|{pid}|{started}"


def is_gone(holder: str | None) -> bool:
    """Whether `holder` was a process here that no longer runs (never a guess: unknown means alive)."""
    parts = (holder or "").split("|")
    if len(parts) != 5 or not all(parts[:3]) or not parts[3].isdigit() or not parts[4]:
        return False
    if "|".join(parts[:3]) != _place():
        return False
    pid = int(parts[3])
    fields = _stat(pid)
    if not fields:
        return not _exists(pid)
    return fields[0] in GONE_STATES or (len(fields) > 19 and fields[19] != parts[4])


def _exists(pid: int) -> bool:
    """Whether a pid is in use, when /proc does not show it (hidden from other users, say)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: it exists
        return True
    return True
