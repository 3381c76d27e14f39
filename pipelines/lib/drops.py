"""The drop processor shared by every file feed (partner submissions, Borlänge Energi's reports).
Plain Python, no Dagster.

A feed is a `FileFeed`: where its files wait, how one file is validated, and how a valid one is
written to raw. The processor does the rest the same way for every feed:

    <inbox>/<drop folder>/<file>                         waiting
    <inbox>/processed/<folder>/<sha12>_<file>            loaded, or the same bytes were loaded before
    <inbox>/quarantine/<folder>/<sha12>_<file>           rejected, with <…>.report.txt beside it

- every file's original bytes are landed under their sha256 before anything else;
- each file is handled on its own: a bad file is quarantined with its report and the others load;
- a valid file loads in ONE transaction: its rows and its `raw.landed_files` row, or nothing;
- the same bytes twice change nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib import warehouse
from pipelines.lib.warehouse import LandedFile, Store

IGNORED_PREFIXES = (".", "~$")   # hidden files and Excel's lock files are not drops


@dataclass(frozen=True)
class Validated:
    """One file's validation: the payload a valid file loads, or the report of a bad one."""

    ok: bool
    payload: Any = None
    report: str = ""                                      # readable: file, row, column and problem
    problems: list[dict] = field(default_factory=list)    # the same, machine-readable


@dataclass(frozen=True)
class FileFeed:
    """A file feed: its folders, its validator and its loader."""

    name: str                       # in messages
    source: str                     # landing-zone folder and raw.landed_files.source
    drop_pattern: str               # files waiting, as a glob under the inbox: "energy/*"
    loaded_into: str                # raw.landed_files.loaded_into
    folder_of: Callable[[Path], str]                      # quarantine/processed subfolder of a file
    validate: Callable[[Path], Validated]
    # Writes a valid file's rows; runs inside the processor's transaction, so it must not commit.
    load: Callable[[duckdb.DuckDBPyConnection, Any, LandedFile, datetime], None]


@dataclass
class DropReport:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)          # rejected file -> its report text
    problems: dict[str, list[dict]] = field(default_factory=dict)  # rejected file -> problems (row, column, code)


def is_drop(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(IGNORED_PREFIXES)


def pending_files(feed: FileFeed, inbox: Path) -> list[Path]:
    """Files waiting for `feed`, oldest first (a correction dropped later loads later)."""
    files = [p for p in inbox.glob(feed.drop_pattern) if is_drop(p)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, str(p)))


def process_drop(feed: FileFeed, inbox: Path, store: Store) -> DropReport:
    report = DropReport()
    files = pending_files(feed, inbox)
    if not files:
        return report
    with warehouse.connect(store.warehouse_path) as con:   # one connection per drop, a transaction per file
        for path in files:
            process_file(feed, path, inbox, store, con, report)
    return report


def process_file(feed: FileFeed, path: Path, inbox: Path, store: Store, con: duckdb.DuckDBPyConnection,
                 report: DropReport) -> None:
    name = str(path.relative_to(inbox))
    folder = feed.folder_of(path)
    landed = warehouse.land_bytes(store.landing_dir, feed.source, path.read_bytes(), path.suffix.lower()[:8])
    validated = feed.validate(path)
    if not validated.ok:
        report.reports[name] = quarantine(path, inbox, folder, landed, validated.report)
        report.problems[name] = validated.problems
        report.rejected.append(name)
        return
    loaded = load_file(feed, con, validated.payload, landed, file_name=path.name)
    mark_processed(path, inbox, folder, landed.sha256)
    (report.accepted if loaded else report.unchanged).append(name)


def load_file(feed: FileFeed, con: duckdb.DuckDBPyConnection, payload: Any, landed: LandedFile, *,
              file_name: str) -> bool:
    """A valid file's rows and its registry row in ONE transaction; False (nothing written) when
    these exact bytes were loaded before."""
    received_at = datetime.now(timezone.utc)
    with warehouse.transaction(con):
        if warehouse.is_loaded(con, landed.sha256):
            return False
        feed.load(con, payload, landed, received_at)
        warehouse.record_landed_file(con, landed, source=feed.source, file_name=file_name,
                                     loaded_into=feed.loaded_into, fetched_at=received_at,
                                     content_type=content_type(file_name))
    return True


def content_type(file_name: str) -> str:
    if file_name.lower().endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv"


def move(path: Path, target_dir: Path, sha256: str, report_text: str | None = None) -> Path:
    """Move a handled file out of the drop folder under its hash prefix, with its report if any."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{sha256[:12]}_{path.name}"
    shutil.move(str(path), target)
    if report_text is not None:
        target.with_name(target.name + ".report.txt").write_text(report_text, encoding="utf-8")
    return target


def mark_processed(path: Path, inbox: Path, folder: str, sha256: str) -> Path:
    return move(path, inbox / "processed" / folder, sha256)


def quarantine(path: Path, inbox: Path, folder: str, landed: LandedFile, problems: str) -> str:
    """Move a rejected file to quarantine with its report; returns the report's text."""
    text = (f"sha256: {landed.sha256}\noriginal: {landed.path}\n"
            f"received: {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n\n{problems}")
    move(path, inbox / "quarantine" / folder, landed.sha256, report_text=text)
    return text
