"""`borlange demo` (`make demo`: offline, replay server) and `borlange demo --live` (`make run`):
materialize every asset, then print the reporting kommun's headline figures from the marts.

Offline, the SMHI history is replayed as it happened: first the 2025 release is fetched
(last year's run), then the current one, so the warehouse holds two vintages.

It prints a line per stage and per finished step; everything else (Dagster's and dbt's logs)
goes to a log file whose path it prints first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TextIO

import dagster as dg
import duckdb

from pipelines.defs.operations.assets import WORKER_TAG, free_slots_of_dead_runs
from pipelines.lib import processes
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY, REPO_ROOT, Settings

GGT_KEY = dg.AssetKey(["raw", "smhi_emissions_ggt"])
PAYLOADS = REPO_ROOT / "replay" / "payloads"
DEMO_PARTITION = "2024-03-01"  # the month of the demo's synthetic meter sample


def borlange_summary(con: duckdb.DuckDBPyConnection, kommun_kod: str) -> dict:
    """Latest year, total, per capita and change since 1990 in the marts (CO2e, newest release)."""
    row = con.execute(
        """
        with totals as (
            select year, tonnes, population, tonnes_per_capita, vintage
            from marts.emissions_per_capita
            where kommun_kod = ? and gas = 'CO2e' and in_latest_release
        )
        select latest.year, latest.tonnes, latest.population, latest.tonnes_per_capita,
               latest.vintage, base.tonnes as tonnes_1990
        from (select * from totals order by year desc limit 1) as latest
        left join (select tonnes from totals where year = 1990) as base on true
    """,
        [kommun_kod],
    ).fetchall()
    row = row[0] if row else None
    if row is None:
        raise RuntimeError(
            f"no CO2e emissions for kommun {kommun_kod} in marts.emissions_per_capita"
        )
    year, tonnes, population, per_capita, vintage, tonnes_1990 = row
    name = next(
        iter(
            con.execute(
                "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [kommun_kod]
            ).fetchall()
        ),
        None,
    )
    return {
        "kommun_kod": kommun_kod,
        "kommun_namn": name[0] if name else kommun_kod,
        "year": year,
        "tonnes": tonnes,
        "population": population,
        "tonnes_per_capita": per_capita,
        "vintage": vintage,
        "tonnes_1990": tonnes_1990,
        "change_since_1990_pct": None if not tonnes_1990 else 100.0 * (tonnes / tonnes_1990 - 1),
    }


def format_summary(s: dict) -> str:
    per_capita = (
        "n/a" if s["tonnes_per_capita"] is None else f"{s['tonnes_per_capita']:.2f} t per resident"
    )
    population = "n/a" if s["population"] is None else f"{s['population']:,}"
    change = (
        "n/a"
        if s["change_since_1990_pct"] is None
        else (f"{s['change_since_1990_pct']:+.1f} % since 1990 ({s['tonnes_1990']:,.0f} t)")
    )
    return "\n".join(
        [
            f"{s['kommun_namn']} ({s['kommun_kod']}), SMHI release {s['vintage']}:",
            f"  latest year        {s['year']}",
            f"  total              {s['tonnes']:,.0f} t CO2e",
            f"  per capita         {per_capita} (population {population})",
            f"  change             {change}",
        ]
    )


def nowcast_lines(con: duckdb.DuckDBPyConnection, kommun_kod: str) -> list[str]:
    """The kommun's estimated CO2e totals after SMHI's last year (marts.fct_emissions_nowcast)."""
    rows = con.execute(
        """
        select year, nowcast_t, lower_80_t, upper_80_t, vintage from marts.fct_emissions_nowcast
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = 'Alla' order by year""",
        [kommun_kod],
    ).fetchall()
    return [
        f"  estimate {year}      {t:,.0f} t CO2e (80 % range {lo:,.0f}-{hi:,.0f}; "
        f"an estimate from release {vintage}, not SMHI's figure)"
        for year, t, lo, hi, vintage in rows
    ]


def run_job(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    asset_keys=None,
    progress: TextIO | None = None,
    job_name: str = "warehouse_refresh",
    partition_key: str | None = None,
) -> dg.ExecuteInProcessResult:
    if (
        progress is not None
    ):  # the demo's own loggers: the console (into the log file) and a line per step
        defs = dg.Definitions.merge(
            defs,
            dg.Definitions(
                loggers={
                    "console": dg.colored_console_logger,
                    "progress": progress_logger(progress),
                }
            ),
        )
    job = defs.resolve_job_def(job_name)
    loggers = {"console": {"config": {"log_level": "WARNING"}}}
    if progress is not None:
        loggers["progress"] = {}
    # execute_in_process runs on its own executor, not the recovering one: the run is tagged with
    # this process here, so that the next run can free its pool slots if this one is killed.
    worker = processes.this_process()
    result = job.execute_in_process(
        instance=instance,
        asset_selection=asset_keys,
        raise_on_error=False,
        run_config={"loggers": loggers},
        partition_key=partition_key,
        tags={WORKER_TAG: worker} if worker else None,
    )
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise SystemExit("materialization failed:\n  " + "\n  ".join(failures))
    return result


class StepLines(logging.Handler):
    """One line per finished step: its assets, its checks, the checks that warn, its seconds."""

    def __init__(self, stream: TextIO):
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.counts: dict[str, Counter] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None or event.step_key is None:
            return
        counts = self.counts.setdefault(event.step_key, Counter())
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            counts["assets"] += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            counts["checks"] += 1
            counts["warnings"] += not event.event_specific_data.passed
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = getattr(event.event_specific_data, "duration_ms", None)
            parts = [
                f"{counts['assets']} assets" if counts["assets"] else "",
                f"{counts['checks']} checks" if counts["checks"] else "",
                f"{counts['warnings']} warn" if counts["warnings"] else "",
            ]
            detail = ", ".join(p for p in parts if p)
            mark = "ok  " if kind == "STEP_SUCCESS" else "FAIL"
            timing = f"{seconds / 1000:5.1f} s" if seconds is not None else ""
            self.stream.write(f"    {mark} {event.step_key:<60} {timing}  {detail}\n")
            self.stream.flush()


def progress_logger(stream: TextIO) -> dg.LoggerDefinition:
    @dg.logger(description="A line per finished step on the demo's terminal.")
    def progress(_init_context) -> logging.Logger:
        log = logging.getLogger("borlange.demo.progress")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [StepLines(stream)]
        return log

    return progress


# --------------------------------------------------------------------------- the demo's drops


def stage_bundled_reports(inbox: Path, source: Path = PAYLOADS / "energy") -> list[Path]:
    """Copy the bundled SYNTHETIC monthly reports into inbox/energy/ (the offline demo's drop),
    in month order so that their modification times keep that order."""
    target = inbox / "energy"
    target.mkdir(parents=True, exist_ok=True)
    staged = []
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in (".csv", ".xlsx")):
        staged.append(Path(shutil.copy(path, target / path.name)))
    return staged


def stage_demo_sample(
    inbox: Path, folder: str, work: Path, *, month: str, points: int = 300
) -> list[Path]:
    """The demo's SYNTHETIC meter sample (replay/meter_sample.py: `points` electricity points and
    proportionally fewer district-heating customers, one month), built beside the inbox and renamed
    into the meter inbox as the utility would drop it."""
    from replay.meter_sample import write_sample

    staging = work / "meter-sample"
    built = [result.path for result in write_sample(staging, points=points, month=month)]
    target = inbox / folder
    target.mkdir(parents=True, exist_ok=True)
    moved = [Path(shutil.move(str(path), target / path.name)) for path in built]
    shutil.rmtree(staging, ignore_errors=True)
    return moved


def stage_bundled_files(inbox: Path, source: Path = PAYLOADS / "carbon_intensity") -> list[Path]:
    """Copy the bundled replay files (built from Electricity Maps' figures, attribution inside)
    into inbox/carbon_intensity/, oldest release first."""
    target = inbox / "carbon_intensity"
    target.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(path, target / path.name)) for path in sorted(source.glob("*.csv*"))]


def instance_for_demo() -> dg.DagsterInstance:
    """The persistent instance in DAGSTER_HOME, so runs show up in `make ui` afterwards."""
    if os.environ.get("DAGSTER_HOME"):
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def materialize_all(
    *,
    offline: bool,
    instance: dg.DagsterInstance,
    settings: Settings | None = None,
    progress: TextIO | None = None,
    warned: list[str] | None = None,
) -> dict[str, float]:
    """Run the pipeline; return wall-clock seconds per phase. With `progress`, a line per stage
    and per finished step is written there; with `warned`, the full run's checks that did not pass
    are appended to it as `asset key: check name`."""
    settings = settings or Settings.from_env()
    say = (
        (lambda line: (progress.write(line + "\n"), progress.flush()))
        if progress
        else (lambda _line: None)
    )
    timings: dict[str, float] = {}
    for line in free_slots_of_dead_runs(instance):  # a demo killed before this one
        say(line)
    with contextlib.ExitStack() as stack:
        server = None
        if offline:
            from replay.offline import start_offline_server

            server = stack.enter_context(start_offline_server())
            # The demo stages its own complete files in the inbox just before the run: no settling.
            # The meter sample is pseudonymised with the documented demo key (never used live).
            settings = settings.updated(
                sources={
                    "smhi_base_url": server.smhi_base_url,
                    "smhi_archive_base_url": server.smhi_archive_base_url,
                    "scb_base_url": server.scb_base_url,
                    "kolada_base_url": server.kolada_base_url,
                },
                inboxes={"settle_s": 0.0},
                meters={"pseudonym_key": settings.meters.pseudonym_key or DEMO_METER_PSEUDONYM_KEY},
            )
            say(f"[1/4] replay server for SMHI, SCB and Kolada at {server.server.url}")
        else:
            say(
                f"[1/4] live sources: SMHI {settings.sources.smhi_base_url}, "
                f"SCB {settings.sources.scb_base_url}, Kolada {settings.sources.kolada_base_url}"
            )
        started = time.perf_counter()
        from pipelines.definitions import build_definitions

        defs = build_definitions(settings)
        timings["load_definitions"] = time.perf_counter() - started
        say(f"[2/4] definitions loaded ({timings['load_definitions']:.1f} s)")
        if server is not None:
            server.smhi.release = server.smhi.releases()[0]  # last year's run: the previous release
            say(f"[3/4] last year's run: SMHI release {server.smhi.release}")
            started = time.perf_counter()
            run_job(defs, instance, [GGT_KEY], progress)
            timings["previous_release_run"] = time.perf_counter() - started
            server.smhi.release = server.smhi.releases()[-1]
            # Drop the bundled SYNTHETIC monthly reports of Borlänge Energi into the energy inbox,
            # as the utility would, so the full run loads them (a second demo finds them loaded).
            stage_bundled_reports(settings.inboxes.dir)
            # ... and a SYNTHETIC month of meter values (a few hundred points) into the meter inbox,
            # taken in and written to the lake by the meter job, so the full run's dbt builds the
            # meter marts.
            stage_demo_sample(
                settings.inboxes.dir,
                settings.meters.inbox_folder,
                settings.warehouse.path.parent,
                month=DEMO_PARTITION[:7],
            )
            started = time.perf_counter()
            run_job(
                defs,
                instance,
                progress=progress,
                job_name="meter_values",
                partition_key=DEMO_PARTITION,
            )
            timings["meter_sample"] = time.perf_counter() - started
            # ... and the hourly carbon intensity (real Electricity Maps figures, two releases of
            # 2022).
            stage_bundled_files(settings.inboxes.dir)
        say(
            "[4/4] the full run"
            + (f": SMHI release {server.smhi.release}" if server is not None else "")
        )
        started = time.perf_counter()
        result = run_job(defs, instance, progress=progress)
        timings["full_run"] = time.perf_counter() - started
    if warned is not None:
        warned += checks_that_did_not_pass(result)
    return timings


def checks_that_did_not_pass(result: dg.ExecuteInProcessResult) -> list[str]:
    return sorted(
        f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    )


@contextlib.contextmanager
def output_to(log_path: Path):
    """Send this process's stdout and stderr (Dagster's and dbt's logs) to `log_path`; yield the
    terminal as a stream for the progress lines."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush(), sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8")
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush(), sys.stderr.flush()
            os.dup2(saved_out, 1), os.dup2(saved_err, 2)
            os.close(saved_out), os.close(saved_err)
            terminal.close()


