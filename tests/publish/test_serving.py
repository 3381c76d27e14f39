"""Serving the warehouse to readers: the serving copy and Parquet, consistent under concurrent
reads, untouched by failed checks and by a build killed with SIGKILL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.lib import downloads, publish
from pipelines.settings import REPO_ROOT, Settings


def serving_build(serving_dir: Path) -> str:
    with duckdb.connect(str(serving_dir / publish.SERVING_FILE), read_only=True) as con:
        return con.execute("select build_id from marts._manifest").fetchall()[0][0]


def copy_warehouse(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    return target


def test_publish_writes_the_serving_copy_and_parquet_with_a_manifest(
    demo_warehouse, dbt_manifest, tmp_path
):
    published = publish.publish(
        demo_warehouse.warehouse.path, tmp_path / "serving", dbt_manifest=dbt_manifest
    )
    manifest = json.loads(
        (tmp_path / "serving" / "parquet" / "current" / "_manifest.json").read_text()
    )
    assert manifest["build_id"] == published.build_id == serving_build(tmp_path / "serving")
    tables = {t["table"]: t for t in manifest["tables"]}
    assert {
        "fct_emissions",
        "emissions_per_capita",
        "dim_kommun",
        "trajectory",
        "fct_carbon_budget",
    } <= set(tables)
    assert tables["fct_emissions"]["vintage"] == "2026-06-25"
    assert manifest["git_revision"] and manifest["built_at"]
    parquet = pl.read_parquet(
        tmp_path / "serving" / "parquet" / "current" / "fct_emissions.parquet"
    )
    assert parquet.height == tables["fct_emissions"]["rows"]
    borlange_2024 = parquet.filter(
        (pl.col("kommun_kod") == "2081") & (pl.col("year") == 2024) & (pl.col("gas") == "CO2e")
    )["tonnes"].sum()
    assert borlange_2024 == pytest.approx(423_796, abs=1)
    with duckdb.connect(str(published.serving_file), read_only=True) as con:
        schemas = {
            s
            for (s,) in con.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
    assert schemas == {"marts"}  # marts and dimensions only, no raw or staging


def test_concurrent_readers_always_see_one_consistent_build(demo_warehouse, tmp_path):
    """A reader process queries the serving copy in a loop while 10 builds are published,
    alternating two different warehouses: no error, and every read matches its manifest."""
    build_a = demo_warehouse.warehouse.path
    build_b = copy_warehouse(build_a, tmp_path / "b" / "borlange.duckdb")
    with duckdb.connect(str(build_b)) as con:
        con.execute("delete from marts.fct_emissions where year = 1990")
    serving = tmp_path / "serving"
    publish.publish(
        build_a, serving, with_downloads=False
    )  # the DuckDB copy is this test's subject
    stop, result = tmp_path / "stop", tmp_path / "reads.json"
    reader = subprocess.Popen(
        [
            sys.executable,
            str(REPO_ROOT / "tests" / "helpers" / "serving_reader.py"),
            str(serving / publish.SERVING_FILE),
            str(stop),
            str(result),
        ]
    )
    try:
        time.sleep(0.5)
        for i in range(10):
            publish.publish(build_a if i % 2 else build_b, serving, with_downloads=False)
            time.sleep(0.2)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    reads = json.loads(result.read_text())
    assert reads["errors"] == []
    assert reads["reads"] >= 10 and len(set(reads["builds"])) >= 3


def everything_but_downloads() -> list[dg.AssetKey]:
    """warehouse_refresh's assets less the raw ones (the meter month partitions are in their own
    job)."""
    from pipelines.definitions import build_definitions

    job = build_definitions().resolve_job_def("warehouse_refresh")
    return [k for k in job.asset_layer.executable_asset_keys if k.path[0] != "raw"]


def run_job(selection=None) -> dg.ExecuteInProcessResult:
    from pipelines.definitions import build_definitions

    return (
        build_definitions()
        .resolve_job_def("warehouse_refresh")
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), asset_selection=selection, raise_on_error=False
        )
    )


@pytest.fixture
def own_warehouse(demo_warehouse, dbt_manifest, isolated_env, monkeypatch):
    """A copy of the demo warehouse with its own serving folder, already published once."""
    settings = Settings.from_env()
    copy_warehouse(demo_warehouse.warehouse.path, settings.warehouse.path)
    monkeypatch.setenv("SERVING_DIR", str(isolated_env / "serving"))
    monkeypatch.setenv("TRAJECTORY_AS_OF_YEAR", "2026")
    publish.publish(settings.warehouse.path, isolated_env / "serving", dbt_manifest=dbt_manifest)
    return Settings.from_env()


def test_failed_checks_publish_nothing(own_warehouse):
    before = serving_build(own_warehouse.serving.dir)
    with duckdb.connect(
        str(own_warehouse.warehouse.path)
    ) as con:  # a negative emission breaks a blocking test
        con.execute(
            "update raw.smhi_emissions_ggt set tonnes = -1 where kommun_kod = '2081' and year = "
            "2024 and huvudsektor_raw = 'Jordbruk'"
        )
    result = run_job(everything_but_downloads())
    assert not result.success
    assert serving_build(own_warehouse.serving.dir) == before
    published = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["serving", "published_marts"])
    ]
    assert published == []


def test_a_build_killed_in_dbt_keeps_the_serving_copy_and_the_next_run_completes(own_warehouse):
    before = serving_build(own_warehouse.serving.dir)
    env = {**os.environ, "DAGSTER_HOME": ""}
    job = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "demo"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not dbt_is_building(job.pid):
            assert job.poll() is None, "the job ended before dbt started"
            time.sleep(0.2)
        assert dbt_is_building(job.pid), "dbt never started"
        time.sleep(1.0)  # well inside the dbt step
        os.killpg(job.pid, signal.SIGKILL)
        job.wait(timeout=30)
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
    assert serving_build(own_warehouse.serving.dir) == before
    result = run_job(
        everything_but_downloads()
    )  # the next run (no network here: the raw tables are loaded)
    assert result.success
    assert serving_build(own_warehouse.serving.dir) != before


def dbt_is_building(session: int) -> bool:
    """A `dbt build` in the job's own process group (another test may be running one too)."""
    found = subprocess.run(
        ["pgrep", "-g", str(session), "-f", "dbt build"], capture_output=True, text=True
    )
    return bool(found.stdout.strip())


