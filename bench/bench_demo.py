"""Time `make demo`'s materialization (without the install), stage by stage.

Two pipelines run on the same replayed data, each into a fresh warehouse:
- baseline: the plain loads (pipelines/defs/*/loads.py), `dbt build` subprocesses and the trajectory
  computation in the same order as the job, no Dagster;
- dagster:  the demo job through Dagster, exactly as `make demo` runs it.
The report gives each stage's seconds and share, and Dagster's overhead as the difference
and as a ratio to the baseline measured in the same run.

Then the first dbt op (`dbt build --exclude source:trajectory+`) against
its pure-DuckDB floor (bench/dbt_floor.py): the same selection is built by the dbt CLI on a copy
of the dagster run's warehouse, twice (a fresh target folder: full parse; then the same one: the
parse reused), and the SQL it executed is replayed in one DuckDB connection. dbt's overhead is
printed as a ratio to that floor, beside the dagster op's own step time and how it parsed.

The bench's own dbt commands write their target and logs under the temporary folder, never into
dbt_project/target: a partial_parse.msgpack written there for a temporary warehouse would make the
next `make demo` re-parse the whole project in both dbt ops.

    python -m bench.bench_demo [--repeat N] [--no-floor]

The dagster run's definitions load parses the dbt project for the run's settings when the last
parse was made for others (pipelines/defs/transform), so its two dbt ops reuse that parse.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from bench.dbt_floor import FloorResult, replay
from pipelines.defs.consumption import loads as consumption_loads
from pipelines.defs.emissions.loads import load_population, load_smhi_release
from pipelines.defs.energy import loads as energy_loads
from pipelines.defs.energy.scb_energy import load_scb_energy
from pipelines.defs.report.render import write_report
from pipelines.defs.sinks import loads as sink_loads
from pipelines.defs.trajectory.charts import write_charts
from pipelines.defs.trajectory.consumption import (
    consumption_components,
    consumption_trajectories,
    territorial_paces,
)
from pipelines.defs.trajectory.presets import load_presets
from pipelines.defs.trajectory.runs import run_all_presets
from pipelines.defs.trajectory.tables import replace_tables
from pipelines.defs.transform.assets import AFTER_TRAJECTORY
from pipelines.demo import stage_bundled_reports
from pipelines.lib.dbt import dbt_command
from pipelines.lib.warehouse import Store
from pipelines.settings import DBT_PROJECT_DIR, Settings
from replay.offline import start_offline_server
from sources.scb import PxWebClient
from sources.sinks import ScbForestLand
from sources.smhi import SmhiClient


def settings_for(root: Path) -> Settings:
    """The settings of a run into `root` (the environment's, with the paths moved there)."""
    return Settings.from_env(
        {
            **os.environ,
            "WAREHOUSE_PATH": str(root / "borlange.duckdb"),
            "LANDING_DIR": str(root / "landing"),
            "INBOX_DIR": str(root / "inbox"),
            "REPORTS_DIR": str(root / "reports"),
            "SERVING_DIR": str(root / "serving"),
        }
    )


def add_laps(total: dict[str, float], laps: dict[str, float]) -> None:
    for name, seconds in laps.items():
        total[name] = total.get(name, 0.0) + seconds


def baseline_run(offline, root: Path) -> dict[str, float]:
    """The same work without Dagster: every load in-process, dbt as a subprocess, then the polars
    steps, the second dbt build and the report, in the job's order."""
    settings = settings_for(root)
    store = Store(settings.warehouse.path, settings.warehouse.landing_dir)
    kommun = settings.report.kommun
    stages: dict[str, float] = {}
    smhi, scb = SmhiClient(offline.smhi_base_url), PxWebClient(offline.scb_base_url)
    offline.smhi.release = offline.smhi.releases()[0]
    add_laps(stages, load_smhi_release(smhi, store, sub="GGT", table="smhi_emissions_ggt").seconds)
    offline.smhi.release = offline.smhi.releases()[-1]
    add_laps(stages, load_smhi_release(smhi, store, sub="GGT", table="smhi_emissions_ggt").seconds)
    add_laps(stages, load_smhi_release(smhi, store, sub="CO2", table="smhi_emissions_co2").seconds)
    add_laps(stages, load_population(scb, store, first_year=1990).seconds)
    with lap(
        stages, "other sources"
    ):  # energy, sinks, consumption: download, parse and load together
        stage_bundled_reports(settings.inboxes.dir)
        energy_loads.process_drop(settings.inboxes.dir, store)
        load_scb_energy(scb, store, kommun_kod=kommun)
        sink_loads.load_lulucf_national(scb, store)
        sink_loads.load_forest_land(ScbForestLand(scb), scb, store)
        consumption_loads.load_national_consumption(scb, store)
        consumption_loads.load_brp(scb, store)
        consumption_loads.load_sei_households(settings.sources.sei_households_path, store)
    dbt_build(stages, settings, root, "--exclude", AFTER_TRAJECTORY)
    with lap(stages, "trajectory"), duckdb.connect(str(store.warehouse_path)) as con:
        presets = load_presets()
        run = run_all_presets(con, presets, settings.report.trajectory_as_of_year)
        replace_tables(con, {"summary": run.summary, "yearly_paths": run.yearly})
        summary = consumption_trajectories(
            consumption_components(con),
            presets,
            settings.report.trajectory_as_of_year,
            territorial_paces(con),
            settings.tolerances.consumption_pace_pp,
        )
        replace_tables(con, {"consumption_summary": summary})
        write_charts(run, root / "reports", kommun, "Borlänge")
    dbt_build(stages, settings, root, "--select", AFTER_TRAJECTORY)
    with lap(stages, "report"):
        with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
            write_report(con, root / "reports", kommun)
    return stages


@contextlib.contextmanager
def lap(stages: dict[str, float], name: str):
    started = time.perf_counter()
    yield
    stages[name] = stages.get(name, 0.0) + time.perf_counter() - started


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def dbt_build(stages: dict[str, float], settings: Settings, root: Path, *selection: str) -> None:
    # Target and logs under root: the project's target/partial_parse.msgpack stays the one made for
    # the real warehouse (the second build here reuses the first one's parse, as before).
    started = time.perf_counter()
    subprocess.run(
        dbt_command(
            settings,
            [
                "build",
                "--quiet",
                "--target-path",
                str(root / "dbt-target"),
                "--log-path",
                str(root / "dbt-logs"),
                *selection,
            ],
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stages["dbt build"] = stages.get("dbt build", 0.0) + time.perf_counter() - started


FIRST_DBT_OP = "warehouse_dbt_models"


def dagster_run(root: Path) -> dict:
    """`make demo`'s materialization. Its definitions load parses the dbt project for these
    settings (pipelines/defs/transform), so both dbt ops reuse that parse."""
    from pipelines.demo import materialize_all

    instance = dg.DagsterInstance.ephemeral()
    timings = materialize_all(offline=True, instance=instance, settings=settings_for(root))
    timings.update(first_op_in_dagster(instance, DBT_PROJECT_DIR / "target"))
    return timings


def first_op_in_dagster(instance: dg.DagsterInstance, target_path: Path) -> dict:
    """The first dbt op's step time in the full run (Dagster's event log) and how dbt parsed."""
    run = instance.get_runs(limit=1)[0]  # newest: the full run
    events = instance.all_logs(
        run.run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}
    )
    stamps = {e.dagster_event.event_type: e.timestamp for e in events if e.step_key == FIRST_DBT_OP}
    seconds = stamps.get(dg.DagsterEventType.STEP_SUCCESS, 0.0) - stamps.get(
        dg.DagsterEventType.STEP_START, 0.0
    )
    parse = "?"
    for log in sorted(target_path.glob(f"{FIRST_DBT_OP}-{run.run_id[:7]}-*/dbt.log")):
        parse = parse_outcome(log.read_text(encoding="utf-8", errors="replace"))
    return {"first_dbt_op": seconds, "first_dbt_op_parse": parse}


def parse_outcome(dbt_output: str) -> str:
    """'reused' when dbt skipped parsing, else 'full parse: <dbt's reasons>' (text or JSON logs)."""
    reasons = []
    for line in dbt_output.splitlines():
        if "Unable to do partial parsing because" in line:
            reason = line.split("Unable to do partial parsing because", 1)[1].strip()
            reason = reason.split('"', 1)[0].rstrip(". ")  # JSON log lines: up to the end of msg
            if reason and reason not in reasons:
                reasons.append(reason)
    if reasons:
        return "full parse: " + "; ".join(reasons)
    # dbt reports a refused partial parse at info level, the reuse itself only at debug level
    return "reused" if dbt_output.strip() else "?"


@dataclass
class FirstOpFloor:
    cold_wall: float  # dbt CLI, fresh target folder: start-up + full parse + run + artifacts
    cold_parse: str
    warm_wall: float  # the same again: the partial parse reused
    warm_parse: str
    floor: FloorResult  # the warm build's SQL replayed in one DuckDB connection


def first_op_floor(warehouse: Path, work: Path) -> FirstOpFloor:
    """Build the first dbt op's selection with the dbt CLI on a copy of warehouse (cold, then warm),
    then replay the SQL of the warm build on another copy."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / warehouse.name  # same file name: the same database name in the compiled SQL
    target_path = work / "dbt-target"
    settings = Settings.from_env({**os.environ, "WAREHOUSE_PATH": str(copy)})
    env = {k: v for k, v in os.environ.items() if k != "DBT_TARGET_PATH"}
    runs = []
    for _ in range(2):
        shutil.copyfile(warehouse, copy)
        started = time.perf_counter()
        proc = subprocess.run(
            dbt_command(
                settings,
                [
                    "build",
                    "--target-path",
                    str(target_path),
                    "--log-path",
                    str(work / "dbt-logs"),
                    "--exclude",
                    AFTER_TRAJECTORY,
                ],
            ),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wall = time.perf_counter() - started
        if proc.returncode:
            raise RuntimeError(f"dbt build for the floor failed:\n{proc.stdout[-3000:]}")
        runs.append(
            (
                wall,
                parse_outcome(
                    proc.stdout + (work / "dbt-logs" / "dbt.log").read_text(errors="replace")
                ),
            )
        )
        shutil.rmtree(work / "dbt-logs", ignore_errors=True)
    floor = replay(target_path, warehouse, workdir=work, repeat=2)
    return FirstOpFloor(runs[0][0], runs[0][1], runs[1][0], runs[1][1], floor)


def floor_report(first: FirstOpFloor, dagster: list[dict]) -> str:
    f = first.floor
    base = f.total_seconds
    op = statistics.median(run["first_dbt_op"] for run in dagster)
    rows = [
        ("pure-DuckDB floor (same SQL, one connection)", base, "best of 2"),
        ("dbt: sum of node execution_time", f.dbt_execution_seconds, ""),
        ("dbt: run phase (run_results elapsed_time)", f.dbt_elapsed_seconds, ""),
        ("dbt CLI wall, fresh target folder", first.cold_wall, first.cold_parse),
        ("dbt CLI wall, same target folder again", first.warm_wall, first.warm_parse),
        ("dagster op step (full run above)", op, dagster[-1]["first_dbt_op_parse"]),
    ]
    names = {"operation": "hook"}
    counts = ", ".join(
        f"{n} {names.get(k, k)}{'s' if n != 1 else ''}" for k, n in f.count_by_type.items() if n
    )
    lines = [
        f"first dbt op ({FIRST_DBT_OP}: dbt build --exclude {AFTER_TRAJECTORY}): {counts}",
        f"{'':<46}{'seconds':>9}{'x floor':>9}  parse",
    ]
    for name, seconds, parse in rows:
        lines.append(f"{name:<46}{seconds:>9.2f}{seconds / base:>8.1f}x  {parse}")
    per_type = ", ".join(
        f"{k} {f.seconds_by_type[k]:.2f} s vs {f.dbt_execution_by_type[k]:.2f} s"
        for k in ("seed", "model", "test")
        if f.count_by_type[k]
    )
    lines.append(f"floor vs dbt execution_time by type: {per_type}")
    if f.mismatches:
        lines.append("tests where the floor disagrees with dbt: " + "; ".join(f.mismatches))
    lines.append(
        f"dbt overhead, first dbt op: dagster op {op / base:.1f}x, dbt CLI "
        f"{first.warm_wall / base:.1f}x (parse reused) / {first.cold_wall / base:.1f}x (full "
        "parse) the floor"
    )
    return "\n".join(lines)


def report(baseline: list[dict[str, float]], dagster: list[dict[str, float]]) -> str:
    median = {k: statistics.median(run[k] for run in baseline) for k in baseline[0]}
    base_total = sum(median.values())
    dag_total = statistics.median(run["previous_release_run"] + run["full_run"] for run in dagster)
    load_defs = statistics.median(run["load_definitions"] for run in dagster)
    overhead = dag_total - base_total
    lines = [
        f"make demo materialization, median of {len(dagster)} run(s), same replayed data",
        f"{'stage':<28}{'seconds':>9}{'share of dagster run':>22}",
    ]
    for stage in (
        "download",
        "parse",
        "load",
        "other sources",
        "dbt build",
        "trajectory",
        "report",
    ):
        # trajectory includes its charts and the consumption trajectory
        lines.append(
            f"{stage:<28}{median.get(stage, 0.0):>9.2f}{median.get(stage, 0.0) / dag_total:>21.1%}"
        )
    lines.append(f"{'dagster overhead':<28}{overhead:>9.2f}{overhead / dag_total:>21.1%}")
    lines.append(f"{'total (dagster run)':<28}{dag_total:>9.2f}{1:>21.1%}")
    lines.append(f"definitions load (before the runs, not in the total): {load_defs:.2f} s")
    lines.append(
        f"ratio dagster run / baseline (plain loads + dbt CLI): {dag_total / base_total:.2f}x"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-floor", action="store_true", help="skip the first dbt op's floor")
    args = parser.parse_args(argv)
    baseline, dagster = [], []
    first = None
    for i in range(args.repeat):
        with start_offline_server() as offline, tempfile.TemporaryDirectory() as tmp:
            baseline.append(baseline_run(offline, Path(tmp) / "baseline"))
        with tempfile.TemporaryDirectory() as tmp:
            dagster.append(dagster_run(Path(tmp) / "dagster"))
            if not args.no_floor and i == args.repeat - 1:
                first = first_op_floor(
                    Path(tmp) / "dagster" / "borlange.duckdb", Path(tmp) / "floor"
                )
    print(report(baseline, dagster))
    if first is not None:
        print()
        print(floor_report(first, dagster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
