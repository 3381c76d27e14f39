"""The drop processor shared by every file feed (partner submissions, Borlänge Energi's reports
and meter values, hourly carbon intensity). Plain Python, no Dagster.

A feed is a `FileFeed`: where its files wait, how one file is validated (its bytes, or for big files
its landed copy), and how a valid one is written to raw. Every validator returns the feeds' shared
`Validation` (sources/feed_problems.py): the processor loads its payload or quarantines the file
with its report. The processor does the rest the same way for every feed:

    <inbox>/<drop folder>/<file>                     waiting
    <inbox>/processing/<drop folder>/<file>          taken: being read, validated and loaded
    <inbox>/processed/<folder>/<sha12>_<file>        loaded, or the same bytes were loaded before
    <inbox>/quarantine/<folder>/<sha12>_<file>       rejected, with <…>.report.txt beside it
    <inbox>/quarantine/<folder>/refused/<id>_<name>  refused, not read, with its report: a link or
                                                     other non-file (moved as it is), a file with
                                                     a hostile name, or a hard link's copy

- a file is first TAKEN: renamed out of the drop folder into processing/ (the pipeline's own,
  private folder). Only then is it read, landed, validated and loaded, so a file the pipeline
  cannot move (another mount, a folder it may not write) is never loaded: it stays where it is,
  refused with a report. A run that dies leaves the file in processing/, and the next run finishes
  it first (loading is idempotent by sha256, so a file whose rows were committed is filed as
  unchanged);
- names: a processed, quarantined or report name always fits the file system's 255 bytes (a long
  name is cut on a character boundary, its extension and a hash of the whole name kept), and every
  report names the file as sent. A name with control, format (bidirectional, zero-width) or
  unassigned characters, or bytes that are not UTF-8, or that starts with "..", is refused and
  shown escaped; names starting with "." or "~$" or ending in ".part"/".tmp"/".crdownload" are
  uploads in progress and wait, as does a file changed less than `settle_s` seconds ago;
- links are never followed: a drop folder or an entry that is not a real directory or regular file
  inside the resolved inbox is refused (moved aside as the entry itself, with a report). A hard
  link (a file with more than one name) is refused too: its bytes are copied into a new private
  file in the quarantine and only its name in the inbox is removed, so the other names keep the
  file, its bytes and its mode; it is never read for loading;
- the pipeline changes the mode of no file it does not own alone: processed and quarantined files
  it owns become 0600; another user's file (a group-shared upload folder) is filed as it is, inside
  the 0700 folders;
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
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any, BinaryIO

import duckdb

from pipelines.lib import warehouse
from pipelines.lib.warehouse import LandedFile, Store
from sources.feed_problems import Problem, Validation
from sources.file_limits import is_safe_text, printable

IGNORED_PREFIXES = (".", "~$")  # hidden files, uploads in progress, Excel's lock files
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload")
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024  # a feed's validator applies its own, smaller limit
NAME_MAX = 255  # bytes in one file name (Linux's NAME_MAX, and most file systems')
REPORT_SUFFIX = ".report.txt"
PROCESSING, PROCESSED, QUARANTINE, REFUSED = "processing", "processed", "quarantine", "refused"
_EXTENSION_CHARS = 10  # a kept extension part: ".csv", ".gz", ".parquet"; longer is not one
_COPY_CHUNK = 1024 * 1024


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
    # Asked with the open file before anything is copied: (code, reason) to quarantine it
    # unlanded (a sparse file, a landing zone over its quota), or None.
    admit: Callable[[BinaryIO, str], tuple[str, str] | None] | None = None

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
    # Not read: links and other non-files, hostile names, hard links, files that cannot be taken
    # out of the inbox or read. Each has its report.
    refused: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)  # rejected or refused -> its report text
    # rejected file -> its problems as documents (Problem.to_dict: file, row, column, code ...)
    problems: dict[str, list[dict]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # accepted file -> what it superseded


@dataclass(frozen=True)
class Scan:
    """What waits in a feed's drop folder: files ready to load, entries to refuse."""

    files: list[Path]
    refused: list[tuple[Path, str]]  # (entry, why)


# --------------------------------------------------------------------------- names


