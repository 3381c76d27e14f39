"""`borlange validate meters`: Borlänge Energi's meter files checked from the command line.

    borlange validate meters FILE... [--json] [--max-file-mb 4096] [--categories CSV]
        prints every problem (file, row, field, what is wrong; never a GSRN) and exits 1,
        or an OK line per file (medium, month, values, points, kWh) and exits 0

Exit codes: 0 every file is valid, 1 a file has problems (a missing file is one), 2 bad command line
(an unknown option, a limit that is not a positive number, a category list that cannot be read).
The checks are the loader's (sources/meter_feed/validate.py), in bounded memory whatever the file's
size; the rows are pseudonymised with a throwaway key into a temporary file, deleted afterwards.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.lib.cli_output import EXIT_USAGE, MB, positive_number, print_reports
from sources.energy_feed.registry import load_network_areas
from sources.meter_feed.contract import CATEGORIES_CSV, load_categories
from sources.meter_feed.validate import Limits, validate_path


def register_validate(feeds) -> None:
    """`validate meters FILE...` under the `validate` subcommand's FEED subparsers."""
    parser = feeds.add_parser(
        "meters",
        help="Borlänge Energi's meter values (.csv, .csv.gz, .parquet)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="monthly meter files")
    parser.add_argument(
        "--categories", type=Path, default=CATEGORIES_CSV, help="the customer category CSV"
    )
    parser.add_argument("--max-file-mb", type=positive_number, default=Limits.max_file_bytes / MB)
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (a list for several files)"
    )
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    try:
        categories = load_categories(args.categories)
        areas = load_network_areas()
    except (OSError, KeyError, ValueError) as error:  # RegistryError is a ValueError
        print(
            f"error: the category list {args.categories} cannot be read "
            f"({type(error).__name__}: {error})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    limits = Limits(max_file_bytes=int(args.max_file_mb * MB))
    results = [
        validate_path(path, categories=categories, limits=limits, areas=areas)
        for path in args.files
    ]
    return print_reports(results, as_json=args.json)
