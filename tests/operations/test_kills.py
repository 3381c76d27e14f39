"""Runs killed with SIGKILL (issue 21, items 1 and 2): dbt dies with the process that started it and
the DuckDB file opens for writing at once; a run killed while it holds the `duckdb_warehouse` pool
slot does not hold it for ever, and the next run completes without a person's help."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.settings import DUCKDB_POOL, REPO_ROOT
from tests.helpers import alive, children, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")

# A query DuckDB cannot shortcut: it runs for hours, holding the write lock dbt-duckdb took.
ENDLESS_QUERY = "select sum(hash(range)) as s from range(10000000000000::bigint)"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except FileNotFoundError:
        return ""


def holds_write_lock(pid: int, path: Path) -> bool:
    """True when `pid` holds DuckDB's write lock on `path`, read from /proc/locks: trying to open
    the file would take the lock ourselves and could stop dbt opening it."""
    if not path.exists():
        return False
    inode = path.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "WRITE" in fields and str(pid) in fields:
            if int(fields[fields.index(str(pid)) + 1].rsplit(":", 1)[1]) == inode:
                return True
    return False


@pytest.fixture
def env(tmp_path):
    environment = {
        **os.environ,
        "WAREHOUSE_PATH": str(tmp_path / "warehouse" / "borlange.duckdb"),
        "LANDING_DIR": str(tmp_path / "warehouse" / "landing"),
        "INBOX_DIR": str(tmp_path / "inbox"),
        "INBOX_SETTLE_SECONDS": "0",
        "DBT_TARGET_DIR": str(tmp_path / "dbt_target"),
    }
    environment.pop("DAGSTER_HOME", None)
    (tmp_path / "warehouse").mkdir()
    return environment


DBT_PARENT = f"""
from pipelines.defs.transform.assets import dbt_project_for, dbt_resource, prepare_manifest
from pipelines.lib.dbt import vars_argument
from pipelines.settings import Settings

settings = Settings.from_env()
project = dbt_project_for(settings)
prepare_manifest(settings, project)
invocation = dbt_resource(settings, project).cli(
    ["show", "--inline", {ENDLESS_QUERY!r}, *vars_argument(settings)]
)
print("dbt", invocation.process.pid, flush=True)
invocation.wait()
"""


def test_dbt_dies_with_its_killed_parent_and_the_warehouse_opens_for_writing(env):
    warehouse = Path(env["WAREHOUSE_PATH"])
    parent = subprocess.Popen(
        [sys.executable, "-c", DBT_PARENT],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = parent.stdout.readline()
        assert line.startswith("dbt "), f"the parent never started dbt (exit {parent.poll()})"
        dbt = int(line.split()[1])
        assert dbt in children(parent.pid)
        # the wrapper execs the real dbt in its place (on a loaded machine, give it a moment)
        wait_until(lambda: "dbt_bound" not in cmdline(dbt), 30, "the wrapper to exec dbt")
        wait_until(
            lambda: holds_write_lock(dbt, warehouse), 120, "dbt to hold the DuckDB write lock"
        )

        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        wait_until(lambda: not alive(dbt), 10, f"dbt (pid {dbt}) to die with its parent")
        # A killed process's main thread can be a zombie while its DuckDB threads are still being
        # torn down (on a loaded machine, for a moment): the lock goes with the last of them.
        wait_until(lambda: not holds_write_lock(dbt, warehouse), 30, "dbt's lock to go with it")
    finally:
        if parent.poll() is None:
            parent.kill()
    with duckdb.connect(str(warehouse)) as con:  # for writing: the lock went with dbt
        con.execute("create table written_after_the_kill as select 1 as one")
        assert con.execute("select one from written_after_the_kill").fetchone() == (1,)


# ---------------------------------------------------------------- a killed run's pool slot

SEED = "reference/energy_networks"  # a dbt step in the pool, whose tests read only itself


def materialize(env: dict, select: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster")), "asset", "materialize"]
        + ["-m", "pipelines.definitions", "--select", select],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def instance_env(env, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / ".dagster_home" / "dagster.yaml").read_text())
    return {**env, "DAGSTER_HOME": str(home)}


def test_a_run_killed_in_the_pool_frees_its_slot_and_the_next_run_completes(instance_env):
    killed = materialize(instance_env, SEED)
    with dg.DagsterInstance.from_config(instance_env["DAGSTER_HOME"]) as instance:
        storage = instance.event_log_storage

        def holder():
            slots = storage.get_concurrency_info(DUCKDB_POOL).claimed_slots
            return slots[0].run_id if slots else None

        try:
            dead = wait_until(holder, 300, "the run to take the duckdb_warehouse slot")
            dbt = wait_until(
                lambda: [c for c in children(killed.pid) if "dbt" in cmdline(c)],
                120,
                "the step to start dbt",
            )[0]
            killed.send_signal(signal.SIGKILL)
            killed.wait(timeout=30)
        finally:
            if killed.poll() is None:
                killed.kill()
        # What issue 21 saw: nobody is left to end the run or free its slot.
        assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.STARTED
        assert holder() == dead
        wait_until(lambda: not alive(dbt), 10, "dbt to die with the killed run")

        following = materialize(instance_env, SEED)
        _, stderr = following.communicate(timeout=600)
        assert following.returncode == 0, stderr[-3000:]

        assert storage.get_concurrency_info(DUCKDB_POOL).claimed_slots == []
        assert dead not in storage.get_concurrency_run_ids()
        dead_run = instance.get_run_by_id(dead)
        assert dead_run.status == dg.DagsterRunStatus.FAILURE
        (next_run,) = [
            r
            for r in instance.get_runs()
            if r.run_id != dead and r.status == dg.DagsterRunStatus.SUCCESS
        ]
        logged = [e.message for e in instance.all_logs(next_run.run_id)]
        assert f"freed the pool slots of run {dead} (STARTED): its run worker is gone" in logged
        assert instance.get_latest_materialization_event(dg.AssetKey.from_user_string(SEED))


# ---------------------------------------------------------------- judging a run worker


def test_a_worker_is_gone_only_when_its_process_of_this_pid_space_has_ended():
    from pipelines.lib import processes

    me = processes.this_process()
    assert me is not None and not processes.is_gone(me)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    space, _, start = me.rsplit("|", 2)
    assert processes.is_gone(f"{space}|{child.pid}|{start}")  # ended (its pid may be reused)
    assert processes.is_gone(f"{space}|{os.getpid()}|{int(start) + 1}")  # another process, same pid
    elsewhere = f"other-host/boot/pid:[1]|{child.pid}|{start}"
    assert not processes.is_gone(elsewhere)  # not ours to judge
    assert not processes.is_gone("not an identity")