def is_in_progress(name: str) -> bool:
    """An upload in progress, by the convention senders follow: hidden (".name", but not a name
    starting with ".."), Excel's lock file ("~$name") or a partial download's suffix."""
    if name.startswith(".."):
        return False
    return name.startswith(IGNORED_PREFIXES) or name.lower().endswith(IN_PROGRESS_SUFFIXES)


def name_problem(name: str) -> str | None:
    """Why a file (or folder) name is refused, or None. A name is shown in reports, logs and the
    UI: one that cannot be shown as it is, or that reads as a path, is never taken."""
    if name.startswith(".."):
        return "its name starts with '..', the way a path to the parent folder is written"
    if not is_safe_text(name):
        return (
            "its name holds control, invisible or bidirectional-text characters (such as a "
            "right-to-left override) or bytes that are not UTF-8; they are shown escaped"
        )
    return None


def fitted_name(prefix: str, name: str, budget: int = NAME_MAX - len(REPORT_SUFFIX)) -> str:
    """`<prefix>_<name>` as a stored name: printable (hostile characters escaped) and at most
    `budget` bytes of UTF-8, so that its report's name fits too. A name too long for that is cut
    on a character boundary; its extension is kept, and a hash of the whole name keeps two long
    names that start alike apart. The same name gives the same stored name on every run."""
    shown = printable(name)
    whole = f"{prefix}_{shown}"
    if len(whole.encode("utf-8")) <= budget:
        return whole
    extension = _extension(shown)
    tag = "…" + hashlib.sha256(os.fsencode(name)).hexdigest()[:8]
    room = budget - len(f"{prefix}_{tag}{extension}".encode())
    stem = shown[: len(shown) - len(extension)].encode("utf-8")[: max(room, 0)]
    return f"{prefix}_{stem.decode('utf-8', 'ignore')}{tag}{extension}"


def _extension(name: str) -> str:
    """The name's last one or two suffixes (".csv", ".csv.gz"), when they are short words."""
    parts = name.split(".")[1:]
    kept = ""
    for part in reversed(parts[-2:]):
        if not (0 < len(part) <= _EXTENSION_CHARS and part.isascii() and part.isalnum()):
            break
        kept = f".{part}{kept}"
    return kept if kept != name else ""


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- what waits


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
        for entry, info in _listed(top):
            why = name_problem(entry.name)
            if why is None and stat.S_ISDIR(info.st_mode):
                folders.append(entry)
            else:
                refused.append(
                    (
                        entry,
                        why
                        or f"{_kind(info.st_mode)} directly in {feed.drop_folder}/, where only "
                        f"{feed.drop_folder}/<id>/ folders belong",
                    )
                )
    now = time.time() if now is None else now
    ready: list[tuple[int, int, str, Path]] = []
    for folder in folders:
        for entry, info in _listed(folder):
            why = name_problem(entry.name)
            if why is not None:
                refused.append((entry, why))
            elif not stat.S_ISREG(info.st_mode):
                refused.append((entry, _kind(info.st_mode)))
            elif info.st_nlink > 1:
                refused.append((entry, _hard_link(info.st_nlink)))
            elif now - max(info.st_mtime, info.st_ctime) >= settle_s:
                ready.append((info.st_ctime_ns, info.st_mtime_ns, str(entry), entry))
    return Scan([path for *_, path in sorted(ready)], refused)


def taken_files(feed: FileFeed, inbox: Path) -> list[Path]:
    """Files a run took out of the drop folder and did not finish (it died): they come first."""
    root = inbox.resolve() / PROCESSING / feed.drop_folder
    if not root.is_dir() or root.is_symlink():
        return []
    folders = [root]
    if feed.nested:
        folders = [entry for entry, info in _listed(root) if stat.S_ISDIR(info.st_mode)]
    taken = [
        (info.st_ctime_ns, str(entry), entry)
        for folder in folders
        for entry, info in _listed(folder, in_progress_too=True)
        if not stat.S_ISDIR(info.st_mode)
    ]
    return [path for *_, path in sorted(taken)]


def pending_files(feed: FileFeed, inbox: Path, *, settle_s: float = 0.0) -> list[Path]:
    """Files waiting for `feed`, in the order they were received (and any a dead run left)."""
    found = scan(feed, inbox, settle_s=settle_s)
    return taken_files(feed, inbox) + found.files + [entry for entry, _ in found.refused]


# --------------------------------------------------------------------------- the drop


