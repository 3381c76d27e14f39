"""Publish the marts for readers (plain Python, no Dagster).

BI tools never open the file the pipeline writes (DuckDB: one writer, or many readers, never
both). After the marts are built and their checks pass, this publishes a build: a DuckDB file
with the marts and the dimension tables, and Parquet exports of every mart with a
`_manifest.json` (table, rows, columns, vintage, build time, revision). Each build has a build
id, also in the DuckDB file's `marts._manifest` table.

Both channels of a build live in one folder, and one link says which build is current:

    serving/builds/<build_id>/parquet/<mart>.parquet, _manifest.json    written first
    serving/builds/<build_id>/downloads/<mart>.csv|xlsx|json|parquet,   the open-data download set
                              datapackage.json                          (pipelines/lib/downloads.py)
    serving/builds/<build_id>/borlange.duckdb                           then the DuckDB copy
    serving/current           -> builds/<build_id>          the one switch: a rename of a link
    serving/borlange.duckdb   -> current/borlange.duckdb    what readers open (made once)
    serving/parquet/current   -> ../current/parquet         what readers open (made once)

A build is staged whole in `builds/.<build_id>.tmp/`, fsynced, renamed to `builds/<build_id>`
(still invisible), and then `current` is switched by renaming a new link over it: both reader
paths go through `current`, so both change in that one atomic rename, and the directory is
fsynced after each rename. A crash at any point leaves both paths on the previous build or both
on the new one, never one of each. What a crashed publish leaves (`.*.tmp` files, links and
folders) is swept at the start of the next, which also heals a layout that an older version
left (a plain `borlange.duckdb` beside `parquet/<build_id>`) without a moment of disagreement.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib import downloads
from pipelines.lib.durable import fsync, fsync_dir
from pipelines.lib.sql import qualified, quote_identifier, quote_literal
from pipelines.settings import REPO_ROOT, STORAGE_VERSION
from sources.formula_safety import neutralise_sql

SERVING_FILE = "borlange.duckdb"
PARQUET_DIR = "parquet"
BUILDS_DIR = "builds"
CURRENT = "current"
LOCK_FILE = ".publish.lock"
KEEP_BUILDS = 3
TMP_PATTERN = ".*.tmp"  # every temporary name below starts with . and ends with .tmp
SERVING = qualified(
    "serving", "marts"
)  # the serving file's schema, attached as `serving`; readers see `marts`
# What the reader paths point at, relative to the folder each lives in.
SERVING_LINK_TARGET = f"{CURRENT}/{SERVING_FILE}"
PARQUET_LINK_TARGET = f"../{CURRENT}/{PARQUET_DIR}"


@dataclass(frozen=True)
class Published:
    build_id: str
    serving_file: Path
    parquet_dir: Path
    manifest: dict
    downloads_dir: Path | None = None


def connect_build(folder: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the serving copy of a published build (serving/builds/<id>)."""
    return duckdb.connect(str(folder / SERVING_FILE), read_only=True)


def git_revision() -> str:
    """The checkout's commit, for a build whose settings do not name one (GIT_REVISION)."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute("""
        select table_name from information_schema.tables
        where table_schema = 'marts' and table_type = 'BASE TABLE'
          and table_name not like '\\_%' escape '\\'
        order by table_name""").fetchall()
    ]


def table_manifest(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    columns = con.execute(
        """select column_name, data_type from information_schema.columns
        where table_schema = 'marts' and table_name = ? order by ordinal_position""",
        [table],
    ).fetchall()
    rows = con.execute(f"select count(*) from {qualified('marts', table)}").fetchall()[0][0]
    vintage = None
    if any(name == "vintage" for name, _ in columns):
        vintage = con.execute(
            f"select max(vintage)::varchar from {qualified('marts', table)}"
        ).fetchall()[0][0]
    return {
        "table": table,
        "rows": rows,
        "columns": [{"name": n, "type": t} for n, t in columns],
        "vintage": vintage,
    }


def build_manifest(
    con: duckdb.DuckDBPyConnection, build_id: str, built_at: datetime, revision: str | None = None
) -> dict:
    return {
        "build_id": build_id,
        "built_at": built_at.isoformat(timespec="seconds"),
        "git_revision": revision or git_revision(),
        "tables": [table_manifest(con, t) for t in mart_tables(con)],
    }


def new_build_id(run_id: str | None = None, now: datetime | None = None) -> str:
    """Sortable by time (pruning keeps the newest), tied to the Dagster run when there is one."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{run_id[:8]}" if run_id else stamp


