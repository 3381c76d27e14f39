"""The consumption trajectory asset: every method preset on each kommun's consumption-based
emissions (consumption.py), compared with its territorial trajectory (this domain's own
trajectory.summary and trajectory.yearly_paths), written to trajectory.consumption_summary (dbt
publishes it as marts.consumption_trajectory), with a WARN check on the reporting kommun."""

import dagster as dg
import polars as pl

from pipelines.defs.trajectory.consumption import (
    consumption_components,
    consumption_trajectories,
    territorial_paces,
)
from pipelines.defs.trajectory.presets import load_presets
from pipelines.defs.trajectory.tables import replace_tables
from pipelines.defs.trajectory.verdicts import HEADLINE_METHOD, consumption_pace, markdown_table
from pipelines.resources import ReportResource, TolerancesResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

SUMMARY_KEY = dg.AssetKey(["trajectory", "consumption_summary"])
CHECK_NAME = "borlange_consumption_falls_like_territorial"
READS = ("marts.fct_consumption_emissions", "trajectory.summary", "trajectory.yearly_paths")
WRITES = ("trajectory.consumption_summary",)


def borlange_check(
    summary: pl.DataFrame, kommun_kod: str, method: str = HEADLINE_METHOD
) -> dg.AssetCheckResult:
    """WARN unless the kommun's consumption emissions fall at least about as fast as its
    territorial ones."""
    verdict = consumption_pace(summary, kommun_kod, method)
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=verdict.metadata,
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
                "Borlänge's consumption-based emissions (public sector + investments) fall at "
                "least about as fast as its territorial emissions under carbon_law (tolerance "
                "CONSUMPTION_PACE_TOLERANCE_PP); WARN with both paces and the Carbon Law rate "
                "otherwise."
            ),
        )
    ],
    description="Every trajectory preset on consumption-based emissions per kommun (public "
    "sector + investments), with the pace beside the territorial trend's and the Carbon Law "
    "rate.",
)
def consumption_summary(
    warehouse: WarehouseResource, report: ReportResource, tolerances: TolerancesResource
):
    presets = load_presets()
    with warehouse.connect(READS, WRITES) as con:
        summary = consumption_trajectories(
            consumption_components(con),
            presets,
            report.trajectory_as_of_year,
            territorial_paces(con),
            tolerances.consumption_pace_pp,
        )
        replace_tables(con, {"consumption_summary": summary})
    reporting = summary.filter(pl.col("kommun_kod") == report.kommun).select(
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
            "as_of_year": report.trajectory_as_of_year,
            "tolerance_pp": tolerances.consumption_pace_pp,
            "reporting_kommun": dg.MetadataValue.md(markdown_table(reporting)),
        },
    )
    yield borlange_check(summary, report.kommun)
