"""The drop processor shared by every file feed (partner submissions, Borlänge Energi's reports and
meter values, hourly carbon intensity). Plain Python, no Dagster.

A feed is a `FileFeed`: where its files wait, how one file is validated (its bytes, or for big files
its landed copy), and how a valid one is written to raw. Every validator returns the feeds' shared
`Validation` (sources/feed_problems.py): the processor loads its payload or quarantines the file
with its report. The processor does the rest the same way for every feed:

    <inbox>/<drop folder>/<file>                         waiting
    <inbox>/processed/<folder>/<sha12>_<file>            loaded, or the same bytes were loaded before
    <inbox>/quarantine/<folder>/<sha12>_<file>           rejected, with <…>.report.txt beside it
    <inbox>/quarantine/<folder>/refused/<name>           a link or other non-file, moved as it is

- links are never followed: a drop folder or an entry that is not a real directory or regular file
  inside the resolved inbox is refused (moved aside as the entry itself, with a report);
- a file still being written is left alone: names starting with "." or ending in ".part"/".tmp"
  (upload, then rename) and files changed less than `settle_s` seconds ago are not drops yet;
- each file is read ONCE from one open descriptor (O_NOFOLLOW), and exactly those bytes are landed
  under their sha256 and validated;
- each file is handled on its own: a bad file, or any error while loading it, quarantines that file
  with its report, the warehouse as it was, and the others load;
- a valid file loads in ONE transaction: its rows and its `raw.landed_files` row, or nothing;
- files load in the order they were received in the inbox (the inode's change time, which an
  upload or rename sets and a sender cannot backdate; the modification time only breaks a tie
  within the file system's clock tick);
- the same bytes twice change nothing;
- quarantine, processed copies and reports are readable by the pipeline's user only.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from pipelines.lib import warehouse
from pipelines.lib.warehouse import LandedFile, Store
from sources.feed_problems import Problem, Validation

IGNORED_PREFIXES = (".", "~$")  # hidden files, uploads in progress, Excel's lock files
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024  # a feed's validator applies its own, smaller limit


@dataclass(frozen=True)
class FileFeed:
    """A file feed: its folders, its validator and its loader. A feed validates either the bytes
    of a file (`validate`) or, for big files, its landed copy (`validate_landed`): exactly one."""

    name: str  # in messages
    source: str  # landing-zone folder and raw.landed_files.source
    drop_folder: str  # under the inbox: "energy", or "partners" (with `nested`)
    nested: bool  # files wait one folder deeper: partners/<partner_id>/<file>
    loaded_into: str  # raw.landed_files.loaded_into
    # Writes a valid file's payload and returns notes for the report (e.g. what it supersedes);
    # runs inside the processor's transaction, so it must not commit.
    load: Callable[[duckdb.DuckDBPyConnection, Any, LandedFile, datetime], list[str]]
    # A file's bytes, as read once; its path is only for its name and folder, never read again.
    validate: Callable[[Path, bytes], Validation] | None = None
    # Feeds of big files (meter values): the processor streams the file into the landing zone
    # (hashing as it copies, never holding it in memory) and validates the landed copy. The same
    # single O_NOFOLLOW read, the same size limit.
    validate_landed: Callable[[Path, LandedFile], Validation] | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    def __post_init__(self):
        if (self.validate is None) == (self.validate_landed is None):
            raise TypeError(
                f"the {self.name} feed needs exactly one validator: validate (a file's bytes) "
                "or validate_landed (its landed copy)"
            )

    @property
    def streams(self) -> bool:
        """Its files are streamed into the landing zone and validated there, never in memory."""
        return self.validate_landed is not None

    @property
    def drop_pattern(self) -> str:
        return f"{self.drop_folder}/*/*" if self.nested else f"{self.drop_folder}/*"


@dataclass
class DropReport:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # links and other non-files
    reports: dict[str, str] = field(default_factory=dict)  # rejected or refused -> its report text
    # rejected file -> its problems as documents (Problem.to_dict: file, row, column, code ...)
    problems: dict[str, list[dict]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # accepted file -> what it superseded


@dataclass(frozen=True)
class Scan:
    """What waits in a feed's drop folder: files ready to load, entries to refuse."""

    files: list[Path]
    refused: list[tuple[Path, str]]  # (entry, why)


