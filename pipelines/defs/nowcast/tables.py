"""The nowcast schema the nowcast asset writes and dbt reads as the source nowcast (plain Python,
no Dagster)."""

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.lib import warehouse

SCHEMA = "nowcast"
TABLES = ("backtest", "backtest_summary", "estimates", "paris_probability")


def replace_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    """nowcast.<name> replaced by each frame, all in ONE transaction: readers never see the
    estimates of one run beside the backtest of another."""
    with warehouse.transaction(con):
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, frame in tables.items():
            con.register("nowcast_rows", frame)
            con.execute(f"create or replace table {SCHEMA}.{name} as select * from nowcast_rows")
            con.unregister("nowcast_rows")