@pytest.mark.skipif(
    os.environ.get("FULL_CONCURRENCY") != "1",
    reason="10 full builds take ~6 min: run with FULL_CONCURRENCY=1 (the default suite publishes "
    "10 builds)",
)
def test_readers_during_ten_full_builds(own_warehouse, tmp_path):
    """The issue's version: a reader loops on the serving copy while the whole job (less the
    downloads, which need the network) runs 10 times."""
    stop, result = tmp_path / "stop", tmp_path / "reads.json"
    reader = subprocess.Popen(
        [
            sys.executable,
            str(REPO_ROOT / "tests" / "helpers" / "serving_reader.py"),
            str(own_warehouse.serving.dir / publish.SERVING_FILE),
            str(stop),
            str(result),
            "900",
        ]
    )
    try:
        for _ in range(10):
            assert run_job(everything_but_downloads()).success
    finally:
        stop.touch()
        reader.wait(timeout=60)
    reads = json.loads(result.read_text())
    assert reads["errors"] == [] and len(set(reads["builds"])) >= 10


# ---------------------------------------------------------------- crash safety of the swap
# A small warehouse of its own (two marts, one with an awkward name), so that every step of a
# publish can be crashed in turn without the demo's build.

STEPS = [
    "parquet_written",
    "downloads_written",
    "duckdb_written",
    "build_renamed",
    "current_switched",
]


def warehouse_of_rows(path: Path, rows: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_emissions as select range as year, "
            "range * 1.5 as tonnes, date '2026-06-25' as vintage from range(?)",
            [rows],
        )
        con.execute(
            'create or replace table marts."dim ""odd"" name" as select \'it\'\'s\' as label'
        )
    return path


