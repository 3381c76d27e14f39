"""The nowcast schema the nowcast asset writes and dbt reads as the source nowcast (plain Python,
no Dagster)."""

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.lib import warehouse

SCHEMA = "nowcast"
TABLES = (
    "backtest",
    "backtest_summary",
    "estimates",
    "paris_probability",
    "base_year_common_change",
)


def replace_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    warehouse.replace_tables(con, SCHEMA, tables)
