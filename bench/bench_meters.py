"""The meter feed at scale, each measure against its floor in the same run (plain DuckDB doing the
same reading), with the peak RSS of each child process (each measure runs in its own process, so
the figure is that measure's whole process tree: DuckDB runs in-process).

    python -m bench.bench_meters --work DIR [--points 30000] [--year 2024] [--months N] [--data DIR]
                                 [--workers N]
    python -m bench.bench_meters --work DIR --marts-only

(a) a year's monthly Parquet: validation + pseudonymisation + writing the lake partitions
    against DuckDB reading the same files into a table (target >= 0.5x the floor's rows/s,
    RSS < 4 GB);
    With --workers N the year's months go through N processes at once, as a backfill's monthly
    partitions do (each month is its own Dagster run; up to 4 run at once, dagster.yaml); the
    peak RSS is then the whole process tree's, sampled;
(b) one month of gzipped CSV: the same against DuckDB's read_csv (target >= 0.5x);
(c) the hourly marts (dbt run of stg -> int_meters__hourly_energy -> fct_meter_hourly_energy)
    against the equivalent DuckDB group-by over the lake (target <= 1.5x the floor's time), both
    within DBT_DUCKDB_MEMORY_LIMIT; --marts-only reruns just (c) on the lake an earlier run left.

The files come from bench/generate_meters.py (replay/meter_sample.py at full scale), or
from --data DIR (meters_el_<YYYY-MM>.parquet and one .csv.gz). Writes nothing into the repository.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.bench_meters_spark import tree_rss_mb
from pipelines.settings import Settings

KEY = b"bench-key-not-secret-0123456789abcdef"


def _child(queue, fn, args):
    try:
        started = time.perf_counter()
        rows = fn(*args)
        usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        peak = max(u.ru_maxrss for u in usage)
        cpu = sum(u.ru_utime + u.ru_stime for u in usage)
        queue.put((rows, time.perf_counter() - started, peak / 1024, cpu))
    except BaseException as error:  # noqa: BLE001 - reported by the parent, which would wait forever
        queue.put(error)


def measured(fn, *args) -> dict:
    """fn(*args) -> rows, in a fresh process: rows, seconds, rows/s and that process's peak RSS
    (MB)."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, fn, args))
    loads, done = [], threading.Event()

    tree_peak = [0.0]

    def sample() -> None:
        # the machine's 1-minute load average every 5 s, the process tree's RSS every 0.5 s
        ticks = 0
        while not done.wait(0.5):
            tree_peak[0] = max(tree_peak[0], tree_rss_mb(process.pid))
            ticks += 1
            if ticks % 10 == 0:
                loads.append(os.getloadavg()[0])

    process.start()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    answer = queue.get()
    process.join()
    done.set()
    loads.append(os.getloadavg()[0])
    if isinstance(answer, BaseException):
        raise SystemExit(f"{fn.__name__} failed: {answer!r}")
    rows, seconds, rss, cpu = answer
    # getrusage gives the largest single process; with workers the tree's sum is the figure.
    rss = max(rss, tree_peak[0])
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows_per_s": rows / seconds if seconds else 0.0,
        "peak_rss_mb": rss,
        "load_avg": (min(loads), sum(loads) / len(loads), max(loads)),
    }


def ingest(files: list[str], work: str, workers: int = 1) -> int:
    """What the pipeline does with each file: validate + pseudonymise (sources/meter_feed), then
    write its lake partition (pipelines/lib/meter_lake.py); `workers` files at once."""
    Path(work).mkdir(parents=True, exist_ok=True)
    jobs = [(name, i, work) for i, name in enumerate(files)]
    if workers <= 1:
        return sum(ingest_one(*job) for job in jobs)
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=mp.get_context("spawn")
    ) as pool:
        return sum(pool.map(ingest_one, *zip(*jobs, strict=True)))


