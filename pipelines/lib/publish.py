"""Publish the marts for readers (plain Python, no Dagster).

BI tools never open the file the pipeline writes (DuckDB: one writer, or many readers, never
both). After the marts are built and their checks pass, this writes
- a serving DuckDB file with the marts and the dimension tables, built under a temporary name
  and renamed over the old one, so a reader sees the old build or the new one, never half of one;
- Parquet exports of every mart in a new folder per build, then an atomic switch of the
  `current` link, with a `_manifest.json` (table, rows, columns, vintage, build time, revision).
Each build carries a build id, also in the serving file's `marts._manifest` table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pipelines.settings import REPO_ROOT

SERVING_FILE = "borlange.duckdb"
PARQUET_DIR = "parquet"
KEEP_PARQUET_BUILDS = 3
COPY = "serving.marts"   # the serving file's schema, attached as `serving`; readers see it as `marts`


@dataclass(frozen=True)
class Published:
    build_id: str
    serving_file: Path
    parquet_dir: Path
    manifest: dict


def git_revision() -> str:
    """The checkout's commit, for a build whose settings do not name one (GIT_REVISION)."""
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute("""
        select table_name from information_schema.tables
        where table_schema = 'marts' and table_type = 'BASE TABLE' and table_name not like '\\_%' escape '\\'
        order by table_name""").fetchall()]


def table_manifest(con: duckdb.DuckDBPyConnection, table: str) -> dict:
    columns = con.execute("""select column_name, data_type from information_schema.columns
                             where table_schema = 'marts' and table_name = ? order by ordinal_position""",
                          [table]).fetchall()
    rows = con.execute(f'select count(*) from marts."{table}"').fetchall()[0][0]
    vintage = None
    if any(name == "vintage" for name, _ in columns):
        vintage = con.execute(f'select max(vintage)::varchar from marts."{table}"').fetchall()[0][0]
    return {"table": table, "rows": rows, "columns": [{"name": n, "type": t} for n, t in columns],
            "vintage": vintage}


def build_manifest(con: duckdb.DuckDBPyConnection, build_id: str, built_at: datetime,
                   revision: str | None = None) -> dict:
    return {"build_id": build_id, "built_at": built_at.isoformat(timespec="seconds"),
            "git_revision": revision or git_revision(), "tables": [table_manifest(con, t) for t in mart_tables(con)]}


def new_build_id(run_id: str | None = None, now: datetime | None = None) -> str:
    """Sortable by time (pruning keeps the newest), and tied to the Dagster run when there is one."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{run_id[:8]}" if run_id else stamp


def publish(warehouse_path: Path, serving_dir: Path, *, build_id: str | None = None,
            storage_version: str = "v1.0.0", git_revision: str | None = None) -> Published:
    """Write the serving file and the Parquet exports of the warehouse's marts, atomically."""
    built_at = datetime.now(timezone.utc)
    build_id = build_id or new_build_id(now=built_at)
    serving_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        manifest = build_manifest(con, build_id, built_at, git_revision)
        serving = write_serving_file(con, serving_dir, manifest, storage_version)
        parquet = write_parquet(con, serving_dir / PARQUET_DIR, manifest)
    prune_parquet_builds(serving_dir / PARQUET_DIR, keep=KEEP_PARQUET_BUILDS)
    return Published(build_id, serving, parquet, manifest)


def write_serving_file(con: duckdb.DuckDBPyConnection, serving_dir: Path, manifest: dict,
                       storage_version: str) -> Path:
    target = serving_dir / SERVING_FILE
    tmp = serving_dir / f".{SERVING_FILE}.{manifest['build_id']}.tmp"
    tmp.unlink(missing_ok=True)
    # An older storage version keeps the file readable by BI tools that bundle an older DuckDB.
    con.execute(f"attach '{tmp}' as serving (storage_version '{storage_version}', read_only false)")
    try:
        con.execute(f"create schema {COPY}")
        for entry in manifest["tables"]:
            con.execute(f'create table {COPY}."{entry["table"]}" as select * from marts."{entry["table"]}"')
        con.execute(f"create table {COPY}._manifest (build_id varchar, built_at varchar, "
                    "git_revision varchar, manifest_json varchar)")
        con.execute(f"insert into {COPY}._manifest values (?, ?, ?, ?)",
                    [manifest["build_id"], manifest["built_at"], manifest["git_revision"], json.dumps(manifest)])
    finally:
        con.execute("detach serving")
    fsync(tmp)
    os.replace(tmp, target)       # atomic: readers that opened the old file keep reading it
    return target


def write_parquet(con: duckdb.DuckDBPyConnection, parquet_root: Path, manifest: dict) -> Path:
    build_dir = parquet_root / manifest["build_id"]
    tmp_dir = parquet_root / f".{manifest['build_id']}.tmp"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir(parents=True)
    for entry in manifest["tables"]:
        con.execute(f"""copy (select * from marts."{entry['table']}") to '{tmp_dir / (entry['table'] + '.parquet')}'
                        (format parquet, compression zstd)""")
    (tmp_dir / "_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp_dir, build_dir)
    switch_link(parquet_root / "current", build_dir.name)
    return build_dir


def switch_link(link: Path, target_name: str) -> None:
    """Point `link` at `target_name` atomically (a new link renamed over the old one)."""
    tmp = link.with_name(f".{link.name}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target_name, target_is_directory=True)
    os.replace(tmp, link)


def prune_parquet_builds(parquet_root: Path, keep: int) -> None:
    current = (parquet_root / "current").resolve().name
    builds = sorted(p for p in parquet_root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    for old in builds[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
