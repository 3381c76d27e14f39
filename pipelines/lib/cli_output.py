"""The exit codes of every `borlange` subcommand, and how `borlange validate FEED FILE...` prints its
reports, so the feeds cannot drift apart (plain Python, no Dagster)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

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


def print_reports(reports: Sequence, *, as_json: bool, text: Callable[[object], str]) -> int:
    """Each report as text, or as JSON (one object, or a list for several files); 0 when every
    file is valid, else 1. A report has `.ok` and `.to_dict()`."""
    if as_json:
        documents = [report.to_dict() for report in reports]
        print(
            json.dumps(
                documents[0] if len(documents) == 1 else documents, ensure_ascii=False, indent=1
            )
        )
    else:
        for report in reports:
            sys.stdout.write(text(report))
    return EXIT_OK if all(report.ok for report in reports) else EXIT_PROBLEMS