def ingest_one(name: str, i: int, work: str) -> int:
    from pipelines.lib.meter_lake import Lake
    from sources.meter_feed.validate import validate_file

    lake = Lake(str(Path(work) / "lake"))
    out = Path(work) / f"rows-{i}.parquet"
    sha = f"{i:064d}"  # the landed file's hash, as the drop passes it
    result = validate_file(Path(name), out_path=out, key=KEY, file_sha256=sha)
    if not result.ok:
        raise SystemExit(f"{name} is not valid: {dict(result.counts)}")
    lake.write_partition(
        result.medium,
        result.month,
        out,
        file_sha256=sha,
        is_synthetic=True,
        work_dir=Path(work),
    )
    out.unlink()
    return result.rows


def duckdb_floor(files: list[str], work: str, kind: str) -> int:
    import duckdb

    with duckdb.connect(str(Path(work) / f"floor-{kind}.duckdb")) as con:
        listing = ", ".join("'" + f + "'" for f in files)
        reader = (
            f"read_parquet([{listing}])"
            if kind == "parquet"
            else f"read_csv([{listing}], delim = ';', decimal_separator = ',', header = true)"
        )
        con.execute(f"create or replace table t as select * from {reader}")
        return con.execute("select count(*) from t").fetchall()[0][0]


def marts_floor(lake: str, work: str, memory_limit: str) -> int:
    import duckdb

    with duckdb.connect(str(Path(work) / "floor-marts.duckdb")) as con:
        con.execute(f"set memory_limit = '{memory_limit}'")  # the limit dbt has
        con.execute(f"""create or replace table hourly as
            select medium, riktning, natomrade, kundkategori,
                   date_trunc('hour', start_utc) as hour_utc, sum(wh) as wh,
                   sum(wh) filter (where kvalitet = 'estimerad') as estimated_wh,
                   count(distinct point_id) as point_count,
                   count(*) as intervals, count(*) filter (where kvalitet = 'saknas') as missing,
                   bool_or(is_synthetic)
            from read_parquet('{lake}/values/*/*/*/*.parquet', hive_partitioning = true)
            group by all""")
        return con.execute("select count(*) from hourly").fetchall()[0][0]


def dbt_marts(lake: str, work: str, settings: Settings) -> int:
    """The dbt run, in this (measured) process's child: returns the hourly mart's rows."""
    import duckdb

    from pipelines.lib.dbt import dbt_vars

    repo = Path(__file__).resolve().parent.parent
    dbt = Path(sys.executable).with_name("dbt")
    warehouse = Path(work) / "bench.duckdb"
    variables = dbt_vars(
        settings.updated(warehouse={"path": warehouse}, meters={"lake_root": lake})
    )
    command = [
        str(dbt),
        "run",
        "--select",
        "stg_meters__values",
        "int_meters__hourly_energy",
        "fct_meter_hourly_energy",
        "--project-dir",
        str(repo / "dbt_project"),
        "--profiles-dir",
        str(repo / "dbt_project"),
        "--target",
        "duckdb",
        "--target-path",
        str(Path(work) / "dbt-target"),
        "--vars",
        json.dumps(variables),
    ]
    subprocess.run(command, check=True, capture_output=True, cwd=repo)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*) from intermediate.int_meters__hourly_energy"
        ).fetchall()[0][0]