def process_drop(feed: FileFeed, inbox: Path, store: Store, *, settle_s: float = 0.0) -> DropReport:
    report = DropReport()
    root = inbox.resolve()
    taken = taken_files(feed, root)
    found = scan(feed, inbox, settle_s=settle_s)
    for entry, why in found.refused:
        _guarded(entry, root, report, lambda e=entry, w=why: refuse(e, root, feed, w, report))
    if not taken and not found.files:
        return report
    with warehouse.connect(
        store.warehouse_path
    ) as con:  # one connection per drop, a transaction per file
        for path in taken:
            _guarded(
                path,
                root,
                report,
                lambda p=path: process_file(feed, p, root, store, con, report),
            )
        for path in found.files:

            def take_and_process(path: Path = path) -> None:
                taken_path = take(feed, path, root, report)
                if taken_path is not None:
                    process_file(feed, taken_path, root, store, con, report)

            _guarded(path, root, report, take_and_process)
    return report


def take(feed: FileFeed, path: Path, inbox: Path, report: DropReport) -> Path | None:
    """Rename a waiting file into processing/ before anything of it is read. A file that cannot be
    moved out of the inbox is never loaded: it is refused, left where it is, with its report."""
    root = inbox.resolve()
    relative = path.relative_to(root)
    target = private_dir(root, PROCESSING, *relative.parent.parts) / path.name
    if os.path.lexists(target):  # a file of that name is still being handled: this one waits
        return None
    try:
        os.rename(path, target)
    except OSError as exc:
        leave(
            path,
            root,
            feed,
            f"it could not be taken out of the inbox ({exc.strerror or exc}); nothing of it was "
            "read or loaded. The folder must let the pipeline's user move files out of it",
            report,
        )
        return None
    return target


def process_file(
    feed: FileFeed,
    path: Path,
    inbox: Path,
    store: Store,
    con: duckdb.DuckDBPyConnection,
    report: DropReport,
) -> None:
    """One taken file (in processing/): read once, landed, validated, loaded, then filed."""
    root = inbox.resolve()
    relative = _relative(path, root)
    name = printable(str(relative))
    folder = _folder(feed, relative)
    try:
        handle = open_regular(path)
    except NotARegularFile as exc:
        refuse(path, root, feed, str(exc), report)
        return
    except PermissionError as exc:
        refuse(path, root, feed, _unreadable(path, exc), report)
        return
    content = None
    with handle:
        links = os.fstat(handle.fileno()).st_nlink
        if links > 1:  # linked after the scan: the descriptor says so
            refuse(path, root, feed, _hard_link(links), report, source=handle)
            return
        refusal = feed.admit(handle, path.name) if feed.admit else None
        if refusal is not None:
            code, reason = refusal
            report.reports[name] = quarantine(path, root, folder, None, reason, shown=name)
            report.problems[name] = [file_problem(path, code, reason)]
            report.rejected.append(name)
            return
        try:
            if feed.streams:
                landed = _stream(handle, path.name, store, feed)
            else:
                content = _read(handle, path.name, feed.max_file_bytes)
                landed = warehouse.land_bytes(
                    store.landing_dir, feed.source, content, path.suffix.lower()[:8]
                )
        except FileTooLarge as exc:
            report.reports[name] = quarantine(path, root, folder, None, str(exc), shown=name)
            report.problems[name] = [file_problem(path, "file_too_large", str(exc))]
            report.rejected.append(name)
            return
    try:
        validated = validated_file(feed, path, landed, content)
        if not validated.ok:
            report.reports[name] = quarantine(
                path, root, folder, landed, validated.report(), shown=name
            )
            report.problems[name] = [problem.to_dict() for problem in validated.problems]
            report.rejected.append(name)
            return
        notes = load_file(feed, con, validated.payload, landed, file_name=path.name)
    except Exception as exc:  # noqa: BLE001 - any failure quarantines this file only; the others load
        text = (
            f"{printable(path.name)}: the file could not be loaded ({type(exc).__name__}: "
            f"{printable(str(exc))}). Nothing of it was written to the warehouse; fix the file "
            "(or tell the data team) and send it again."
        )
        report.reports[name] = quarantine(path, root, folder, landed, text, shown=name)
        report.problems[name] = [file_problem(path, "load_failed", str(exc))]
        report.rejected.append(name)
        return
    # Committed. Filing it can only fail on the pipeline's own folders; then the file stays in
    # processing/ and the next run files it (as unchanged: the same bytes are loaded).
    try:
        mark_processed(path, root, folder, landed.sha256)
    except OSError as exc:
        unfiled = (
            f"loaded, but not yet filed in {PROCESSED}/ ({exc.strerror or exc}); it waits in "
            f"{PROCESSING}/ and the next run files it"
        )
        notes = [*(notes or []), unfiled] if notes is not None else notes
    if notes is None:
        report.unchanged.append(name)
        return
    report.accepted.append(name)
    if notes:
        report.notes[name] = notes


