"""`borlange validate energy`: Borlänge Energi's monthly reports checked from the command line.

    borlange validate energy FILE... [--json] [--balance-tolerance 0.02] [--networks CSV]
        prints every problem (file, row, column, value, what is expected) and exits 1,
        or an OK line per file and exits 0

Exit codes: 0 every file is valid, 1 a file has problems (a missing file is one), 2 bad command
line (an unknown option, a limit that is not a positive number, a network registry that cannot be
read). The checks are the loader's: `sources.energy_feed.validate.load_feed` (plain Python, no
Dagster). The pipeline's balance tolerance is the ENERGY_BALANCE_TOLERANCE setting; pass the same
value with --balance-tolerance when it is not the default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.lib.cli_output import EXIT_USAGE, MB, positive_number, print_reports
from sources.energy_feed.registry import NETWORKS_CSV, RegistryError, load_networks
from sources.energy_feed.validate import Limits, load_feed


def register_validate(feeds) -> None:
    """`validate energy FILE...` under the `validate` subcommand's FEED subparsers."""
    add_validate_arguments(
        feeds.add_parser(
            "energy",
            help="Borlänge Energi's monthly reports (.csv, .xlsx)",
            description=__doc__.split("\n\n")[0],
        )
    )


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="monthly reports (.csv or .xlsx)"
    )
    parser.add_argument(
        "--networks", type=Path, default=NETWORKS_CSV, help="the network registry CSV"
    )
    parser.add_argument(
        "--balance-tolerance",
        type=positive_number,
        default=Limits.balance_tolerance,
        help="the heat balance's tolerance, a share of the larger side (default: %(default)s)",
    )
    parser.add_argument("--max-file-mb", type=positive_number, default=Limits.max_file_bytes / MB)
    parser.add_argument(
        "--max-uncompressed-mb", type=positive_number, default=Limits.max_uncompressed_bytes / MB
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (a list for several files)"
    )
    parser.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """The operator's paths are trusted; their contents are not."""
    try:
        networks = load_networks(args.networks)
    except RegistryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    limits = Limits(
        max_file_bytes=int(args.max_file_mb * MB),
        max_uncompressed_bytes=int(args.max_uncompressed_mb * MB),
        balance_tolerance=args.balance_tolerance,
    )
    feeds = [load_feed(path, limits, networks=networks) for path in args.files]
    return print_reports(feeds, as_json=args.json)
