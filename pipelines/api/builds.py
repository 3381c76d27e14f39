"""Which build a request reads, and one read-only DuckDB connection per build (plain Python).

The API reads only the published serving copy: `serving/current -> builds/<build_id>`
(pipelines/lib/publish.py). Each request resolves `current` once, at its start, and reads that
build only: its DuckDB file through a cursor of the build's cached connection, its downloads
through file handles opened then. A publish switches `current` with one rename, so a request
sees the previous build or the new one, never a mix.

Nothing here blocks a publish: a publish writes a new folder and renames a link; the API only
opens files of finished builds, read-only. publish.py prunes all but its newest builds with
`rmtree`; a build's connection stays open while a request uses it (reference counted), and
POSIX keeps an unlinked file readable for as long as it is open. A connection of a build that
is no longer current is closed when its last request ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.lib import downloads, publish


class NoBuild(Exception):
    """No build is published in the serving folder (yet)."""


@dataclass
class Build:
    build_id: str
    folder: Path
    connection: duckdb.DuckDBPyConnection
    datapackage: dict
    users: int = 0
    retired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    memo: dict = field(default_factory=dict, repr=False)  # small lists read once per build

    @property
    def resources(self) -> dict[str, dict]:
        return {r["name"]: r for r in self.datapackage.get("resources", [])}

    @property
    def downloads_dir(self) -> Path:
        return self.folder / downloads.DOWNLOADS_DIR

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self.lock:  # creating a cursor touches the shared connection
            return self.connection.cursor()


class BuildCache:
    """One open build per build id; the current one found through `serving/current`."""

    def __init__(self, serving_dir: Path):
        self.serving_dir = Path(serving_dir)
        self._builds: dict[str, Build] = {}
        self._lock = threading.Lock()

    def current_id(self) -> str:
        build_id = publish.current_build(self.serving_dir)
        if build_id is None:
            raise NoBuild(f"no build is published in {self.serving_dir}")
        return build_id

    @contextlib.contextmanager
    def use(self) -> Iterator[Build]:
        """The current build for the length of one request."""
        build = self.acquire()
        try:
            yield build
        finally:
            self.release(build)

    def acquire(self) -> Build:
        with self._lock:
            for _ in range(3):  # a publish may switch and prune between two steps
                build_id = self.current_id()
                build = self._builds.get(build_id)
                if build is None:
                    try:
                        build = self._open(build_id)
                    except (OSError, duckdb.Error, ValueError):
                        continue  # pruned under us: resolve `current` again
                    self._builds[build_id] = build
                for other in list(self._builds.values()):
                    if other.build_id != build_id:
                        other.retired = True
                        self._close_if_unused(other)
                build.users += 1
                return build
            raise NoBuild(f"the current build in {self.serving_dir} could not be opened")

    def release(self, build: Build) -> None:
        with self._lock:
            build.users -= 1
            self._close_if_unused(build)

    def close(self) -> None:
        with self._lock:
            for build in list(self._builds.values()):
                build.retired = True
                build.users = 0
                self._close_if_unused(build)

    def _close_if_unused(self, build: Build) -> None:
        if build.retired and build.users <= 0:
            self._builds.pop(build.build_id, None)
            build.connection.close()

    def _open(self, build_id: str) -> Build:
        folder = self.serving_dir / publish.BUILDS_DIR / build_id
        # read_only: many readers, and no lock that a writer could wait for.
        connection = duckdb.connect(str(folder / publish.SERVING_FILE), read_only=True)
        try:
            with open(
                folder / downloads.DOWNLOADS_DIR / downloads.DATAPACKAGE, encoding="utf-8"
            ) as handle:
                package = json.load(handle)
        except FileNotFoundError:
            package = {"resources": []}  # a build published before the download set existed
        except (OSError, ValueError):
            connection.close()
            raise
        return Build(build_id, folder, connection, package)


def open_download(build: Build, file_name: str) -> int:
    """A file descriptor of one of the build's download files (named by its datapackage)."""
    return os.open(build.downloads_dir / file_name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
