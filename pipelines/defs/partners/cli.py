"""`borlange partners` and `borlange validate partners`: partner submissions from the command line.

    borlange partners template --partner ssab --year 2025 --out DIR
        writes DIR/ssab_2025.xlsx and DIR/ssab_2025.csv

    borlange validate partners FILE... [--today YYYY-MM-DD] [--json]
    borlange partners validate FILE    (the same, one file)
        prints every problem (Swedish and English) and exits 1, or an OK summary and exits 0

Exit codes: 0 valid (or template written), 1 a file has problems, 2 bad command line
(unknown partner for a template, a year out of range, a bad option).
Everything else is in `sources.partner_submissions` (plain Python, no Dagster).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pipelines.lib.cli_output import EXIT_OK, EXIT_USAGE, MB, print_reports
from sources.partner_submissions import (
    PARTNERS_CSV,
    Limits,
    load_partners,
    validate_file,
    write_template,
)
from sources.partner_submissions.schema import FIRST_YEAR


def register(commands) -> None:
    """The `partners` subcommand of `borlange` (template, validate)."""
    parser = commands.add_parser(
        "partners",
        help="partner submissions: the template, and validating a file",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--partners", type=Path, default=PARTNERS_CSV, help="the partner registry CSV"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="{template,validate}")

    template = actions.add_parser(
        "template", help="write the xlsx and csv templates for a partner and year"
    )
    template.add_argument(
        "--partner", required=True, help="partner_id from partners.csv, e.g. ssab"
    )
    template.add_argument("--year", required=True, type=int, help="the reporting year, e.g. 2025")
    template.add_argument("--out", required=True, type=Path, help="directory to write into")
    template.set_defaults(handler=run_template)

    add_validate_arguments(
        actions.add_parser("validate", help="validate a filled-in submission (.xlsx or .csv)"),
        with_registry=False,
    )


def add_validate_arguments(parser: argparse.ArgumentParser, *, with_registry: bool = True) -> None:
    """The arguments of `validate partners FILE...` (also `partners validate FILE`)."""
    if with_registry:
        parser.add_argument(
            "--partners", type=Path, default=PARTNERS_CSV, help="the partner registry CSV"
        )
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="submission files (.xlsx or .csv)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date.today(),
        help="the date to check against (default: today), YYYY-MM-DD",
    )
    parser.add_argument("--max-file-mb", type=float, default=Limits.max_file_bytes / MB)
    parser.add_argument(
        "--max-uncompressed-mb", type=float, default=Limits.max_uncompressed_bytes / MB
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (a list for several files)"
    )
    parser.set_defaults(handler=run_validate)


def run_template(args: argparse.Namespace) -> int:
    partners = load_partners(args.partners)
    if args.partner not in partners:
        print(
            f"error: unknown partner {args.partner!r}; known: {', '.join(partners)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not FIRST_YEAR <= args.year <= date.today().year:
        print(
            f"error: year {args.year} must be between {FIRST_YEAR} and {date.today().year}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for path in write_template(
        args.partner, args.year, args.out, partner_name=partners[args.partner]
    ):
        print(path)
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """The operator's path is trusted: its directory becomes the root, its name is checked."""
    limits = Limits(
        max_file_bytes=int(args.max_file_mb * MB),
        max_uncompressed_bytes=int(args.max_uncompressed_mb * MB),
    )
    partners = set(load_partners(args.partners))
    reports = [
        validate_file(path, partners=partners, today=args.today, limits=limits)
        for path in args.files
    ]
    return print_reports(reports, as_json=args.json)