def crash_point(step: str) -> None:
    """Called after each durable step of a publish; the tests replace it to crash there. Steps:
    parquet_written, downloads_written, duckdb_written, build_renamed, current_switched."""


def publish(
    warehouse_path: Path,
    serving_dir: Path,
    *,
    build_id: str | None = None,
    storage_version: str = "v1.0.0",
    git_revision: str | None = None,
    dbt_manifest: Path | None = None,
    with_downloads: bool = True,
) -> Published:
    """Publish the warehouse's marts as a new build: staged, then switched in with one rename.
    `dbt_manifest` gives the download set its descriptions, sources and open-data marts, and is
    required with downloads (ManifestMissing, before anything is staged); a build without them
    (`with_downloads=False`, for tests of the DuckDB copy alone) serves no downloads."""
    if not STORAGE_VERSION.fullmatch(storage_version):
        raise ValueError(
            f"storage_version {storage_version!r} is not a DuckDB version such as v1.0.0"
        )
    if with_downloads and dbt_manifest is None:
        raise downloads.ManifestMissing(
            "a publish with downloads needs dbt's manifest (dbt_manifest)"
        )
    docs = downloads.mart_docs(dbt_manifest) if with_downloads else {}
    built_at = datetime.now(UTC)
    build_id = build_id or new_build_id(now=built_at)
    if build_id.startswith(".") or "/" in build_id or not build_id.strip():
        raise ValueError(f"build id {build_id!r} cannot name a folder")
    serving_dir.mkdir(parents=True, exist_ok=True)
    with publish_lock(serving_dir):
        sweep(serving_dir)
        builds = serving_dir / BUILDS_DIR
        builds.mkdir(exist_ok=True)
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            manifest = build_manifest(con, build_id, built_at, git_revision)
            staged = builds / f".{build_id}.tmp"
            staged.mkdir()
            write_parquet(con, staged / PARQUET_DIR, manifest)
            crash_point("parquet_written")
            if with_downloads:
                downloads.write_downloads(
                    con, staged / downloads.DOWNLOADS_DIR, manifest, staged / PARQUET_DIR, docs
                )
            crash_point("downloads_written")
            write_serving_file(con, staged, manifest, storage_version)
            crash_point("duckdb_written")
        fsync_dir(staged)
        build_dir = builds / build_id
        os.replace(staged, build_dir)  # complete, and still invisible to readers
        fsync_dir(builds)
        crash_point("build_renamed")
        switch_link(serving_dir / CURRENT, f"{BUILDS_DIR}/{build_id}")  # both channels, one rename
        crash_point("current_switched")
        ensure_reader_links(serving_dir)  # the first publish into this folder makes them
        prune_builds(serving_dir, keep=KEEP_BUILDS)
    return Published(
        build_id,
        serving_dir / SERVING_FILE,
        build_dir / PARQUET_DIR,
        manifest,
        build_dir / downloads.DOWNLOADS_DIR if with_downloads else None,
    )


