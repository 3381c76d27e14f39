"""Time `make demo`'s materialization (without the install), stage by stage.

Two pipelines run on the same replayed data, each into a fresh warehouse:
- baseline: the plain loads (pipelines/loads.py), `dbt build` subprocesses and the trajectory
  computation in the same order as the job, no Dagster;
- dagster:  the demo job through Dagster, exactly as `make demo` runs it.
The report gives each stage's seconds and share, and Dagster's overhead as the difference
and as a ratio to the baseline measured in the same run.

    python -m bench.bench_demo [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.consumption import loads as consumption_loads
from pipelines.defs.energy import loads as energy_loads
from pipelines.defs.sinks import loads as sink_loads
from pipelines.defs.trajectory.assets import BORLANGE, publish, run_all_presets, write_charts
from pipelines.defs.trajectory.consumption_assets import consumption_components, territorial_paces
from pipelines.defs.trajectory.consumption_assets import publish as publish_consumption
from pipelines.defs.report.render import write_report
from pipelines.defs.trajectory.consumption import consumption_trajectories
from pipelines.defs.emissions.loads import load_population, load_smhi_release
from pipelines.lib.warehouse import Store
from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.defs.trajectory.presets import load_presets
from pipelines.defs.transform.assets import AFTER_TRAJECTORY
from replay.offline import start_offline_server
from sources.scb import PxWebClient
from sources.sinks import ScbForestLand
from sources.smhi import SmhiClient


def set_warehouse_env(root: Path) -> Store:
    os.environ["WAREHOUSE_PATH"] = str(root / "borlange.duckdb")
    os.environ["LANDING_DIR"] = str(root / "landing")
    os.environ["INBOX_DIR"] = str(root / "inbox")
    os.environ["REPORTS_DIR"] = str(root / "reports")
    return Store(root / "borlange.duckdb", root / "landing")


def add_laps(total: dict[str, float], laps: dict[str, float]) -> None:
    for name, seconds in laps.items():
        total[name] = total.get(name, 0.0) + seconds


def baseline_run(offline, root: Path) -> dict[str, float]:
    """The same work without Dagster: every load in-process, dbt as a subprocess, then the polars
    steps, the second dbt build and the report, in the job's order."""
    store = set_warehouse_env(root)
    settings = Settings.from_env()
    stages: dict[str, float] = {}
    smhi, scb = SmhiClient(offline.smhi_base_url), PxWebClient(offline.scb_base_url)
    offline.smhi.release = offline.smhi.releases()[0]
    add_laps(stages, load_smhi_release(smhi, store, sub="GGT", table="smhi_emissions_ggt").seconds)
    offline.smhi.release = offline.smhi.releases()[-1]
    add_laps(stages, load_smhi_release(smhi, store, sub="GGT", table="smhi_emissions_ggt").seconds)
    add_laps(stages, load_smhi_release(smhi, store, sub="CO2", table="smhi_emissions_co2").seconds)
    add_laps(stages, load_population(scb, store, first_year=1990).seconds)
    with lap(stages, "other sources"):   # energy, sinks, consumption: download, parse and load together
        energy_loads.stage_bundled_reports(settings.inbox_dir)
        energy_loads.process_drop(settings.inbox_dir, store)
        energy_loads.load_scb_energy(scb, store, kommun_kod=BORLANGE)
        sink_loads.load_lulucf_national(scb, store)
        sink_loads.load_forest_land(ScbForestLand(scb), scb, store)
        consumption_loads.load_national_consumption(scb, store)
        consumption_loads.load_brp(scb, store)
        consumption_loads.load_sei_households(settings.sei_households_path, store)
    dbt_build(stages, "--exclude", AFTER_TRAJECTORY)
    with lap(stages, "trajectory"), duckdb.connect(str(store.warehouse_path)) as con:
        presets = load_presets()
        run = run_all_presets(con, presets, settings.trajectory_as_of_year)
        publish(con, run)
        summary = consumption_trajectories(
            consumption_components(con), presets, settings.trajectory_as_of_year, territorial_paces(con),
            settings.consumption_pace_tolerance_pp)
        publish_consumption(con, summary)
        write_charts(run, root / "reports", BORLANGE, "Borlänge")
    dbt_build(stages, "--select", AFTER_TRAJECTORY)
    with lap(stages, "report"):
        write_report(store.warehouse_path, root / "reports")
    return stages


@contextlib.contextmanager
def lap(stages: dict[str, float], name: str):
    started = time.perf_counter()
    yield
    stages[name] = stages.get(name, 0.0) + time.perf_counter() - started


def dbt_build(stages: dict[str, float], *selection: str) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    started = time.perf_counter()
    subprocess.run([str(dbt), "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                    "--profiles-dir", str(DBT_PROJECT_DIR), *selection], check=True, env=dict(os.environ),
                   stdout=subprocess.DEVNULL)
    stages["dbt build"] = stages.get("dbt build", 0.0) + time.perf_counter() - started


def dagster_run(root: Path) -> dict[str, float]:
    from pipelines.demo import materialize_all
    set_warehouse_env(root)
    return materialize_all(offline=True, instance=dg.DagsterInstance.ephemeral())


def report(baseline: list[dict[str, float]], dagster: list[dict[str, float]]) -> str:
    median = {k: statistics.median(run[k] for run in baseline) for k in baseline[0]}
    base_total = sum(median.values())
    dag_total = statistics.median(run["previous_release_run"] + run["full_run"] for run in dagster)
    load_defs = statistics.median(run["load_definitions"] for run in dagster)
    overhead = dag_total - base_total
    lines = [f"make demo materialization, median of {len(dagster)} run(s), same replayed data",
             f"{'stage':<28}{'seconds':>9}{'share of dagster run':>22}"]
    for stage in ("download", "parse", "load", "other sources", "dbt build", "trajectory", "report"):
        # trajectory includes its charts and the consumption trajectory
        lines.append(f"{stage:<28}{median.get(stage, 0.0):>9.2f}{median.get(stage, 0.0) / dag_total:>21.1%}")
    lines.append(f"{'dagster overhead':<28}{overhead:>9.2f}{overhead / dag_total:>21.1%}")
    lines.append(f"{'total (dagster run)':<28}{dag_total:>9.2f}{1:>21.1%}")
    lines.append(f"definitions load (before the runs, not in the total): {load_defs:.2f} s")
    lines.append(f"ratio dagster run / baseline (plain loads + dbt CLI): {dag_total / base_total:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    baseline, dagster = [], []
    for _ in range(args.repeat):
        with start_offline_server() as offline, tempfile.TemporaryDirectory() as tmp:
            baseline.append(baseline_run(offline, Path(tmp) / "baseline"))
        with tempfile.TemporaryDirectory() as tmp:
            dagster.append(dagster_run(Path(tmp) / "dagster"))
    print(report(baseline, dagster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
