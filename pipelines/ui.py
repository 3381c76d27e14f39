"""`borlange ui` (`make ui`): `dagster dev` on workspace.yaml with DAGSTER_HOME in the repo.
Offline by default: a replay server runs beside it and the code location points at it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.settings import REPO_ROOT


def ensure_instance_config(home: Path) -> None:
    """A DAGSTER_HOME without a dagster.yaml gets the repo's: without its pool limit of 1, two
    warehouse writers run at once and the second fails on DuckDB's file lock."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(
            (REPO_ROOT / ".dagster_home" / "dagster.yaml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )


def main(*, live: bool = False, port: str = "3000") -> int:
    env = dict(os.environ)
    env.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))
    ensure_instance_config(Path(env["DAGSTER_HOME"]))
    with contextlib.ExitStack() as stack:
        if not live:
            from replay.offline import start_offline_server

            offline = stack.enter_context(start_offline_server())
            env.update(offline.environment())
            print(f"offline: replay server at {offline.server.url}", flush=True)
        dagster = Path(sys.executable).with_name("dagster")
        command = [
            str(dagster),
            "dev",
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            port,
        ]
        return run_until_signalled(command, env=env, cwd=REPO_ROOT)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_until_signalled(
    command: list[str], *, env: dict[str, str], cwd: Path, grace_s: float = 20.0
) -> int:
    """Run `command` in a process group of its own until it ends or we get SIGTERM or SIGINT.

    `dagster dev` starts the webserver, the daemon and a code server; when its parent died of
    SIGTERM they all ran on. Here a stop signal is passed on to `dagster dev` (which shuts its
    children down in order), and whatever of the group is still alive after `grace_s` is killed,
    so nothing outlives `borlange ui`. The group is also swept after a normal exit."""
    child = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    stopping: list[int] = []

    def stop(signum, _frame):
        stopping.append(signum)
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    deadline = None
    try:
        while True:  # short waits: a signal handler runs between them
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopping and deadline is None:
                    deadline = time.monotonic() + grace_s
                elif deadline is not None and time.monotonic() > deadline:
                    kill_group(child.pid)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        kill_group(child.pid)
    return 0 if stopping else code


def kill_group(pgid: int) -> None:
    """SIGKILL every process left in the group (a daemon or code server that did not stop)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