def validated_file(
    feed: FileFeed, path: Path, landed: LandedFile, content: bytes | None
) -> Validation:
    """The feed's validation of a file read once: its bytes, or its landed copy."""
    return feed.validate_landed(path, landed) if feed.streams else feed.validate(path, content)


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


def _guarded(path: Path, root: Path, report: DropReport, step: Callable[[], None]) -> None:
    """One entry's handling; whatever it raises is that entry's report, and the drop goes on.
    (A run that is killed is not an exception here: the next run finishes what it took.)"""
    try:
        step()
    except Exception as exc:  # noqa: BLE001 - one entry never stops the drop
        name = printable(str(_relative(path, root)))
        text = (
            f"refused: {name} (it could not be handled: {type(exc).__name__}: "
            f"{printable(str(exc))})\nseen: {_now()}\n\nIt was left where it is; the next run "
            f"tries it again. Tell the data team if this report comes back."
        )
        if name not in report.refused:
            report.refused.append(name)
        report.reports[name] = text


# --------------------------------------------------------------------------- reading once


class NotARegularFile(OSError):
    """The entry is a link, a folder, a device or a pipe: refused, never read through."""


class FileTooLarge(ValueError):
    """More bytes than the feed accepts: quarantined without being read to the end."""


def open_regular(path: Path) -> BinaryIO:
    """ONE descriptor on the entry, opened without following links; refused unless a regular
    file."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO):
            raise NotARegularFile(
                f"{printable(path.name)} is a link or special file; it was not read"
            ) from exc
        raise
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise NotARegularFile(f"{printable(path.name)} is not a regular file; it was not read")
    return handle


def read_once(path: Path, max_bytes: int) -> bytes:
    """The file's bytes from ONE descriptor opened without following links, at most `max_bytes`."""
    with open_regular(path) as handle:
        return _read(handle, path.name, max_bytes)


def _read(handle: BinaryIO, name: str, max_bytes: int) -> bytes:
    content = handle.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileTooLarge(
            f"{printable(name)} is larger than {max_bytes:,} bytes, the most a file may have; "
            "it was not read to the end"
        )
    return content


def stream_once(path: Path, store: Store, feed: FileFeed) -> LandedFile:
    """`read_once` for big files: the file from ONE descriptor opened without following links,
    copied into the landing zone in chunks, at most `feed.max_file_bytes`."""
    with open_regular(path) as handle:
        return _stream(handle, path.name, store, feed)


def _stream(handle: BinaryIO, name: str, store: Store, feed: FileFeed) -> LandedFile:
    try:
        return warehouse.land_stream(
            store.landing_dir, feed.source, handle, _suffix(Path(name)), feed.max_file_bytes
        )
    except ValueError:
        raise FileTooLarge(
            f"{printable(name)} is larger than {feed.max_file_bytes:,} bytes, the most a file may "
            "have; it was not read to the end"
        ) from None


def _suffix(path: Path) -> str:
    """The landed copy's suffix, both parts of a double one (.csv.gz)."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    return suffixes[:12] if suffixes.replace(".", "").isalnum() else path.suffix.lower()[:8]


def _relative(path: Path, root: Path) -> PurePath:
    """The entry's place as the sender named it: relative to the inbox, or to processing/."""
    relative = path.relative_to(root)
    return PurePath(*relative.parts[1:]) if relative.parts[0] == PROCESSING else relative


def _folder(feed: FileFeed, relative: PurePath) -> str:
    """The quarantine/processed subfolder: the partner's id for nested feeds, else the drop
    folder."""
    return relative.parts[1] if feed.nested and len(relative.parts) > 2 else feed.drop_folder


