"""Copy tables of a DuckDB warehouse file into PostgreSQL (plain Python, no Dagster).

The Python ingestion writes DuckDB only. To build the same dbt marts on Postgres
(`DBT_TARGET=postgres`), this copies what dbt reads but does not build itself: every table of
the `raw` schema, and the tables the trajectory assets write (the `trajectory` schema). The
`reference` seeds are loaded by `dbt seed`/`dbt build` on Postgres.

Each table is (re)created with mapped column types and bulk-loaded with `COPY ... FROM STDIN`:
DuckDB writes the rows as CSV (NULL unquoted and empty, an empty string quoted, doubles in
their shortest exact form) and psycopg2 streams that file to the server, so no SQL is ever
built from a cell value. Everything happens in one Postgres transaction.

    borlange mirror [--warehouse PATH] [TABLE ...]

TABLE is `schema` (all its tables) or `schema.table`; the default is the raw and trajectory schemas.
The connection comes from libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), the
same the dbt `postgres` output reads.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib.sql import quote_identifier, quote_literal

DEFAULT_TABLES = ("raw", "trajectory", "nowcast", "plan")  # what Python writes and dbt reads

# DuckDB type -> Postgres type. Unsigned integers widen; HUGEINT and UBIGINT become numeric.
SIMPLE_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "HUGEINT": "numeric(39, 0)",
    "UHUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "JSON": "jsonb",
    "UUID": "uuid",
    "BLOB": "bytea",
    "DATE": "date",
    "TIME": "time",
    "INTERVAL": "interval",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",  # Postgres keeps microseconds: nanoseconds are rounded
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIME WITH TIME ZONE": "timetz",
}
DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class UnsupportedType(ValueError):
    """A column type this mirror does not copy (lists, structs, maps, unions, enums...)."""


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str

    @property
    def postgres_type(self) -> str:
        return postgres_type(self.duckdb_type)


def postgres_type(duckdb_type: str) -> str:
    """The Postgres column type for a DuckDB type name (as information_schema spells it)."""
    upper = duckdb_type.strip().upper()
    if upper in SIMPLE_TYPES:
        return SIMPLE_TYPES[upper]
    decimal = DECIMAL.fullmatch(upper)
    if decimal:
        return f"numeric({decimal.group(1)}, {decimal.group(2)})"
    raise UnsupportedType(f"no Postgres mapping for DuckDB type {duckdb_type!r}")


def expand_tables(con: duckdb.DuckDBPyConnection, specs: Iterable[str]) -> list[tuple[str, str]]:
    """`schema` -> its base tables (sorted); `schema.table` -> that table, which must exist."""
    found: list[tuple[str, str]] = []
    for spec in specs:
        schema, _, table = spec.partition(".")
        rows = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = "
            "current_database() and schema_name = ? and (? = '' or table_name = ?) order by "
            "table_name",
            [schema, table, table],
        ).fetchall()
        if not rows:
            raise LookupError(f"no table {spec!r} in the DuckDB warehouse")
        found.extend((s, t) for s, t in rows if (s, t) not in found)
    return found


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[Column]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = ? and table_name = ? "
        "order by column_index",
        [schema, table],
    ).fetchall()
    return [Column(name, dtype) for name, dtype in rows]


def export_expression(column: Column) -> str:
    """How DuckDB renders the column for Postgres' CSV input."""
    name = quote_identifier(column.name)
    if column.postgres_type == "bytea":
        return f"'\\x' || hex({name})"  # bytea's hex input format
    return name


def mirror_table(
    duck: duckdb.DuckDBPyConnection, pg, schema: str, table: str, workdir: Path
) -> int:
    """Recreate `schema.table` in Postgres (same column names, mapped types) and COPY the rows
    in. Runs inside the caller's transaction. Returns the number of rows copied."""
    from psycopg2 import sql

    columns = table_columns(duck, schema, table)
    for column in columns:
        try:
            postgres_type(column.duckdb_type)  # every column's type before anything is dropped
        except UnsupportedType as exc:
            raise UnsupportedType(f"{schema}.{table}.{column.name}: {exc}") from None

    csv_path = workdir / "rows.csv"  # a fixed name: nothing from the table goes into the SQL
    select_list = ", ".join(export_expression(c) for c in columns)
    duck.execute(
        f"copy (select {select_list} from {quote_identifier(schema)}.{quote_identifier(table)}) "
        f"to {quote_literal(csv_path.as_posix())} (format csv, header false)"
    )

    target = sql.Identifier(schema, table)
    column_names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    with pg.cursor() as cur:
        cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        if _same_columns(cur, schema, table, columns):
            # Keep the table (and the dbt views built on it): only its rows are replaced.
            cur.execute(sql.SQL("truncate table {}").format(target))
        else:
            cur.execute(sql.SQL("drop table if exists {}").format(target))
            cur.execute(
                sql.SQL("create table {} ({})").format(
                    target,
                    sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.postgres_type))
                        for c in columns
                    ),
                )
            )
        with csv_path.open("rb") as data:
            cur.copy_expert(
                sql.SQL("copy {} ({}) from stdin with (format csv)").format(target, column_names),
                data,
            )
        copied = cur.rowcount
        # Statistics now, not when autovacuum comes by: dbt's first queries are planned on them.
        cur.execute(sql.SQL("analyze {}").format(target))
    csv_path.unlink()
    return copied


def _same_columns(cur, schema: str, table: str, columns: Sequence[Column]) -> bool:
    cur.execute(
        "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
        "from pg_catalog.pg_attribute a "
        "join pg_catalog.pg_class c on c.oid = a.attrelid "
        "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = %s and c.relkind = 'r' "
        "and a.attnum > 0 and not a.attisdropped order by a.attnum",
        (schema, table),
    )
    existing = cur.fetchall()
    wanted = [(c.name, _canonical(c.postgres_type)) for c in columns]
    return bool(existing) and [(n, _canonical(t)) for n, t in existing] == wanted


def _canonical(pg_type: str) -> str:
    aliases = {
        "timestamp": "timestamp without time zone",
        "timestamptz": "timestamp with time zone",
        "time": "time without time zone",
        "timetz": "time with time zone",
    }
    compact = pg_type.replace(", ", ",")
    return aliases.get(compact, compact)


def mirror(
    warehouse_path: str | Path,
    tables: Sequence[str] = DEFAULT_TABLES,
    *,
    conninfo: str = "",
    connection=None,
    sslmode: str | None = None,
) -> dict[str, int]:
    """Copy `tables` (see the module doc) from the DuckDB file into Postgres in one transaction.
    `connection` is an open psycopg2 connection to use (left open); otherwise one is opened from
    `conninfo` and libpq's PG* variables, with `sslmode` (Settings.postgres_sslmode: verify-full
    unless the host is loopback) when given. Returns {schema.table: rows}."""
    import psycopg2

    pg = connection or psycopg2.connect(conninfo, **({"sslmode": sslmode} if sslmode else {}))
    copied: dict[str, int] = {}
    try:
        with (
            duckdb.connect(str(warehouse_path), read_only=True) as duck,
            tempfile.TemporaryDirectory(prefix="pg-mirror-") as workdir,
        ):
            for schema, table in expand_tables(duck, tables):
                copied[f"{schema}.{table}"] = mirror_table(duck, pg, schema, table, Path(workdir))
        pg.commit()
    except BaseException:
        pg.rollback()
        raise
    finally:
        if connection is None:
            pg.close()
    return copied
