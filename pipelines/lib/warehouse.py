"""The load framework: writes to the DuckDB warehouse and the raw landing zone (plain Python, no
Dagster).

Rules this module enforces:
- every file that comes in is kept byte for byte, content-addressed by its sha256;
- a load is one transaction: all of a file's rows, or none, and the registry row with them;
- loading a file already loaded is a no-op, so re-running is idempotent;
- a file that fails validation never touches the database: its bytes stay in the landing
  zone with a JSON report beside them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib import leftovers


@dataclass(frozen=True)
class RawTable:
    """A raw table a domain writes: raw.<name>, and its columns as `create table` takes them.
    Each domain declares its own (pipelines/defs/<domain>/raw_tables.py)."""

    name: str
    columns: str

    def create(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"create table if not exists raw.{self.name} ({self.columns})")


# Every landed file, written by this framework in the same transaction as the file's rows.
LANDED_FILES = RawTable(
    "landed_files",
    """sha256 varchar primary key, source varchar not null, file_name varchar not null, url varchar,
    request_params varchar, content_type varchar, bytes bigint not null,
    stored_path varchar not null, vintage date, first_fetched_at timestamp not null,
    loaded_into varchar not null""",
)
_DECLARED: dict[str, RawTable] = {LANDED_FILES.name: LANDED_FILES}


def declare(*tables: RawTable) -> tuple[RawTable, ...]:
    """Register a domain's raw tables: every connection creates every declared table, empty until
    its source loads, so that dbt can always build (a source nobody has delivered yet is an empty
    table, not an error). Importing pipelines.defs declares every domain's."""
    for table in tables:
        if _DECLARED.setdefault(table.name, table) != table:
            raise ValueError(f"raw.{table.name} is declared twice, differently")
    return tables


def declared_raw_tables() -> tuple[RawTable, ...]:
    return tuple(_DECLARED.values())


@dataclass(frozen=True)
class Store:
    """Where loads write: the DuckDB file and the landing zone."""

    warehouse_path: Path
    landing_dir: Path


class RejectedFile(RuntimeError):
    """A file that failed validation: its bytes are landed, a report sits beside them,
    and the warehouse was not touched."""

    def __init__(self, message: str, landed_path: Path, report_path: Path):
        super().__init__(message)
        self.landed_path = landed_path
        self.report_path = report_path


def naive_utc(moment: datetime) -> datetime:
    """DuckDB TIMESTAMP columns hold UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LandedFile:
    sha256: str
    path: Path
    bytes: int


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def land_bytes(landing_dir: Path, source: str, content: bytes, suffix: str) -> LandedFile:
    """Store `content` under landing/<source>/<sha[:2]>/<sha><suffix>, atomically, once."""
    digest = sha256_hex(content)
    target = landing_dir / source / digest[:2] / f"{digest}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
        leftovers.hold(fd)  # a killed run's partial file is swept; a live run's never
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    return LandedFile(digest, target, len(content))


def land_stream(
    landing_dir: Path,
    source: str,
    handle,
    suffix: str,
    max_bytes: int,
    chunk_bytes: int = 8 * 1024 * 1024,
) -> LandedFile:
    """Copy an open file into landing/<source>/<sha[:2]>/<sha><suffix> in chunks, hashing as it
    goes (memory: one chunk); more than `max_bytes` raises ValueError and keeps nothing."""
    folder = landing_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".landing-")
    leftovers.hold(fd)  # a killed run's partial file is swept; a live run's never
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := handle.read(chunk_bytes):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError(f"larger than {max_bytes:,} bytes")
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = folder / sha[:2] / f"{sha}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return LandedFile(sha, target, size)


def write_rejection_report(landed: LandedFile, *, file_name: str, error: Exception) -> Path:
    """A JSON report beside a rejected file; the database is not touched."""
    report = landed.path.with_suffix(landed.path.suffix + ".rejected.json")
    report.write_text(
        json.dumps(
            {
                "file_name": file_name,
                "sha256": landed.sha256,
                "rejected_at": datetime.now(UTC).isoformat(),
                "error_type": type(error).__name__,
                "error": str(error),
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return report


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists raw")
    for table in declared_raw_tables():
        table.create(con)
    return con


def read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse file, for a command that only reads it."""
    return duckdb.connect(str(path), read_only=True)


