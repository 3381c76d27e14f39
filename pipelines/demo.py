"""`borlange demo` (`make demo`: offline, replay server) and `borlange demo --live` (`make run`):
materialize every asset, then print the reporting kommun's headline figures from the marts.

Offline, the SMHI history is replayed as it happened: first the 2025 release is fetched
(last year's run), then the current one, so the warehouse holds two vintages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.settings import Settings

GGT_KEY = dg.AssetKey(["raw", "smhi_emissions_ggt"])


def borlange_summary(con: duckdb.DuckDBPyConnection, kommun_kod: str) -> dict:
    """Latest year, total, per capita and change since 1990 from the marts (CO2e, newest release)."""
    row = con.execute("""
        with totals as (
            select year, tonnes, population, tonnes_per_capita, vintage
            from marts.emissions_per_capita
            where kommun_kod = ? and gas = 'CO2e' and in_latest_release
        )
        select latest.year, latest.tonnes, latest.population, latest.tonnes_per_capita, latest.vintage,
               base.tonnes as tonnes_1990
        from (select * from totals order by year desc limit 1) as latest
        left join (select tonnes from totals where year = 1990) as base on true
    """, [kommun_kod]).fetchall()
    row = row[0] if row else None
    if row is None:
        raise RuntimeError(f"no CO2e emissions for kommun {kommun_kod} in marts.emissions_per_capita")
    year, tonnes, population, per_capita, vintage, tonnes_1990 = row
    name = next(iter(con.execute("select kommun_namn from marts.dim_kommun where kommun_kod = ?", [kommun_kod]).fetchall()), None)
    return {
        "kommun_kod": kommun_kod, "kommun_namn": name[0] if name else kommun_kod,
        "year": year, "tonnes": tonnes, "population": population, "tonnes_per_capita": per_capita,
        "vintage": vintage, "tonnes_1990": tonnes_1990,
        "change_since_1990_pct": None if not tonnes_1990 else 100.0 * (tonnes / tonnes_1990 - 1),
    }


def format_summary(s: dict) -> str:
    per_capita = "n/a" if s["tonnes_per_capita"] is None else f"{s['tonnes_per_capita']:.2f} t per resident"
    population = "n/a" if s["population"] is None else f"{s['population']:,}"
    change = "n/a" if s["change_since_1990_pct"] is None else (
        f"{s['change_since_1990_pct']:+.1f} % since 1990 ({s['tonnes_1990']:,.0f} t)")
    return "\n".join([
        f"{s['kommun_namn']} ({s['kommun_kod']}), SMHI release {s['vintage']}:",
        f"  latest year        {s['year']}",
        f"  total              {s['tonnes']:,.0f} t CO2e",
        f"  per capita         {per_capita} (population {population})",
        f"  change             {change}",
    ])


def run_job(defs: dg.Definitions, instance: dg.DagsterInstance, asset_keys=None) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("warehouse_refresh")
    result = job.execute_in_process(instance=instance, asset_selection=asset_keys, raise_on_error=False,
                                    run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise SystemExit("materialization failed:\n  " + "\n  ".join(failures))
    return result


def instance_for_demo() -> dg.DagsterInstance:
    """The persistent instance in DAGSTER_HOME, so runs show up in `make ui` afterwards."""
    if os.environ.get("DAGSTER_HOME"):
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def materialize_all(*, offline: bool, instance: dg.DagsterInstance, settings: Settings | None = None) -> dict[str, float]:
    """Run the pipeline; return wall-clock seconds per phase."""
    settings = settings or Settings.from_env()
    timings: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        server = None
        if offline:
            from replay.offline import start_offline_server
            server = stack.enter_context(start_offline_server())
            settings = dataclasses.replace(settings, smhi_base_url=server.smhi_base_url,
                                           scb_base_url=server.scb_base_url)
        started = time.perf_counter()
        from pipelines.definitions import build_definitions
        defs = build_definitions(settings)
        timings["load_definitions"] = time.perf_counter() - started
        if server is not None:
            server.smhi.release = server.smhi.releases()[0]  # last year's run: the previous release
            started = time.perf_counter()
            run_job(defs, instance, [GGT_KEY])
            timings["previous_release_run"] = time.perf_counter() - started
            server.smhi.release = server.smhi.releases()[-1]
            # Drop the bundled SYNTHETIC monthly reports of Borlänge Energi into the energy inbox, as
            # the utility would, so the full run loads them (a second demo finds them loaded).
            from pipelines.defs.energy.loads import stage_bundled_reports
            stage_bundled_reports(settings.inbox_dir)
        started = time.perf_counter()
        run_job(defs, instance)
        timings["full_run"] = time.perf_counter() - started
    return timings


def main(*, live: bool = False) -> int:
    settings = Settings.from_env()
    timings = materialize_all(offline=not live, instance=instance_for_demo(), settings=settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        print(format_summary(borlange_summary(con, settings.report_kommun)))
    print(f"warehouse: {settings.warehouse_path}")
    for report in sorted(settings.reports_dir.glob(f"klimatrapport_{settings.report_kommun}_*.html")):
        print(f"report:    {report}")
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return 0