def content_type(file_name: str) -> str:
    if file_name.lower().endswith(".parquet"):
        return "application/vnd.apache.parquet"
    if file_name.lower().endswith(".gz"):
        return "application/gzip"
    if file_name.lower().endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv"


# --------------------------------------------------------------------------- filing


def private_dir(base: Path, *parts: str) -> Path:
    """base/parts..., each level made readable by the pipeline's user only."""
    path = base
    for part in parts:
        path = path / part
        path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    """0600 for a regular file the pipeline's user owns under this one name. Another user's file
    or a hard link is left as it is: changing its mode would change it wherever else it is."""
    info = os.lstat(path)
    if (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.geteuid()
        and info.st_nlink == 1
        and stat.S_IMODE(info.st_mode) != PRIVATE_FILE
    ):
        os.chmod(path, PRIVATE_FILE)


def move(
    path: Path,
    target_dir: Path,
    sha256: str | None,
    report_text: str | None = None,
    *,
    prefix: str | None = None,
) -> Path:
    """Move a handled entry (the entry itself: a link stays a link) into `target_dir` under its
    hash prefix and a name that fits (`fitted_name`), with its report if any; both private to the
    pipeline's user. `target_dir` is made by the caller (private_dir)."""
    prefix = prefix or (sha256[:12] if sha256 else _stamp())
    target = target_dir / fitted_name(prefix, path.name)
    os.rename(path, target)  # same file system; never copies through a link
    make_private(target)
    if report_text is not None:
        write_report(target, report_text)
    return target


def write_report(beside: Path, text: str) -> Path:
    """`<beside>.report.txt`, private, never through a link."""
    report = beside.with_name(beside.name + REPORT_SUFFIX)
    fd = os.open(
        report,
        os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
        PRIVATE_FILE,
    )
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return report


def mark_processed(path: Path, inbox: Path, folder: str, sha256: str) -> Path:
    return move(path, private_dir(inbox.resolve(), PROCESSED, folder), sha256)


def quarantine(
    path: Path,
    inbox: Path,
    folder: str,
    landed: LandedFile | None,
    problems: str,
    *,
    shown: str | None = None,
) -> str:
    """Move a rejected file to quarantine with its report; returns the report's text. The report
    names the file as sent (`shown`), whatever its stored name had to become."""
    kept = (
        f"sha256: {landed.sha256}\noriginal: {landed.path}\n"
        if landed
        else "original: kept only here (not landed)\n"
    )
    name = shown or printable(path.name)
    target_dir = private_dir(inbox.resolve(), QUARANTINE, folder)
    target = move(path, target_dir, landed.sha256 if landed else None)
    text = (
        f"{kept}file: {name}\nkept as: {QUARANTINE}/{folder}/{target.name}\n"
        f"received: {_now()}\n\n{problems}"
    )
    write_report(target, text)
    return text


def refuse(
    entry: Path,
    inbox: Path,
    feed: FileFeed,
    why: str,
    report: DropReport,
    *,
    source: BinaryIO | None = None,
) -> None:
    """An entry that is not read: a link or other non-file, a hostile name, a hard link, a file the
    pipeline may not read. It is set aside in quarantine/<folder>/refused/ with its report: the
    entry itself (never followed, never chmod'ed), or for a hard link a private copy of its bytes
    (and only its name in the inbox removed). The drop folder itself, when it is not a real
    folder, is reported and left for an operator."""
    root = inbox.resolve()
    relative = _relative(entry, root)
    name = printable(str(relative))
    if entry == root / feed.drop_folder:
        _refused(report, name, _refusal_text(feed, name, why, "left in place for an operator"))
        return
    folder = _folder(feed, relative)
    target_dir = private_dir(root, QUARANTINE, folder, REFUSED)
    shown_dir = f"{QUARANTINE}/{folder}/{REFUSED}"
    info = os.lstat(entry)
    if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        kept, beside = _set_hard_link_aside(entry, target_dir, shown_dir, feed, source)
    else:
        try:
            target = move(entry, target_dir, None)
        except OSError as exc:
            leave(entry, root, feed, f"{why}; it could not be moved aside ({exc.strerror})", report)
            return
        kept, beside = f"moved as it is to {shown_dir}/{target.name}", target
    text = _refusal_text(feed, name, why, kept)
    write_report(beside, text)
    _refused(report, name, text)


