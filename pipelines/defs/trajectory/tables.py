"""The trajectory schema the trajectory assets write, and dbt reads as the source trajectory (plain
Python, no Dagster)."""

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.lib import warehouse


def replace_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    warehouse.replace_tables(con, "trajectory", tables)