def is_in_progress(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def scan(feed: FileFeed, inbox: Path, *, settle_s: float = 0.0, now: float | None = None) -> Scan:
    """The feed's waiting files, in the order they were received, without following any link."""
    root = inbox.resolve()
    top = root / feed.drop_folder
    refused: list[tuple[Path, str]] = []
    try:
        info = top.lstat()
    except FileNotFoundError:
        return Scan([], refused)
    if not stat.S_ISDIR(info.st_mode):
        return Scan(
            [],
            [(top, f"the {feed.drop_folder}/ drop folder is {_kind(info.st_mode)}, not a folder")],
        )
    folders = [top]
    if feed.nested:
        folders = []
        for entry in _entries(top):
            kind = _kind(entry.lstat().st_mode)
            if is_in_progress(entry.name):
                continue
            if kind == "a folder":
                folders.append(entry)
            else:
                refused.append(
                    (
                        entry,
                        f"{kind} directly in {feed.drop_folder}/, where only "
                        f"{feed.drop_folder}/<id>/ folders belong",
                    )
                )
    now = time.time() if now is None else now
    ready: list[tuple[int, int, str, Path]] = []
    for folder in folders:
        for entry in _entries(folder):
            if is_in_progress(entry.name):
                continue
            info = entry.lstat()
            if not stat.S_ISREG(info.st_mode):
                refused.append((entry, _kind(info.st_mode)))
            elif now - max(info.st_mtime, info.st_ctime) >= settle_s:
                ready.append((info.st_ctime_ns, info.st_mtime_ns, str(entry), entry))
    return Scan([path for *_, path in sorted(ready)], refused)


def pending_files(feed: FileFeed, inbox: Path, *, settle_s: float = 0.0) -> list[Path]:
    """Files waiting for `feed`, in the order they were received."""
    found = scan(feed, inbox, settle_s=settle_s)
    return found.files + [entry for entry, _ in found.refused]


def process_drop(feed: FileFeed, inbox: Path, store: Store, *, settle_s: float = 0.0) -> DropReport:
    report = DropReport()
    found = scan(feed, inbox, settle_s=settle_s)
    for entry, why in found.refused:
        refuse(entry, inbox, feed, why, report)
    if not found.files:
        return report
    with warehouse.connect(
        store.warehouse_path
    ) as con:  # one connection per drop, a transaction per file
        for path in found.files:
            process_file(feed, path, inbox, store, con, report)
    return report


def process_file(
    feed: FileFeed,
    path: Path,
    inbox: Path,
    store: Store,
    con: duckdb.DuckDBPyConnection,
    report: DropReport,
) -> None:
    name = str(path.relative_to(inbox.resolve()))
    folder = folder_of(feed, path)
    try:
        if feed.streams:
            landed = stream_once(path, store, feed)
        else:
            content = read_once(path, feed.max_file_bytes)
            landed = warehouse.land_bytes(
                store.landing_dir, feed.source, content, path.suffix.lower()[:8]
            )
    except NotARegularFile as exc:
        refuse(path, inbox, feed, str(exc), report)
        return
    except FileTooLarge as exc:
        report.reports[name] = quarantine(path, inbox, folder, None, str(exc))
        report.problems[name] = [file_problem(path, "file_too_large", str(exc))]
        report.rejected.append(name)
        return
    try:
        validated = (
            feed.validate_landed(path, landed) if feed.streams else feed.validate(path, content)
        )
        if not validated.ok:
            report.reports[name] = quarantine(path, inbox, folder, landed, validated.report())
            report.problems[name] = [problem.to_dict() for problem in validated.problems]
            report.rejected.append(name)
            return
        notes = load_file(feed, con, validated.payload, landed, file_name=path.name)
    except Exception as exc:  # noqa: BLE001 - any failure quarantines this file only; the others load
        text = (
            f"{path.name}: the file could not be loaded ({type(exc).__name__}: {exc}). Nothing of it "
            "was written to the warehouse; fix the file (or tell the data team) and send it again."
        )
        report.reports[name] = quarantine(path, inbox, folder, landed, text)
        report.problems[name] = [file_problem(path, "load_failed", str(exc))]
        report.rejected.append(name)
        return
    mark_processed(path, inbox, folder, landed.sha256)
    if notes is None:
        report.unchanged.append(name)
        return
    report.accepted.append(name)
    if notes:
        report.notes[name] = notes


def file_problem(path: Path, code: str, message: str) -> dict:
    """A problem of the whole file that the processor finds itself (too large, failed to load)."""
    return Problem(path.name, None, None, None, code, message).to_dict()


def load_file(
    feed: FileFeed,
    con: duckdb.DuckDBPyConnection,
    payload: Any,
    landed: LandedFile,
    *,
    file_name: str,
) -> list[str] | None:
    """A valid file's rows and its registry row in ONE transaction; None (nothing written) when
    these exact bytes were loaded before, else the feed's notes."""
    received_at = datetime.now(UTC)
    with warehouse.transaction(con):
        if warehouse.is_loaded(con, landed.sha256):
            return None
        notes = feed.load(con, payload, landed, received_at)
        warehouse.record_landed_file(
            con,
            landed,
            source=feed.source,
            file_name=file_name,
            loaded_into=feed.loaded_into,
            fetched_at=received_at,
            content_type=content_type(file_name),
        )
    return notes


class NotARegularFile(OSError):
    """The entry is a link, a folder, a device or a pipe: refused, never read through."""


class FileTooLarge(ValueError):
    """More bytes than the feed accepts: quarantined without being read to the end."""


def open_regular(path: Path) -> BinaryIO:
    """ONE descriptor on the entry, opened without following links, refused unless a regular file."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO):
            raise NotARegularFile(
                f"{path.name} is a link or special file; it was not read"
            ) from exc
        raise
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise NotARegularFile(f"{path.name} is not a regular file; it was not read")
    return handle


def read_once(path: Path, max_bytes: int) -> bytes:
    """The file's bytes from ONE descriptor opened without following links, at most `max_bytes`."""
    with open_regular(path) as handle:
        content = handle.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileTooLarge(
            f"{path.name} is larger than {max_bytes:,} bytes, the most a file may have; "
            "it was not read to the end"
        )
    return content


def stream_once(path: Path, store: Store, feed: FileFeed) -> LandedFile:
    """`read_once` for big files: the file from ONE descriptor opened without following links,
    copied into the landing zone in chunks, at most `feed.max_file_bytes`."""
    with open_regular(path) as handle:
        try:
            return warehouse.land_stream(
                store.landing_dir, feed.source, handle, _suffix(path), feed.max_file_bytes
            )
        except ValueError:
            raise FileTooLarge(
                f"{path.name} is larger than {feed.max_file_bytes:,} bytes, the most a file may "
                "have; it was not read to the end"
            ) from None


def _suffix(path: Path) -> str:
    """The landed copy's suffix, both parts of a double one (.csv.gz)."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    return suffixes[:12] if suffixes.replace(".", "").isalnum() else path.suffix.lower()[:8]


def folder_of(feed: FileFeed, path: Path) -> str:
    """The quarantine/processed subfolder: the partner's id for nested feeds, else the drop folder."""
    return path.parent.name if feed.nested else feed.drop_folder


def content_type(file_name: str) -> str:
    if file_name.lower().endswith(".parquet"):
        return "application/vnd.apache.parquet"
    if file_name.lower().endswith(".gz"):
        return "application/gzip"
    if file_name.lower().endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv"


def private_dir(base: Path, *parts: str) -> Path:
    """base/parts..., each level made readable by the pipeline's user only."""
    path = base
    for part in parts:
        path = path / part
        path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)
    return path


