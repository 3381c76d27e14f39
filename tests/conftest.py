"""Shared fixtures: one offline pipeline run into a temporary warehouse, reused by the
end-to-end tests, and helpers to build isolated settings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.lib import warehouse
from pipelines.lib.warehouse import Store
from tests.helpers import REPO
from tests.helpers.stash_keys import DEMO_WARNINGS

pytest_plugins = ["tests.helpers.postgres_server"]


# The suite runs in two pytest-xdist workers (pyproject's addopts): each parses dbt into a target
# folder of its own (DBT_TARGET_DIR), since two parses writing one manifest.json could tear it.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault(
        "DBT_TARGET_DIR",
        str(REPO / "dbt_project" / "target" / f"pytest-{os.environ['PYTEST_XDIST_WORKER']}"),
    )


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "wh" / "borlange.duckdb", tmp_path / "wh" / "landing")
    warehouse.connect(store.warehouse_path).close()
    return store


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """Point the warehouse, landing zone and Dagster at a temporary directory."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse" / "borlange.duckdb"))
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "warehouse" / "landing"))
    monkeypatch.setenv("INBOX_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("INBOX_SETTLE_SECONDS", "0")  # tests drop complete files and run at once
    monkeypatch.setenv("HTTP_BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("HTTP_MAX_ATTEMPTS", "3")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, pytestconfig):
    """`make demo`'s materialization into a temporary warehouse, once for the whole run: the first
    xdist worker to need it builds it under a file lock, the other waits and reads the same one
    (no test writes into it; tests that change a warehouse copy it). Yields its Settings."""
    from filelock import FileLock

    from pipelines.demo import materialize_all
    from pipelines.settings import Settings

    base = tmp_path_factory.getbasetemp()
    in_a_worker = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    shared = base.parent if in_a_worker else base  # the run's folder, above the workers'
    root = shared / "demo"
    environment = {
        "WAREHOUSE_PATH": str(root / "warehouse" / "borlange.duckdb"),
        "LANDING_DIR": str(root / "warehouse" / "landing"),
        "INBOX_DIR": str(root / "inbox"),  # the demo drops its synthetic energy reports here
        "DBT_TARGET_DIR": str(root / "dbt_target"),  # its manifest is the publish tests' too
        "TRAJECTORY_AS_OF_YEAR": "2026",  # the published figures are as of 2026
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in environment.items():
            mp.setenv(name, value)
        mp.delenv("SMHI_BASE_URL", raising=False)
        mp.delenv("SCB_BASE_URL", raising=False)
        with FileLock(str(shared / "demo.lock")):
            built, failed = root / "warned.json", root / "failed.txt"
            # A failed build fails every test that needs it at once, in both workers: its
            # SystemExit would not be cached by pytest, and each test would build it again.
            if failed.exists():
                raise RuntimeError(failed.read_text(encoding="utf-8"))
            if not built.exists():
                warned: list[str] = []
                try:
                    timings = materialize_all(
                        offline=True, instance=dg.DagsterInstance.ephemeral(), warned=warned
                    )
                except SystemExit as exit_:
                    failed.parent.mkdir(parents=True, exist_ok=True)
                    failed.write_text(f"the demo build failed: {exit_.code}", encoding="utf-8")
                    raise RuntimeError(failed.read_text(encoding="utf-8")) from None
                assert set(timings) >= {"full_run"}
                built.write_text(json.dumps(warned), encoding="utf-8")
            pytestconfig.stash[DEMO_WARNINGS] = json.loads(built.read_text(encoding="utf-8"))
        settings = Settings.from_env()
    return settings


@pytest.fixture(scope="session")
def dbt_manifest(demo_warehouse) -> Path:
    """dbt's manifest, which a publish with downloads requires. A clean clone has none until dbt
    parses; the demo's materialization parsed into this worker's DBT_TARGET_DIR."""
    path = demo_warehouse.dbt.target_dir / "manifest.json"
    assert path.is_file(), path
    return path


@pytest.fixture
def demo_con(demo_warehouse):
    with duckdb.connect(str(demo_warehouse.warehouse.path), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def spark_meter_builds(tmp_path_factory):
    """A small meter lake's meter models built by DuckDB and by a local Spark (local[2]), once for
    the Spark tests (tests/helpers/meter_spark.py). Skips when Java is missing (make test installs
    Debian's openjdk-17-jre-headless)."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no java on PATH: install openjdk-17-jre-headless (make system-packages)")
    from tests.helpers.meter_spark import build_on_both_engines, small_data_conf

    root = tmp_path_factory.mktemp("spark_meters")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPARK_CONF_DIR", str(small_data_conf(root / "spark_conf")))
        return build_on_both_engines(root)