def channels(serving: Path) -> tuple[str, str, int, int]:
    """(build id of the DuckDB copy, build id of parquet/current, rows of fct_emissions in each)."""
    with duckdb.connect(str(serving / publish.SERVING_FILE), read_only=True) as con:
        duck_build = con.execute("select build_id from marts._manifest").fetchall()[0][0]
        duck_rows = con.execute("select count(*) from marts.fct_emissions").fetchall()[0][0]
    current = (serving / "parquet" / "current").resolve()  # resolved once: one build's folder
    parquet_build = json.loads((current / "_manifest.json").read_text())["build_id"]
    parquet_rows = pl.read_parquet(current / "fct_emissions.parquet").height
    return duck_build, parquet_build, duck_rows, parquet_rows


def leftovers(serving: Path) -> list[str]:
    return sorted(
        str(p.relative_to(serving))
        for folder in (serving, serving / "builds", serving / "parquet")
        if folder.is_dir()
        for p in folder.glob(".*.tmp")
    )


class Crash(Exception):
    pass


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_leaves_both_channels_on_one_build(
    tmp_path, monkeypatch, step, dbt_manifest
):
    """Crash after each step of a publish (between the build's rename and the `current` switch is
    build_renamed): readers of the DuckDB copy and of the Parquet files see the same build, the
    old one until the switch and the new one after it, and the next publish heals."""
    serving = tmp_path / "serving"
    old = publish.publish(
        warehouse_of_rows(tmp_path / "a.duckdb", 10),
        serving,
        build_id="20260101T000000000000Z-a",
        dbt_manifest=dbt_manifest,
    )
    assert channels(serving) == (old.build_id, old.build_id, 10, 10)

    def crash(at):
        if at == step:
            raise Crash(at)

    monkeypatch.setattr(publish, "crash_point", crash)
    with pytest.raises(Crash):
        publish.publish(
            warehouse_of_rows(tmp_path / "b.duckdb", 20),
            serving,
            build_id="20260102T000000000000Z-b",
            dbt_manifest=dbt_manifest,
        )
    expected = (
        ("20260102T000000000000Z-b", 20) if step == "current_switched" else (old.build_id, 10)
    )
    assert channels(serving) == (expected[0], expected[0], expected[1], expected[1])
    assert leftovers(serving) == (
        ["builds/.20260102T000000000000Z-b.tmp"]
        if step in ("parquet_written", "downloads_written", "duckdb_written")
        else []
    )

    monkeypatch.setattr(publish, "crash_point", lambda _at: None)
    healed = publish.publish(
        warehouse_of_rows(tmp_path / "c.duckdb", 30),
        serving,
        build_id="20260103T000000000000Z-c",
        dbt_manifest=dbt_manifest,
    )
    assert channels(serving) == (healed.build_id, healed.build_id, 30, 30)
    assert leftovers(serving) == []


KILL_AT_STEP = """
import os, signal, sys
from pathlib import Path
from pipelines.lib import publish
step = sys.argv[3]
publish.crash_point = lambda at: os.kill(os.getpid(), signal.SIGKILL) if at == step else None
publish.publish(Path(sys.argv[1]), Path(sys.argv[2]), build_id="20260102T000000000000Z-killed",
    dbt_manifest=Path(sys.argv[4]))
"""


@pytest.mark.parametrize("step", ["duckdb_written", "build_renamed"])
def test_a_publish_killed_between_the_swaps_leaves_one_build(tmp_path, step, dbt_manifest):
    """SIGKILL (no cleanup runs) once both channels are written but before `current` moves: both
    stay on the previous build; the next publish sweeps what the killed one left."""
    serving = tmp_path / "serving"
    old = publish.publish(
        warehouse_of_rows(tmp_path / "a.duckdb", 10),
        serving,
        build_id="20260101T000000000000Z-a",
        dbt_manifest=dbt_manifest,
    )
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILL_AT_STEP,
            str(warehouse_of_rows(tmp_path / "b.duckdb", 20)),
            str(serving),
            step,
            str(dbt_manifest),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert channels(serving) == (old.build_id, old.build_id, 10, 10)
    if step == "build_renamed":  # complete on disk, never switched to
        assert (
            serving / "builds" / "20260102T000000000000Z-killed" / publish.SERVING_FILE
        ).is_file()
    else:
        assert leftovers(serving) == ["builds/.20260102T000000000000Z-killed.tmp"]
    (serving / ".current.tmp").symlink_to(
        "builds/nowhere"
    )  # as a crash inside switch_link leaves it
    healed = publish.publish(
        warehouse_of_rows(tmp_path / "c.duckdb", 30), serving, dbt_manifest=dbt_manifest
    )
    assert channels(serving) == (healed.build_id, healed.build_id, 30, 30)
    assert leftovers(serving) == []


