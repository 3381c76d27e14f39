"""`borlange trajectory`: the trajectory summary for every kommun in a CSV, under one named method.

    borlange trajectory --emissions FILE.csv --method carbon_law \
        [--as-of-year 2026] [--out summary.csv|summary.json] \
        [--exclusions FILE.csv] [--presets FILE.csv]

The input is long: kommun_kod, year, tonnes (other columns are ignored; kommun_kod is read
as text, so 0114 stays 0114). The output has the summary columns; dates are ISO
YYYY-MM-DD and a missing value is empty in CSV and null in JSON. Exit codes: 0 done, 1 the
input has problems (one message on stderr), 2 a usage error (an unknown method, a bad option).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import polars as pl

from pipelines.defs.trajectory.compute import TrajectoryInputError, compute_trajectories
from pipelines.defs.trajectory.presets import PresetError, load_presets
from pipelines.lib.cli_output import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from sources.formula_safety import neutralise_frame

REQUIRED_COLUMNS = ("kommun_kod", "year", "tonnes")


class BadInput(Exception):
    """Input the CLI refuses, with the message for the user."""


def register(commands) -> None:
    """The `trajectory` subcommand of `borlange`."""
    parser = commands.add_parser(
        "trajectory",
        help="the trajectory summary of a CSV of emissions, under one method",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--emissions", required=True, type=Path, help="long CSV: kommun_kod, year, tonnes"
    )
    parser.add_argument("--method", required=True, help="a method name from trajectory_methods.csv")
    parser.add_argument(
        "--as-of-year",
        type=int,
        default=dt.date.today().year,
        help="the year the trajectory looks forward from (default: this year)",
    )
    parser.add_argument(
        "--out", type=Path, help="write CSV or JSON (by suffix) here; default: CSV on stdout"
    )
    parser.add_argument(
        "--exclusions", type=Path, help="CSV kommun_kod, year, tonnes to leave out (e.g. SSAB)"
    )
    parser.add_argument("--presets", type=Path, help="another presets CSV (default: the dbt seed)")
    parser.set_defaults(handler=run, check=lambda args: check_args(parser, args))


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".json"):
        parser.error(f"--out must end in .csv or .json, got {args.out.name}")


def run(args: argparse.Namespace) -> int:
    try:
        presets = load_presets(args.presets)
        if args.method not in presets:
            print(
                f"error: unknown method {args.method!r}; known methods: {', '.join(presets)}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        emissions = read_emissions(args.emissions)
        exclusions = read_exclusions(args.exclusions) if args.exclusions else None
        result = compute_trajectories(emissions, presets[args.method], args.as_of_year, exclusions)
        write_summary(result.summary, args.out)
    except (BadInput, PresetError, TrajectoryInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def read_emissions(path: Path) -> pl.DataFrame:
    """The long CSV, checked line by line so that every complaint names what to fix."""
    frame = read_text_csv(path)
    frame = numeric_column(frame, "year", pl.Int64, path)
    frame = numeric_column(frame, "tonnes", pl.Float64, path)
    check_duplicates(frame, path)
    check_enough_years(frame, path)
    return frame


def read_exclusions(path: Path) -> pl.DataFrame:
    frame = read_text_csv(path)
    return numeric_column(numeric_column(frame, "year", pl.Int64, path), "tonnes", pl.Float64, path)


def read_text_csv(path: Path) -> pl.DataFrame:
    """Every cell as text (codes keep their leading zeros); only the needed columns."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: not a readable CSV ({error})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise BadInput(
            f"{path}: missing column(s) {', '.join(missing)} (have: {', '.join(frame.columns)})"
        )
    return frame.select(pl.col(c).str.strip_chars() for c in REQUIRED_COLUMNS).with_row_index(
        "line", offset=2
    )


def numeric_column(frame: pl.DataFrame, name: str, dtype: pl.DataType, path: Path) -> pl.DataFrame:
    parsed = frame.with_columns(pl.col(name).cast(dtype, strict=False).alias("_parsed"))
    bad = parsed.filter(
        pl.col("_parsed").is_null() | (pl.col("_parsed").is_nan() if dtype == pl.Float64 else False)
    )
    if not bad.is_empty():
        line, value = bad.row(0, named=True)["line"], bad.row(0, named=True)[name]
        more = f" (and {bad.height - 1} more)" if bad.height > 1 else ""
        kind = "a number" if dtype == pl.Float64 else "a whole year"
        raise BadInput(f"{path} line {line}: {name} {value!r} is not {kind}{more}")
    return parsed.with_columns(pl.col("_parsed").alias(name)).drop("_parsed")


def check_duplicates(frame: pl.DataFrame, path: Path) -> None:
    duplicated = frame.filter(pl.struct("kommun_kod", "year").is_duplicated()).sort(
        "kommun_kod", "year", "line"
    )
    if not duplicated.is_empty():
        first = duplicated.row(0, named=True)
        lines = duplicated.filter(
            (pl.col("kommun_kod") == first["kommun_kod"]) & (pl.col("year") == first["year"])
        )
        count = duplicated.unique(["kommun_kod", "year"]).height
        raise BadInput(
            f"{path}: duplicate kommun-year {first['kommun_kod']} {first['year']} on lines "
            f"{', '.join(map(str, lines['line'].to_list()))}"
            + (f" (and {count - 1} more kommun-years)" if count > 1 else "")
        )


def check_enough_years(frame: pl.DataFrame, path: Path) -> None:
    counts = (
        frame.group_by("kommun_kod")
        .agg(pl.len().alias("n"))
        .filter(pl.col("n") < 2)
        .sort("kommun_kod")
    )
    if not counts.is_empty():
        raise BadInput(
            f"{path}: fewer than 2 years for kommun "
            f"{', '.join(counts['kommun_kod'].to_list()[:20])}; a trend needs at least two"
        )


def write_summary(summary: pl.DataFrame, out: Path | None) -> None:
    """CSV (formula-like text made inert: the codes come from the user's file) or JSON."""
    if out is None:
        sys.stdout.write(neutralise_frame(summary).write_csv())
    elif out.suffix.lower() == ".json":
        out.write_text(
            json.dumps(json_records(summary), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    else:
        neutralise_frame(summary).write_csv(out)


def json_records(summary: pl.DataFrame) -> list[dict]:
    dates = [c for c, t in summary.schema.items() if t == pl.Date]
    return summary.with_columns(pl.col(c).dt.to_string("%Y-%m-%d") for c in dates).to_dicts()