def write_serving_file(
    con: duckdb.DuckDBPyConnection, build_dir: Path, manifest: dict, storage_version: str
) -> Path:
    """The DuckDB copy of the marts, in the (staged) build folder."""
    target = build_dir / SERVING_FILE
    target.unlink(missing_ok=True)
    # An older storage version keeps the file readable by BI tools that bundle an older DuckDB.
    con.execute(
        f"attach {quote_literal(target)} as serving "
        f"(storage_version {quote_literal(storage_version)}, read_only false)"
    )
    try:
        con.execute(f"create schema {SERVING}")
        for entry in manifest["tables"]:
            name = quote_identifier(entry["table"])
            con.execute(
                f"create table {SERVING}.{name} as select * from "
                f"{qualified('marts', entry['table'])}"
            )
        con.execute(
            f"create table {SERVING}.{quote_identifier('_manifest')} (build_id varchar, built_at "
            "varchar, git_revision varchar, manifest_json varchar)"
        )
        con.execute(
            f"insert into {SERVING}.{quote_identifier('_manifest')} values (?, ?, ?, ?)",
            [
                manifest["build_id"],
                manifest["built_at"],
                manifest["git_revision"],
                json.dumps(manifest),
            ],
        )
    finally:
        con.execute("detach serving")
    fsync(target)
    return target


def write_parquet(con: duckdb.DuckDBPyConnection, parquet_dir: Path, manifest: dict) -> Path:
    """Every mart as Parquet, and the manifest, in the (staged) build folder. Text a spreadsheet
    would run as a formula (partners' and the utility's free text) is made inert on the way out."""
    parquet_dir.mkdir(parents=True)
    for entry in manifest["tables"]:
        path = parquet_dir / f"{entry['table']}.parquet"
        columns = ", ".join(
            f"{neutralise_sql(quote_identifier(c['name']))} as {quote_identifier(c['name'])}"
            if c["type"] == "VARCHAR"
            else quote_identifier(c["name"])
            for c in entry["columns"]
        )
        con.execute(
            f"copy (select {columns} from {qualified('marts', entry['table'])}) to "
            f"{quote_literal(path)} (format parquet, compression zstd)"
        )
        fsync(path)
    manifest_path = parquet_dir / "_manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    fsync(manifest_path)
    fsync_dir(parquet_dir)
    return parquet_dir


def switch_link(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one), durably."""
    tmp = link.with_name(f".{link.name}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)
    fsync_dir(link.parent)


def ensure_reader_links(serving_dir: Path) -> None:
    """`borlange.duckdb` and `parquet/current`, the paths readers open, both through `current`."""
    (serving_dir / PARQUET_DIR).mkdir(exist_ok=True)
    for link, target in (
        (serving_dir / PARQUET_DIR / CURRENT, PARQUET_LINK_TARGET),
        (serving_dir / SERVING_FILE, SERVING_LINK_TARGET),
    ):
        if not (link.is_symlink() and os.readlink(link) == target):
            switch_link(link, target)


def sweep(serving_dir: Path) -> list[Path]:
    """Remove what crashed publishes left: every `.*.tmp` file, link or folder. Returns them."""
    swept = []
    for folder in (serving_dir, serving_dir / BUILDS_DIR, serving_dir / PARQUET_DIR):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(TMP_PATTERN)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            swept.append(path)
        if swept:
            fsync_dir(folder)
    return swept


def current_build(serving_dir: Path) -> str | None:
    link = serving_dir / CURRENT
    return Path(os.readlink(link)).name if link.is_symlink() else None


def prune_builds(serving_dir: Path, keep: int) -> None:
    """Keep the newest `keep` builds and the current one; drop the older layout's Parquet folders.
    A reader that has a file of a dropped build open keeps reading it (POSIX unlink)."""
    current = current_build(serving_dir)
    builds = sorted(
        p
        for p in (serving_dir / BUILDS_DIR).iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )
    for old in builds[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    parquet = serving_dir / PARQUET_DIR
    for old in parquet.iterdir() if parquet.is_dir() else ():
        if old.is_dir() and not old.is_symlink() and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def publish_lock(serving_dir: Path) -> Iterator[None]:
    """One publish at a time per serving folder (the sweep would take another's staged build)."""
    with open(serving_dir / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