def test_every_rename_is_followed_by_an_fsync_of_its_folder(tmp_path, monkeypatch, dbt_manifest):
    events: list[tuple[str, str]] = []
    real_replace, real_fsync_dir = os.replace, publish.fsync_dir
    monkeypatch.setattr(
        publish.os,
        "replace",
        lambda src, dst: (real_replace(src, dst), events.append(("rename", str(Path(dst).parent))))[
            0
        ],
    )
    monkeypatch.setattr(
        publish,
        "fsync_dir",
        lambda path: (real_fsync_dir(path), events.append(("fsync", str(path))))[0],
    )
    publish.publish(
        warehouse_of_rows(tmp_path / "a.duckdb", 10),
        tmp_path / "serving",
        dbt_manifest=dbt_manifest,
    )
    renames = [i for i, (kind, _) in enumerate(events) if kind == "rename"]
    assert len(renames) == 4  # the build folder, `current`, and the two reader links (made once)
    for i in renames:
        assert events[i + 1] == ("fsync", events[i][1])


def test_names_and_paths_in_the_publish_sql_are_quoted(tmp_path, dbt_manifest):
    serving = tmp_path / 'it\'s a "serving" dir'
    published = publish.publish(
        warehouse_of_rows(tmp_path / "a.duckdb", 3),
        serving,
        storage_version="v1.0.0",
        dbt_manifest=dbt_manifest,
    )
    with duckdb.connect(str(published.serving_file), read_only=True) as con:
        assert con.execute('select label from marts."dim ""odd"" name"').fetchall() == [("it's",)]
    assert pl.read_parquet(published.parquet_dir / 'dim "odd" name.parquet')["label"].to_list() == [
        "it's"
    ]
    with pytest.raises(ValueError, match="storage_version"):
        publish.publish(
            tmp_path / "a.duckdb",
            serving,
            storage_version="v1.0.0') ; drop schema marts; --",
            dbt_manifest=dbt_manifest,
        )
    assert channels(serving)[:2] == (published.build_id, published.build_id)


def test_a_publish_without_dbts_manifest_is_refused_before_anything_is_staged(
    tmp_path, dbt_manifest
):
    """Which marts are dbt's and open data comes from the manifest: without it a publish would
    serve an empty download set and look like a success (a clean clone has no manifest until
    dbt parses). It is refused, naming the file, and the serving folder stays on its build."""
    serving = tmp_path / "serving"
    old = publish.publish(
        warehouse_of_rows(tmp_path / "a.duckdb", 10), serving, dbt_manifest=dbt_manifest
    )
    assert (
        json.loads((old.downloads_dir / downloads.DATAPACKAGE).read_text())["resources"][0]["name"]
        == "fct_emissions"
    )
    missing = tmp_path / "target" / "manifest.json"
    with pytest.raises(downloads.ManifestMissing, match=re.escape(str(missing))):
        publish.publish(warehouse_of_rows(tmp_path / "b.duckdb", 20), serving, dbt_manifest=missing)
    with pytest.raises(downloads.ManifestMissing, match="dbt_manifest"):
        publish.publish(warehouse_of_rows(tmp_path / "b.duckdb", 20), serving)
    assert channels(serving) == (old.build_id, old.build_id, 10, 10)
    assert sorted(p.name for p in (serving / "builds").iterdir()) == [old.build_id]
    assert leftovers(serving) == []


def test_builds_are_pruned_to_the_newest_three(tmp_path, dbt_manifest):
    warehouse, serving = warehouse_of_rows(tmp_path / "a.duckdb", 5), tmp_path / "serving"
    ids = [
        publish.publish(
            warehouse, serving, build_id=f"2026010{i}T000000000000Z", dbt_manifest=dbt_manifest
        ).build_id
        for i in range(1, 6)
    ]
    assert sorted(p.name for p in (serving / "builds").iterdir()) == ids[-3:]
    assert os.readlink(serving / "current") == f"builds/{ids[-1]}"