def leave(entry: Path, inbox: Path, feed: FileFeed, why: str, report: DropReport) -> None:
    """Refuse an entry that stays where it is: its report goes to the quarantine under a name
    derived from the entry's, so every run rewrites the same report."""
    root = inbox.resolve()
    relative = _relative(entry, root)
    name = printable(str(relative))
    folder = _folder(feed, relative)
    target_dir = private_dir(root, QUARANTINE, folder, REFUSED)
    key = hashlib.sha256(os.fsencode(str(relative))).hexdigest()[:12]
    text = _refusal_text(feed, name, why, "left where it is; every run reports it again")
    write_report(target_dir / fitted_name(key, entry.name), text)
    _refused(report, name, text)


def _set_hard_link_aside(
    entry: Path, target_dir: Path, shown_dir: str, feed: FileFeed, source: BinaryIO | None
) -> tuple[str, Path]:
    """A private copy of a hard link's bytes (a new inode the pipeline owns), then its name removed
    from the inbox: the other names keep the file as it was. Without a copy (unreadable, too
    large) the name stays, so no byte is ever lost."""
    try:
        if source is None:
            with open_regular(entry) as handle:
                copy, sha256, size = _copy_aside(handle, target_dir, entry.name, feed)
        else:
            source.seek(0)
            copy, sha256, size = _copy_aside(source, target_dir, entry.name, feed)
    except (OSError, FileTooLarge) as exc:
        key = hashlib.sha256(os.fsencode(str(entry))).hexdigest()[:12]
        beside = target_dir / fitted_name(key, entry.name)
        reason = str(exc) if isinstance(exc, FileTooLarge) else (exc.strerror or str(exc))
        return (
            f"not copied ({reason}); left where it is, so its bytes stay under every name",
            beside,
        )
    kept = f"a private copy of its {size:,} bytes (sha256 {sha256}) as {shown_dir}/{copy.name}"
    try:
        os.unlink(entry)
    except OSError as exc:
        return f"{kept}; its name could not be removed from the inbox ({exc.strerror})", copy
    return (
        f"{kept}; this name was removed from the inbox, the file's other names are untouched",
        copy,
    )


def _copy_aside(
    source: BinaryIO, target_dir: Path, name: str, feed: FileFeed
) -> tuple[Path, str, int]:
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".copy-")  # 0600, the pipeline's own
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(_COPY_CHUNK):
                size += len(chunk)
                if size > feed.max_file_bytes:
                    raise FileTooLarge(f"larger than {feed.max_file_bytes:,} bytes")
                digest.update(chunk)
                out.write(chunk)
        sha256 = digest.hexdigest()
        target = target_dir / fitted_name(sha256[:12], name)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target, sha256, size


def _refusal_text(feed: FileFeed, name: str, why: str, kept: str) -> str:
    return (
        f"refused: {name} ({why})\nkept: {kept}\nseen: {_now()}\n\n"
        f"Only regular files with plain names are read from the {feed.name} inbox; links, "
        "folders, special files, hard links and names with control or invisible characters are "
        "not read, and nothing a link points to is read or moved. Send the file again as a plain "
        "file under a plain name."
    )


def _refused(report: DropReport, name: str, text: str) -> None:
    if name not in report.refused:
        report.refused.append(name)
    report.reports[name] = text


def _hard_link(links: int) -> str:
    return (
        f"a hard link: the file has {links} names, so it is also kept somewhere else, maybe "
        "outside the inbox; it was not read, and its mode and bytes were left as they are"
    )


def _unreadable(path: Path, exc: OSError) -> str:
    try:
        info = os.lstat(path)
        whose = f"; owner uid {info.st_uid}, mode {stat.S_IMODE(info.st_mode):04o}"
    except OSError:
        whose = ""
    return f"it cannot be read by the pipeline's user ({exc.strerror}{whose})"


def _listed(folder: Path, *, in_progress_too: bool = False) -> list[tuple[Path, os.stat_result]]:
    """The folder's entries with their own (lstat) status; uploads in progress left out unless
    asked for, and entries that vanish while listed skipped."""
    listed = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not in_progress_too and is_in_progress(entry.name):
                continue
            try:
                listed.append((Path(entry.path), entry.stat(follow_symlinks=False)))
            except FileNotFoundError:
                continue
    return listed


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
