#!/usr/bin/env python3
"""dbt, bound to the process that starts it: the dbt resource (pipelines/defs/transform/assets.py)
runs this script as its dbt executable. It asks Linux to SIGKILL it when its parent dies
(prctl PR_SET_PDEATHSIG), then replaces itself with the real dbt, which keeps that request. So a
dbt build never outlives its run when the run is killed with SIGKILL, and the DuckDB write lock goes
with it (DuckDB rolls the unfinished transaction back on the next open).

The resource hands over the real dbt and its own pid through the environment (DBT_BOUND_EXECUTABLE,
DBT_BOUND_PARENT): when the parent died before the request took hold, this exits instead of
starting an orphan. Only the standard library: any python3 on PATH runs it. Elsewhere than Linux
dbt starts unbound.
"""

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
EXECUTABLE = "DBT_BOUND_EXECUTABLE"
PARENT = "DBT_BOUND_PARENT"
ORPHANED = 137  # as if the kill had reached us too
SCRIPT = Path(__file__).resolve()


@contextlib.contextmanager
def bound_environment(dbt_executable: str) -> Iterator[None]:
    """While dbt is started: the environment this script reads, naming the real dbt and this
    process as the parent dbt dies with."""
    saved = {name: os.environ.get(name) for name in (EXECUTABLE, PARENT)}
    os.environ.update({EXECUTABLE: dbt_executable, PARENT: str(os.getpid())})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        sys.exit(ORPHANED)


def main() -> None:
    die_with_parent(int(os.environ[PARENT]))
    dbt = os.environ[EXECUTABLE]
    os.execv(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()
