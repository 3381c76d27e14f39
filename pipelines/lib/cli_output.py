"""The exit codes of every `borlange` subcommand, and how `borlange validate FEED FILE...` prints
its reports, so the feeds cannot drift apart (plain Python, no Dagster)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sources.feed_problems import Validation

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MB = 1024 * 1024


def positive_number(text: str) -> float:
    """An argparse type: a finite number above zero (a limit or a tolerance)."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return number


def print_reports(reports: Sequence[Validation], *, as_json: bool) -> int:
    """Each file's validation as its report, or as JSON (one object, or a list for several files);
    0 when every file is valid, else 1."""
    if as_json:
        documents = [report.to_dict() for report in reports]
        print(
            json.dumps(
                documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=1
            )
        )
    else:
        for report in reports:
            sys.stdout.write(report.report())
    return EXIT_OK if all(report.ok for report in reports) else EXIT_PROBLEMS


def workbook_export_target(args: argparse.Namespace, settings) -> tuple[str, Path] | int:
    """What a workbook export (`borlange gpc export`, `borlange plan export`) writes from: the
    kommun (--kommun, else REPORT_KOMMUN) and the warehouse (--warehouse, else WAREHOUSE_PATH);
    or the exit code, with its message printed, when --out, the kommun or the warehouse is wrong."""
    if args.out.suffix.lower() != ".xlsx":
        print(f"error: --out {args.out} must end in .xlsx", file=sys.stderr)
        return EXIT_USAGE
    kommun = args.kommun or settings.report.kommun
    if not (len(kommun) == 4 and kommun.isdigit()):
        print(f"error: --kommun {kommun!r} is not a 4-digit SCB code", file=sys.stderr)
        return EXIT_USAGE
    warehouse = args.warehouse or settings.warehouse.path
    if not warehouse.exists():
        print(f"error: no warehouse at {warehouse}; run `borlange demo` first", file=sys.stderr)
        return EXIT_PROBLEMS
    return kommun, warehouse
