"""The plan schema the plan asset writes and dbt reads as the source plan (plain Python, no
Dagster)."""

from collections.abc import Mapping

import duckdb
import polars as pl

from pipelines.lib import warehouse

SCHEMA = "plan"
TABLES = (
    "scenario_emissions",
    "percentiles",
    "monte_carlo_summary",
    "action_impacts",
    "overlaps",
    "flags",
    "action_economics",
    "mac_curve",
    "investment_plan",
    "meter_results",
    "reported_results",
    "action_tracking",
    "gap_coverage",
)


def replace_tables(con: duckdb.DuckDBPyConnection, tables: Mapping[str, pl.DataFrame]) -> None:
    warehouse.replace_tables(con, SCHEMA, tables)
