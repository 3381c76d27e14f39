"""Which engine holds the marts: DuckDB (default) or PostgreSQL (`DBT_TARGET=postgres`).
Plain Python, no Dagster; the warehouse resource (pipelines/resources.py) decides when to call it.

The Python steps always work on DuckDB. With PostgreSQL as the target:
- the DuckDB file is the local landing store of the raw loads, and each load's raw tables are
  mirrored to PostgreSQL right after it (pipelines/lib/postgres_mirror.py), where dbt reads them;
- a Python step that reads marts (the trajectory, the publish step) gets a DuckDB snapshot of
  the tables it reads from PostgreSQL, and what it writes is mirrored back when it is done.
With DuckDB as the target, both are no-ops on the warehouse file itself.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.postgres_mirror import mirror
from pipelines.lib.sql import qualified, quote_identifier


def mirror_raw(warehouse_path: Path, tables: Sequence[str], *, sslmode: str) -> dict[str, int]:
    """After a load: copy its raw tables to PostgreSQL."""
    return mirror(warehouse_path, [f"raw.{table}" for table in tables], sslmode=sslmode)


@contextlib.contextmanager
def working_copy(
    warehouse_path: Path,
    reads: Sequence[str],
    writes: Sequence[str] = (),
    *,
    postgres_sslmode: str | None = None,
) -> Iterator[Path]:
    """A DuckDB file holding `reads` (schema.table, or a whole schema) from the target engine:
    the warehouse file itself on DuckDB (no `postgres_sslmode`); on PostgreSQL a temporary
    snapshot, whose `writes` are mirrored back on success."""
    if postgres_sslmode is None:
        yield warehouse_path
        return
    import psycopg2

    with (
        tempfile.TemporaryDirectory(prefix="pg-snapshot-") as tmp,
        psycopg2.connect("", sslmode=postgres_sslmode) as pg,
    ):
        snapshot = Path(tmp) / "snapshot.duckdb"
        with duckdb.connect(str(snapshot)) as con:
            for schema, table in postgres_tables(pg, reads):
                copy_from_postgres(pg, con, schema, table)
        yield snapshot
        if writes:
            mirror(snapshot, writes, connection=pg)


def postgres_tables(pg, specs: Sequence[str]) -> list[tuple[str, str]]:
    """(schema, table) for each spec that exists in PostgreSQL; a missing one is skipped,
    as a source nobody has delivered yet."""
    with pg.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        )
        existing = cur.fetchall()
    wanted = []
    for spec in specs:
        schema, _, table = spec.partition(".")
        wanted += [(s, t) for s, t in existing if s == schema and (not table or t == table)]
    return wanted


def copy_from_postgres(pg, con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """One PostgreSQL table into the DuckDB snapshot; polars keeps text as text ('0114')."""
    from psycopg2 import sql

    query = sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    with pg.cursor() as cur:
        cur.execute(query)
        names = [d.name for d in cur.description]
        frame = pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)
    con.execute(f"create schema if not exists {quote_identifier(schema)}")
    con.register("snapshot_rows", frame)
    con.execute(f"create table {qualified(schema, table)} as select * from snapshot_rows")
    con.unregister("snapshot_rows")