WARNINGS_EXPLAINED = "docs/operators.md#checks-that-warn"


def main(settings: Settings, *, live: bool = False) -> int:
    log_path = settings.warehouse.path.parent / "logs" / f"demo-{datetime.now():%Y%m%dT%H%M%S}.log"
    print(f"borlange demo: {'live' if live else 'offline'}; full log in {log_path}", flush=True)
    warned: list[str] = []
    with output_to(log_path) as terminal:
        timings = materialize_all(
            offline=not live,
            instance=instance_for_demo(),
            settings=settings,
            progress=terminal,
            warned=warned,
        )
    with duckdb.connect(str(settings.warehouse.path), read_only=True) as con:
        print(format_summary(borlange_summary(con, settings.report.kommun)))
        for line in nowcast_lines(con, settings.report.kommun):
            print(line)
    print(f"warehouse: {settings.warehouse.path}")
    for report in sorted(
        settings.report.dir.glob(f"klimatrapport_{settings.report.kommun}_*.html")
    ):
        print(f"report:    {report}")
    site = settings.serving.site_dir
    if (site / "index.html").exists():
        print(f"site:      {site / 'index.html'} (static; serve the folder {site})")
    if warned:
        print(f"checks that warn ({len(warned)}; what each means: {WARNINGS_EXPLAINED}):")
        for check in warned:
            print(f"  {check}")
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return 0