def is_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return (
        con.execute("select count(*) from raw.landed_files where sha256 = ?", [sha256]).fetchall()[
            0
        ][0]
        > 0
    )


@dataclass(frozen=True)
class FileLoad:
    """One landed file and the rows it contributes to one raw table."""

    landed: LandedFile
    source: str
    file_name: str
    url: str
    request_params: dict
    content_type: str
    vintage: date | None
    fetched_at: datetime
    table: str
    rows: pl.DataFrame
    replace_where: tuple[str, list] | None = None  # rows this file supersedes, e.g. same vintage


@dataclass(frozen=True)
class LoadOutcome:
    table: str
    sha256: str
    rows_inserted: int
    rows_replaced: int
    skipped_as_duplicate: bool


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of the block's writes, or none of them."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def replace_tables(
    con: duckdb.DuckDBPyConnection, schema: str, tables: Mapping[str, pl.DataFrame]
) -> None:
    """<schema>.<name> replaced by each frame, all in ONE transaction: a reader never sees one
    table of a run beside another of the previous run (the Python assets' own schemas: trajectory,
    nowcast, plan)."""
    with transaction(con):
        con.execute(f"create schema if not exists {schema}")
        for name, frame in tables.items():
            con.register("replacement_rows", frame)
            con.execute(
                f"create or replace table {schema}.{name} as select * from replacement_rows"
            )
            con.unregister("replacement_rows")


def record_landed_file(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    *,
    source: str,
    file_name: str,
    loaded_into: str,
    fetched_at: datetime,
    url: str | None = None,
    request_params: dict | None = None,
    content_type: str | None = None,
    vintage: date | None = None,
) -> None:
    """The registry row of a loaded file; written in the same transaction as its rows."""
    con.execute(
        "insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            landed.sha256,
            source,
            file_name,
            url,
            json.dumps(request_params or {}, ensure_ascii=False, sort_keys=True),
            content_type,
            landed.bytes,
            str(landed.path),
            vintage,
            naive_utc(fetched_at),
            loaded_into,
        ],
    )


def load_files(con: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> list[LoadOutcome]:
    """Load several files in ONE transaction: all of them or none."""
    with transaction(con):
        return [_load_one(con, load) for load in loads]


def _load_one(con: duckdb.DuckDBPyConnection, load: FileLoad) -> LoadOutcome:
    if is_loaded(con, load.landed.sha256):
        return LoadOutcome(load.table, load.landed.sha256, 0, 0, True)
    replaced = 0
    if load.replace_where is not None:
        clause, params = load.replace_where
        replaced = con.execute(
            f"select count(*) from raw.{load.table} where {clause}", params
        ).fetchall()[0][0]
        con.execute(f"delete from raw.{load.table} where {clause}", params)
    columns = ", ".join(load.rows.columns)
    con.register("load_rows", load.rows)
    con.execute(f"insert into raw.{load.table} ({columns}) select {columns} from load_rows")
    con.unregister("load_rows")
    record_landed_file(
        con,
        load.landed,
        source=load.source,
        file_name=load.file_name,
        url=load.url,
        request_params=load.request_params,
        content_type=load.content_type,
        vintage=load.vintage,
        fetched_at=load.fetched_at,
        loaded_into=load.table,
    )
    return LoadOutcome(load.table, load.landed.sha256, load.rows.height, replaced, False)


def load_into_warehouse(store: Store, loads: list[FileLoad]) -> list[LoadOutcome]:
    """Open the warehouse and load `loads` in one transaction."""
    with connect(store.warehouse_path) as con:
        return load_files(con, loads)


class Stopwatch:
    """Wall-clock seconds per named phase of a load, for its report."""

    def __init__(self):
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent content hash of every table: equal fingerprints
    mean the warehouse holds the same data (used to prove idempotence and untouched failures)."""
    tables = con.execute("""
        select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' order by 1, 2""").fetchall()
    result = {}
    for schema, name in tables:
        count, content = con.execute(
            f'select count(*), coalesce(sum(hash(t)), 0) from "{schema}"."{name}" as t'
        ).fetchall()[0]
        result[f"{schema}.{name}"] = (count, int(content))
    return result