def move(path: Path, target_dir: Path, sha256: str | None, report_text: str | None = None) -> Path:
    """Move a handled entry out of the drop folder (the entry itself: a link stays a link), under its
    hash prefix, with its report if any; both private to the pipeline's user. `target_dir` is made
    by the caller (private_dir)."""
    prefix = sha256[:12] if sha256 else datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = target_dir / f"{prefix}_{path.name}"
    os.rename(path, target)  # same file system; never copies through a link
    if not target.is_symlink():
        os.chmod(target, PRIVATE_FILE)
    if report_text is not None:
        report = target.with_name(target.name + ".report.txt")
        fd = os.open(
            report,
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
            PRIVATE_FILE,
        )
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(report_text)
    return target


def mark_processed(path: Path, inbox: Path, folder: str, sha256: str) -> Path:
    return move(path, private_dir(inbox.resolve(), "processed", folder), sha256)


def quarantine(
    path: Path, inbox: Path, folder: str, landed: LandedFile | None, problems: str
) -> str:
    """Move a rejected file to quarantine with its report; returns the report's text."""
    kept = (
        f"sha256: {landed.sha256}\noriginal: {landed.path}\n"
        if landed
        else "original: kept only here (not landed)\n"
    )
    text = f"{kept}received: {datetime.now(UTC).isoformat(timespec='seconds')}\n\n{problems}"
    move(
        path,
        private_dir(inbox.resolve(), "quarantine", folder),
        landed.sha256 if landed else None,
        report_text=text,
    )
    return text


def refuse(entry: Path, inbox: Path, feed: FileFeed, why: str, report: DropReport) -> None:
    """A link or other non-file in the drop folder: moved aside as it is (never followed), reported.
    The drop folder itself, when it is not a real folder, is reported and left for an operator."""
    root = inbox.resolve()
    name = str(entry.relative_to(root))
    text = (
        f"refused: {name} ({why})\nseen: {datetime.now(UTC).isoformat(timespec='seconds')}\n\n"
        f"Only regular files are read from the {feed.name} inbox; links, folders and special files are "
        "not followed, and nothing they point to is read or moved."
    )
    report.refused.append(name)
    report.reports[name] = text
    if entry == root / feed.drop_folder:
        return
    folder = (
        entry.parent.name
        if feed.nested and entry.parent != root / feed.drop_folder
        else feed.drop_folder
    )
    move(entry, private_dir(root, "quarantine", folder, "refused"), None, report_text=text)


def _entries(folder: Path) -> list[Path]:
    with os.scandir(folder) as entries:
        return [Path(e.path) for e in entries]


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a file"
    return "not a regular file"
