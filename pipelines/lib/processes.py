"""Is the process that ran a run still there? A process is named by its pid, the kernel's start
time of that pid (so a reused pid is another process), its pid namespace and the machine's boot (so
a pid is only judged where it means the same process). Linux's /proc; elsewhere nothing is judged.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROC = Path("/proc")


def _start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot), or None when there is no such
    process or it has died (a zombie)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and brackets
    return None if fields[0] in ("Z", "X") else fields[19]


def _pid_space() -> str | None:
    """This machine's boot and this process's pid namespace: where a pid names one process."""
    try:
        boot = (PROC / "sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink(PROC / "self/ns/pid")
    except OSError:
        return None
    return f"{socket.gethostname()}/{boot}/{namespace}"


def this_process() -> str | None:
    """An identity of this process, for `is_gone` to judge later; None where /proc cannot tell."""
    space, start = _pid_space(), _start_time(os.getpid())
    if space is None or start is None:
        return None
    return f"{space}|{os.getpid()}|{start}"


def is_gone(identity: str) -> bool:
    """True only when `identity` (from `this_process`) names a process of this pid space that no
    longer runs; a process elsewhere, or an identity not understood, is never judged gone."""
    try:
        space, pid, start = identity.rsplit("|", 2)
        pid_number = int(pid)
    except ValueError:
        return False
    if space != _pid_space():
        return False
    return _start_time(pid_number) != start
