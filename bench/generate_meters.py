"""The full-scale SYNTHETIC meter year: 30 000 electricity points at one hour as monthly Parquet
files, plus one month as gzipped CSV (`;`, decimal comma, UTF-8), in the meter feed's contract.

    python -m bench.generate_meters --out DIR [--points 30000] [--year 2024] [--months
    2024-01,2024-02]
                                    [--format parquet|csv.gz] [--csv-month 2024-01] [--seed 14]
                                    [--media el,fjarrvarme]

The shapes, the category totals (the monthly utility reports) and the labelling are in
replay/meter_sample.py, shared with the demo's sample. Every month is written in row groups of
2 000 points, so memory is bounded by the largest category of one month (~0.3 GB at full scale),
not by the year. Prints a line per file (rows, MB, seconds, rows/s) and the totals. The data is
not for committing: write it outside the repository.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from replay.meter_sample import FULL_POINTS, months_of, write_month


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate_meters", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for the files (outside the repository)"
    )
    parser.add_argument(
        "--points",
        type=int,
        default=sum(FULL_POINTS["el"].values()),
        help="electricity points (default: the full scale, 30 000)",
    )
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument(
        "--months", default="", help="comma-separated YYYY-MM (default: every month of --year)"
    )
    parser.add_argument("--format", choices=("parquet", "csv.gz"), default="parquet")
    parser.add_argument(
        "--csv-month",
        default=None,
        help="also write this month as gzipped CSV (default: the first month; 'none' for none)",
    )
    parser.add_argument("--media", default="el", help="el, fjarrvarme or both (comma-separated)")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    months = [m.strip() for m in args.months.split(",") if m.strip()] or months_of(args.year)
    csv_month = (
        months[0]
        if args.csv_month is None
        else (None if args.csv_month == "none" else args.csv_month)
    )
    media = [m.strip() for m in args.media.split(",") if m.strip()]
    jobs = [(medium, month, args.format) for medium in media for month in months]
    if csv_month and args.format != "csv.gz":
        jobs += [(medium, csv_month, "csv.gz") for medium in media]
    started = time.perf_counter()
    rows = size = 0
    try:
        for medium, month, fmt in jobs:
            points = (
                args.points
                if medium == "el"
                else round(
                    args.points
                    * sum(FULL_POINTS[medium].values())
                    / sum(FULL_POINTS["el"].values())
                )
            )
            result = write_month(
                args.out, month, medium=medium, points=points, seed=args.seed, fmt=fmt
            )
            rows, size = rows + result.rows, size + result.bytes
            print(
                f"{result.path.name:<36} {result.rows:>12,} rows {result.bytes / 1e6:>9.1f} MB "
                f"{result.seconds:>7.1f} s {result.rows / result.seconds:>12,.0f} rows/s",
                flush=True,
            )
    except ValueError as error:
        print(f"generate_meters: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"total: {rows:,} rows, {size / 1e6:,.1f} MB in {seconds:.1f} s ({rows / seconds:,.0f} "
        f"rows/s), peak RSS {peak:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
