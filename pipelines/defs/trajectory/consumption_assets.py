"""The consumption trajectory asset: every method preset on each kommun's consumption-based
emissions (consumption.py), compared with its territorial trajectory (this domain's own
trajectory.summary and trajectory.yearly_paths), written to trajectory.consumption_summary (dbt
publishes it as marts.consumption_trajectory), with a WARN check on the reporting kommun."""

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.trajectory.consumption import SCOPE, consumption_trajectories
from pipelines.defs.trajectory.presets import load_presets
from pipelines.lib import engine, warehouse
from pipelines.settings import DUCKDB_POOL, Settings

HEADLINE_METHOD = "carbon_law"
SUMMARY_KEY = dg.AssetKey(["trajectory", "consumption_summary"])
CHECK_NAME = "borlange_consumption_falls_like_territorial"
READS = ("marts.fct_consumption_emissions", "trajectory.summary", "trajectory.yearly_paths")
WRITES = ("trajectory.consumption_summary",)


def consumption_components(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "select kommun_kod, year, component, tonnes from marts.fct_consumption_emissions"
    ).pl()


def territorial_paces(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per kommun and method: the territorial trend's slope and its level at the last data year."""
    return con.sql("""
        select summary.kommun_kod, summary.method, summary.slope_t_per_year, paths.emissions_t as level_t
        from trajectory.summary as summary
        left join trajectory.yearly_paths as paths
            on paths.kommun_kod = summary.kommun_kod and paths.method = summary.method
            and paths.year = summary.last_data_year""").pl()


def publish(con: duckdb.DuckDBPyConnection, summary: pl.DataFrame) -> None:
    frame = summary  # noqa: F841 - read by DuckDB's replacement scan
    with warehouse.transaction(con):
        con.execute("create schema if not exists trajectory")
        con.execute("create or replace table trajectory.consumption_summary as select * from frame")


def borlange_check(
    summary: pl.DataFrame, kommun_kod: str, method: str = HEADLINE_METHOD
) -> dg.AssetCheckResult:
    """WARN unless the kommun's consumption emissions fall at least about as fast as its territorial ones."""
    rows = summary.filter(
        (pl.col("kommun_kod") == kommun_kod) & (pl.col("method") == method)
    ).to_dicts()
    if not rows or rows[0]["falls_at_similar_pace"] is None:
        reason = rows[0]["scope_status"] if rows else f"no {method} row for kommun {kommun_kod}"
        return dg.AssetCheckResult(
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"reason": reason},
        )
    row = rows[0]
    metadata = {
        "method": method,
        "scope": SCOPE,
        "trend_years": row["trend_years"],
        "consumption_pace_pct_per_year": round(row["pace_pct_per_year"], 2),
        "territorial_pace_pct_per_year": round(row["territorial_pace_pct_per_year"], 2),
        "pace_difference_pp": round(row["pace_difference_pp"], 2),
        "tolerance_pp": row["tolerance_pp"],
        "carbon_law_rate_pct_per_year": -row["reduction_rate_pct"],
        "meets_carbon_law_rate": bool(row["meets_carbon_law_rate"]),
        "consumption_meets_paris": row["meets_paris"],
        "consumption_trend_sum_t": round(row["trend_sum_t"]),
        "consumption_allowed_sum_t": round(row["allowed_sum_t"]),
    }
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=bool(row["falls_at_similar_pace"]),
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


@dg.asset(
    key=SUMMARY_KEY,
    group_name="intermediate",
    kinds={"polars", "duckdb"},
    pool=DUCKDB_POOL,
    deps=[
        dg.AssetKey(["marts", "fct_consumption_emissions"]),
        dg.AssetKey(["trajectory", "summary"]),
        dg.AssetKey(["trajectory", "yearly_paths"]),
        dg.AssetKey(["reference", "trajectory_methods"]),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=SUMMARY_KEY,
            description=(
                "Borlänge's consumption-based emissions (public sector + investments) fall at least about as fast "
                "as its territorial emissions under carbon_law (tolerance CONSUMPTION_PACE_TOLERANCE_PP); WARN "
                "with both paces and the Carbon Law rate otherwise."
            ),
        )
    ],
    description="Every trajectory preset on consumption-based emissions per kommun (public sector + "
    "investments), with the pace beside the territorial trend's and the Carbon Law rate.",
)
def consumption_summary(settings: dg.ResourceParam[Settings]):
    presets = load_presets()
    with (
        engine.working_copy(settings, READS, WRITES) as database,
        duckdb.connect(str(database)) as con,
    ):
        summary = consumption_trajectories(
            consumption_components(con),
            presets,
            settings.trajectory_as_of_year,
            territorial_paces(con),
            settings.consumption_pace_tolerance_pp,
        )
        publish(con, summary)
    reporting = summary.filter(pl.col("kommun_kod") == settings.report_kommun).select(
        "method",
        "pace_pct_per_year",
        "territorial_pace_pct_per_year",
        "falls_at_similar_pace",
        "meets_carbon_law_rate",
        "meets_paris",
        "scope_status",
    )
    yield dg.MaterializeResult(
        asset_key=SUMMARY_KEY,
        metadata={
            "rows": summary.height,
            "as_of_year": settings.trajectory_as_of_year,
            "tolerance_pp": settings.consumption_pace_tolerance_pp,
            "reporting_kommun": dg.MetadataValue.md(markdown_table(reporting)),
        },
    )
    yield borlange_check(summary, settings.report_kommun)


def markdown_table(frame: pl.DataFrame) -> str:
    def cell(value) -> str:
        return "" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
