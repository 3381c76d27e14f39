"""The hourly meter marts on Spark `local[2]` against the same marts on DuckDB, over one lake at
1, 2 and 4 months (METER_ENGINE=spark, docs/operators.md): each a whole `dbt run` of
stg_meters__values -> int_meters__hourly_energy -> fct_meter_hourly_energy, so both figures include
dbt's start (and Spark's JVM and planning); the ratio's growth with the months says whether the work
partitions. Peak RSS is the measured command's whole process tree (dbt, and Spark's JVM), sampled.

    python -m bench.bench_meters_spark --work DIR [--points 3000] [--months 1,2,4] [--year 2024]

The month files come from bench/generate_meters.py (replay/meter_sample.py), the lake from the
pipeline's validator and lake writer (bench/bench_meters.py's ingest). Writes nothing into the
repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipelines.lib.dbt import dbt_command
from pipelines.settings import Settings

MODELS = ("stg_meters__values", "int_meters__hourly_energy", "fct_meter_hourly_energy")


def tree_rss_mb(root: int) -> float:
    """The resident memory of `root` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total / 2**20


def timed(command: list[str]) -> dict:
    """The command's wall time and its process tree's peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0].decode(errors="replace")
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{output[-3000:]}")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": peak[0]}


def lake_of(months: list[str], full_lake: Path, root: Path) -> Path:
    """A lake with the first months of the full one (hard links: no copy)."""
    lake = root / f"lake-{len(months)}"
    for month in months:
        source = full_lake / "values" / "medium=el" / f"month={month}"
        target = lake / "values" / "medium=el" / f"month={month}"
        target.mkdir(parents=True, exist_ok=True)
        for part in source.glob("*.parquet"):
            if not (target / part.name).exists():
                os.link(part, target / part.name)
    return lake


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_meters_spark", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--work", type=Path, required=True, help="a folder outside the repository")
    parser.add_argument("--points", type=int, default=3000)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--months", default="1,2,4")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.months.split(",")]
    months = [f"{args.year}-{m:02d}" for m in range(1, max(counts) + 1)]
    work = args.work.resolve()
    data, full_lake = work / "data", work / "ingest" / "lake"
    if not full_lake.is_dir():
        from bench.bench_meters import generate, ingest

        generate(data, args.points, args.year, max(counts))
        ingest([str(data / f"meters_el_{m}.parquet") for m in months], str(work / "ingest"))
    base = Settings.from_env()
    results = []
    for n in counts:
        lake = lake_of(months[:n], full_lake, work)
        runs = {}
        for engine in ("duckdb", "spark"):
            settings = base.updated(
                warehouse={"path": work / f"{engine}-{n}.duckdb"},
                meters={"lake_root": str(lake)},
                spark={"engine": engine, "dir": work / f"spark-{n}", "master": "local[2]"},
                dbt={
                    "target": "spark" if engine == "spark" else "duckdb",
                    "target_dir": work / f"dbt-target-{engine}",
                },
            )
            load_before = os.getloadavg()[0]
            runs[engine] = timed(dbt_command(settings, ["run", "--select", *MODELS]))
            runs[engine]["load_average"] = (load_before + os.getloadavg()[0]) / 2
        rows = sum(1 for _ in lake.rglob("*.parquet"))
        results.append(
            {
                "months": n,
                "partitions": rows,
                "duckdb": runs["duckdb"],
                "spark": runs["spark"],
                "ratio": runs["spark"]["seconds"] / runs["duckdb"]["seconds"],
            }
        )
        print(json.dumps(results[-1]), flush=True)
    print(
        "| months | DuckDB s | Spark local[2] s | Spark / DuckDB | peak RSS DuckDB / Spark | load |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['months']} | {r['duckdb']['seconds']:.1f} | {r['spark']['seconds']:.1f} | "
            f"{r['ratio']:.2f}x | {r['duckdb']['peak_rss_mb']:.0f} / "
            f"{r['spark']['peak_rss_mb']:.0f} MB | "
            f"{r['duckdb']['load_average']:.1f} / {r['spark']['load_average']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
