"""Partner submissions from the command line.

    python -m pipelines.submissions template --partner ssab --year 2025 --out DIR
        writes DIR/ssab_2025.xlsx and DIR/ssab_2025.csv

    python -m pipelines.submissions validate FILE [--today YYYY-MM-DD] [--json]
        prints every problem (Swedish and English) and exits 1, or an OK summary and exits 0

Exit codes: 0 valid (or template written), 1 the file has problems, 2 bad command line
(unknown partner for a template, a year out of range, a bad option).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from sources.partner_submissions import (
    PARTNERS_CSV,
    Limits,
    format_report,
    load_partners,
    validate_file,
    write_template,
)
from sources.partner_submissions.schema import FIRST_YEAR

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MB = 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return args.handler(args)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipelines.submissions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=Path, default=PARTNERS_CSV, help="the partner registry CSV")
    commands = parser.add_subparsers(dest="command", required=True)

    template = commands.add_parser("template", help="write the xlsx and csv templates for a partner and year")
    template.add_argument("--partner", required=True, help="partner_id from partners.csv, e.g. ssab")
    template.add_argument("--year", required=True, type=int, help="the reporting year, e.g. 2025")
    template.add_argument("--out", required=True, type=Path, help="directory to write into")
    template.set_defaults(handler=run_template)

    validate = commands.add_parser("validate", help="validate a filled-in submission (.xlsx or .csv)")
    validate.add_argument("file", type=Path, help="the submission file")
    validate.add_argument("--today", type=date.fromisoformat, default=date.today(),
                          help="the date to check against (default: today), YYYY-MM-DD")
    validate.add_argument("--max-file-mb", type=float, default=Limits.max_file_bytes / MB)
    validate.add_argument("--max-uncompressed-mb", type=float, default=Limits.max_uncompressed_bytes / MB)
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(handler=run_validate)
    return parser.parse_args(argv)


def run_template(args: argparse.Namespace) -> int:
    partners = load_partners(args.partners)
    if args.partner not in partners:
        print(f"error: unknown partner {args.partner!r}; known: {', '.join(partners)}", file=sys.stderr)
        return EXIT_USAGE
    if not FIRST_YEAR <= args.year <= date.today().year:
        print(f"error: year {args.year} must be between {FIRST_YEAR} and {date.today().year}", file=sys.stderr)
        return EXIT_USAGE
    for path in write_template(args.partner, args.year, args.out, partner_name=partners[args.partner]):
        print(path)
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    """The operator's path is trusted: its directory becomes the root, its name is checked as a name."""
    limits = Limits(max_file_bytes=int(args.max_file_mb * MB), max_uncompressed_bytes=int(args.max_uncompressed_mb * MB))
    report = validate_file(args.file, partners=set(load_partners(args.partners)), today=args.today, limits=limits)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(format_report(report))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
