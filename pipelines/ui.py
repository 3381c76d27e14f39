"""`borlange ui` (`make ui`): `dagster dev` on workspace.yaml with DAGSTER_HOME in the repo. Offline
by default: a replay server runs beside it and the code location points at it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
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
        try:
            return subprocess.call(command, cwd=REPO_ROOT, env=env)
        except KeyboardInterrupt:
            return 0
