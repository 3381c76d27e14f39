"""What a killed run leaves behind, and how the next run tells it from a live run's work (plain
Python, no Dagster).

A writer of a temporary file or folder holds an exclusive `flock` on it for as long as it writes
(`hold`); the kernel drops the lock when the process dies, however it dies (kill -9 included).
`sweep` removes an entry only when it is older than a safe age AND nobody holds its lock: a live
run's file is never touched, even one that has not been written to for a while.

    fd = os.open(path, ...); hold(fd)                  # the writer, right after creating it
    swept = sweep([(folder, ".landing-*")], min_age_s=3600)   # the next run, at its start
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Swept:
    path: Path
    bytes: int  # real bytes freed (blocks), not the declared size
    age_s: float


def hold(fd: int) -> None:
    """Marks the open file or folder `fd` as a live run's: `sweep` leaves it alone."""
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextlib.contextmanager
def held_folder(path: Path) -> Iterator[Path]:
    """A folder (made if missing) held for the duration: a live run's scratch space."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        hold(fd)
        yield path
    finally:
        os.close(fd)


def sweep(
    places: Iterable[tuple[Path, str]], *, min_age_s: float, now: float | None = None
) -> list[Swept]:
    """Removes each entry matching (folder, glob) that is older than `min_age_s` (its mtime) and
    whose lock nobody holds; links are never followed. Returns what was removed."""
    now = time.time() if now is None else now
    swept = []
    for folder, pattern in places:
        for entry in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            removed = _remove_if_abandoned(entry, min_age_s, now)
            if removed is not None:
                swept.append(removed)
    return swept


def _remove_if_abandoned(entry: Path, min_age_s: float, now: float) -> Swept | None:
    try:
        info = entry.lstat()
    except FileNotFoundError:
        return None
    age = now - info.st_mtime
    is_dir = stat.S_ISDIR(info.st_mode)
    if age < min_age_s or not (is_dir or stat.S_ISREG(info.st_mode)):
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if is_dir else 0)
    try:
        fd = os.open(entry, flags)
    except OSError:
        return None
    try:
        try:
            hold(fd)
        except BlockingIOError:  # a live run's
            return None
        freed = real_bytes(entry) if is_dir else info.st_blocks * 512
        if is_dir:
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        return Swept(entry, freed, age)
    finally:
        os.close(fd)


def real_bytes(folder: Path) -> int:
    """The blocks a folder's files take on disk (a sparse file counts what it stores); links are
    not followed, and a file that goes while it is counted counts nothing."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                total += (Path(root) / name).lstat().st_blocks * 512
    return total


def has_holes(fd: int) -> bool:
    """Whether the open file has holes (a sparse file): its first hole lies before its end.
    Copying it would write the holes out as real bytes. A file system without hole support says
    no hole (its first hole is the end)."""
    size = os.fstat(fd).st_size
    position = os.lseek(fd, 0, os.SEEK_CUR)
    try:
        return os.lseek(fd, 0, os.SEEK_HOLE) < size
    except OSError:
        return False
    finally:
        os.lseek(fd, position, os.SEEK_SET)
