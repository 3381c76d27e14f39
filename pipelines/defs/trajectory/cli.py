"""`borlange trajectory`: the trajectory summary for every kommun in a CSV, under one named method.

    borlange trajectory (--emissions FILE.csv | --kommun KOD) --method carbon_law \
        [--gas CO2e] [--as-of-year 2026] [--out summary.csv|summary.json] [--exclusions FILE.csv]
        [--presets FILE.csv]

The input is long: kommun_kod, year, tonnes (other columns are ignored; kommun_kod is read
as text, so 0114 stays 0114), in either dialect: comma-separated with a decimal point, or the
project's own Swedish dialect (`;` between fields, decimal comma, a byte-order mark: every download
and chart CSV); the command says on stderr which it read. A file with a `gas` column keeps the rows
of --gas, one with `in_latest_release` the newest release's rows, so a download of
marts.emissions_per_capita works as it is. `--kommun KOD` starts from the published serving copy's
series of that kommun instead (SERVING_DIR; never the file the pipeline writes). An example input:
docs/examples/trajectory_input.csv. The output has the summary columns; dates are ISO
YYYY-MM-DD and a missing value is empty in CSV and null in JSON. Exit codes: 0 done, 1 the
input has problems (one message on stderr), 2 a usage error (an unknown method, a bad option).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import duckdb
import polars as pl

from pipelines.defs.trajectory.compute import TrajectoryInputError, compute_trajectories
from pipelines.defs.trajectory.presets import PresetError, load_presets
from pipelines.lib.cli_output import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from sources.formula_safety import neutralise_frame

REQUIRED_COLUMNS = ("kommun_kod", "year", "tonnes")
GASES = ("CO2e", "CO2")
SWEDISH_DIALECT = "Swedish CSV (';' between fields, decimal comma)"
COMMA_DIALECT = "CSV (',' between fields, decimal point)"


class BadInput(Exception):
    """Input the CLI refuses, with the message for the user."""


def register(commands) -> None:
    """The `trajectory` subcommand of `borlange`."""
    parser = commands.add_parser(
        "trajectory",
        help="the trajectory summary of a CSV of emissions, under one method",
        description=__doc__.split("\n\n")[0],
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--emissions",
        type=Path,
        help="long CSV: kommun_kod, year, tonnes (comma and point, or ';' and decimal comma)",
    )
    source.add_argument(
        "--kommun",
        help="start from the published series of this kommun (four digits, e.g. 2081)",
    )
    parser.add_argument(
        "--gas",
        default="CO2e",
        choices=GASES,
        help="the gas of the series when the input has several (default CO2e)",
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
    if args.kommun is not None and not (args.kommun.isascii() and args.kommun.isdigit()):
        parser.error(f"--kommun must be a four-digit kommun code such as 2081, got {args.kommun!r}")
    if args.kommun is not None and len(args.kommun) != 4:
        parser.error(f"--kommun must be a four-digit kommun code such as 2081, got {args.kommun!r}")
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
        if args.kommun is not None:
            emissions = published_series(args.settings.serving.dir, args.kommun, args.gas)
        else:
            emissions = read_emissions(args.emissions, gas=args.gas)
        exclusions = read_exclusions(args.exclusions) if args.exclusions else None
        result = compute_trajectories(emissions, presets[args.method], args.as_of_year, exclusions)
        write_summary(result.summary, args.out)
    except (BadInput, PresetError, TrajectoryInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def published_series(serving_dir: Path, kommun_kod: str, gas: str) -> pl.DataFrame:
    """The kommun's totals per year of the newest SMHI release, from the published serving copy
    (the build `serving/current` points to), as the trajectory assets read them."""
    from pipelines.lib import publish

    build_id = publish.current_build(serving_dir)
    if build_id is None:
        raise BadInput(f"{serving_dir}: no published build; run `make demo` first")
    try:
        with publish.connect_build(serving_dir / publish.BUILDS_DIR / build_id) as con:
            frame = con.execute(
                "select kommun_kod, year, tonnes from marts.emissions_per_capita"
                " where kommun_kod = ? and gas = ? and in_latest_release order by year",
                [kommun_kod, gas],
            ).to_arrow_table()
        frame = pl.from_arrow(frame)
    except duckdb.Error as error:
        raise BadInput(f"build {build_id} in {serving_dir} cannot be read ({error})") from None
    if frame.is_empty():
        raise BadInput(f"kommun {kommun_kod} has no {gas} series in build {build_id}")
    print(f"read kommun {kommun_kod}'s {gas} series from build {build_id}", file=sys.stderr)
    frame = frame.with_columns(pl.col("year").cast(pl.Int64), pl.col("tonnes").cast(pl.Float64))
    check_enough_years(frame, Path(f"build {build_id}"))
    return frame


def read_emissions(path: Path, gas: str = "CO2e") -> pl.DataFrame:
    """The long CSV, checked line by line so that every complaint names what to fix."""
    frame = read_text_csv(path, gas=gas)
    frame = numeric_column(frame, "year", pl.Int64, path)
    frame = numeric_column(frame, "tonnes", pl.Float64, path)
    check_duplicates(frame, path)
    check_enough_years(frame, path)
    return frame


def read_exclusions(path: Path) -> pl.DataFrame:
    frame = read_text_csv(path)
    return numeric_column(numeric_column(frame, "year", pl.Int64, path), "tonnes", pl.Float64, path)


def read_text_csv(path: Path, gas: str | None = None) -> pl.DataFrame:
    """Every cell as text (codes keep their leading zeros); only the needed columns. The dialect
    is told by the header line: a `;` in it and no `,` is the Swedish one."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    with open(path, "rb") as handle:
        header = handle.readline(64 * 1024)
    swedish = b";" in header and b"," not in header
    try:
        frame = pl.read_csv(path, infer_schema=False, separator=";" if swedish else ",")
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: not a readable CSV ({error})") from None
    # A byte-order mark (Excel's UTF-8) would otherwise stay in the first column's name.
    frame = frame.rename({frame.columns[0]: frame.columns[0].removeprefix("\ufeff")})
    print(f"read {path} as {SWEDISH_DIALECT if swedish else COMMA_DIALECT}", file=sys.stderr)
    if swedish and "tonnes" in frame.columns:
        # Thousands may be grouped with (no-break) spaces, as Swedish Excel writes them.
        tonnes = pl.col("tonnes").str.replace_all(r"[\s\u00a0]", "").str.replace(",", ".")
        frame = frame.with_columns(tonnes)
    if gas is not None and "gas" in frame.columns:
        frame = frame.filter(pl.col("gas").str.strip_chars() == gas)
    if "in_latest_release" in frame.columns:
        latest = pl.col("in_latest_release").str.strip_chars().str.to_lowercase() == "true"
        frame = frame.filter(latest)
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
        codes = ", ".join(counts["kommun_kod"].to_list()[:20])
        raise BadInput(f"{path}: fewer than 2 years for kommun {codes}; a trend needs at least two")


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
