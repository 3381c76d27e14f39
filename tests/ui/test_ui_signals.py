"""`borlange ui` stops everything it started on SIGTERM and SIGINT (issue 22): the stop is passed
on to `dagster dev`, and what is left of its process group after the grace period is killed. Here
with a stand-in for `dagster dev` that starts a grandchild, obeying the signal or ignoring it; the
real `borlange ui` is stopped the same way at the end of tests/ui/test_ui.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO

STAND_IN = """
import signal, subprocess, sys, time
if sys.argv[2] == "ignores":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
grandchild = subprocess.Popen(["sleep", "300"])
open(sys.argv[1], "w").write(f"{grandchild.pid}")
while True:
    time.sleep(0.2)
"""

LAUNCHER = """
import sys
from pathlib import Path
from pipelines.ui import run_until_signalled
command = [sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]]
sys.exit(run_until_signalled(command, env=None, cwd=Path.cwd(), grace_s=1.0))
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("behaviour", ["obeys", "ignores"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_leaves_no_process_behind(tmp_path, signum, behaviour):
    pid_file = tmp_path / "grandchild.pid"
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, STAND_IN, str(pid_file), behaviour],
        cwd=REPO,
        start_new_session=True,
    )
    try:
        grandchild = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 30, "start"))
        assert alive(grandchild)
        launcher.send_signal(signum)
        assert launcher.wait(timeout=30) == 0
        wait_for(lambda: not alive(grandchild), 10, "the grandchild to be gone")
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)


def test_a_child_that_ends_by_itself_gives_its_exit_code(tmp_path):
    from pipelines.ui import run_until_signalled

    command = [sys.executable, "-c", "import sys; sys.exit(3)"]
    assert run_until_signalled(command, env=dict(os.environ), cwd=tmp_path) == 3