def generate(data: Path, points: int, year: int, months: int) -> None:
    from bench.generate_meters import main as generate_main

    wanted = ",".join(f"{year}-{m:02d}" for m in range(1, months + 1))
    generate_main(
        ["--out", str(data), "--points", str(points), "--months", wanted, "--year", str(year)]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_meters", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--work", type=Path, required=True, help="scratch folder outside the repository"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="existing contract files (default: generate them)"
    )
    parser.add_argument("--points", type=int, default=30_000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="(a): months ingested at once, as a backfill's concurrent runs do (default 1)",
    )
    parser.add_argument("--no-marts", action="store_true", help="only (a) and (b)")
    parser.add_argument(
        "--marts-only",
        action="store_true",
        help="only (c), on the lake an earlier run left in --work",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    args.work.mkdir(parents=True, exist_ok=True)
    lake = str(args.work / "a" / "lake")
    if args.marts_only:
        return report(marts(lake, str(args.work), settings), settings)
    data = args.data or args.work / "data"
    if args.data is None:
        generate(data, args.points, args.year, args.months)
    parquet = sorted(str(p) for p in data.glob("meters_el_*.parquet"))
    csv = sorted(str(p) for p in data.glob("meters_el_*.csv.gz"))[:1]
    if not parquet:
        print(f"no meters_el_*.parquet in {data}", file=sys.stderr)
        return 2
    results = {}
    results["a_ingest_parquet"] = measured(ingest, parquet, str(args.work / "a"), args.workers)
    results["a_floor_duckdb"] = measured(duckdb_floor, parquet, str(args.work), "parquet")
    if csv:
        results["b_ingest_csv_gz"] = measured(ingest, csv, str(args.work / "b"))
        results["b_floor_read_csv"] = measured(duckdb_floor, csv, str(args.work), "csv")
    if not args.no_marts:
        results.update(marts(lake, str(args.work), settings))
    return report(results, settings, args.workers)


def marts(lake: str, work: str, settings: Settings) -> dict:
    return {
        "c_floor_group_by": measured(marts_floor, lake, work, settings.dbt.memory_limit),
        "c_marts_dbt": measured(dbt_marts, lake, work, settings),
    }


def _cpu_ratio(results: dict, floor: str, measure: str) -> float:
    """The floor's CPU seconds over the measure's: the ratio with the machine's other jobs' share
    of the cores taken out (the wall clock's ratio moves with them)."""
    return results[floor]["cpu_seconds"] / results[measure]["cpu_seconds"]


def report(results: dict, settings: Settings, workers: int = 1) -> int:
    print(
        f"{'measure':<22} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'CPU s':>8} "
        f"{'peak RSS MB':>12} {'load avg min/mean/max':>22}"
    )
    for name, r in results.items():
        low, mean, high = r["load_avg"]
        print(
            f"{name:<22} {r['rows']:>12,} {r['seconds']:>9.1f} {r['rows_per_s']:>12,.0f} "
            f"{r['cpu_seconds']:>8.1f} {r['peak_rss_mb']:>12,.0f} "
            f"{low:>10.1f}/{mean:.1f}/{high:.1f}"
        )
    if "a_ingest_parquet" in results:
        a = results["a_ingest_parquet"]["rows_per_s"] / results["a_floor_duckdb"]["rows_per_s"]
        print(
            f"(a) ingest Parquet / DuckDB read:   {a:.2f}x the floor's rows/s (target >= 0.5), "
            f"{_cpu_ratio(results, 'a_floor_duckdb', 'a_ingest_parquet'):.2f}x by CPU time, "
            f"peak RSS {results['a_ingest_parquet']['peak_rss_mb']:,.0f} MB (target < 4096), "
            f"{workers} month(s) at once"
        )
    if "b_ingest_csv_gz" in results:
        b = results["b_ingest_csv_gz"]["rows_per_s"] / results["b_floor_read_csv"]["rows_per_s"]
        print(
            f"(b) ingest CSV.gz / DuckDB read_csv: {b:.2f}x the floor's rows/s (target >= 0.5), "
            f"{_cpu_ratio(results, 'b_floor_read_csv', 'b_ingest_csv_gz'):.2f}x by CPU time"
        )
    if "c_marts_dbt" not in results:
        return 0
    marts_s = results["c_marts_dbt"]["seconds"]
    c = marts_s / results["c_floor_group_by"]["seconds"]
    print(
        f"(c) hourly marts (dbt run) {marts_s:.1f} s / "
        f"group-by {results['c_floor_group_by']['seconds']:.1f} s: "
        f"{c:.2f}x the floor's time (target <= 1.5; dbt's start-up included), both within "
        f"DBT_DUCKDB_MEMORY_LIMIT {settings.dbt.memory_limit}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
