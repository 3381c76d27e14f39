"""The trajectory schema the trajectory assets write, and dbt reads as the source trajectory (plain
Python, no Dagster)."""

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.lib import warehouse


def replace_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    """trajectory.<name> replaced by each frame, all in ONE transaction: readers never see one
    table of a run without the others."""
    with warehouse.transaction(con):
        con.execute("create schema if not exists trajectory")
        for name, frame in tables.items():
            con.register("trajectory_rows", frame)
            con.execute(
                f"create or replace table trajectory.{name} as select * from trajectory_rows"
            )
            con.unregister("trajectory_rows")
