"""The report asset: after every mart is built, render the yearly follow-up report for the
configured kommun and year (REPORT_KOMMUN, REPORT_YEAR) into REPORTS_DIR, linked from the
asset's metadata in the UI. It waits for every mart."""

import dagster as dg

from pipelines.defs.report.render import write_report
from pipelines.defs.transform.assets import mart_keys
from pipelines.lib import engine
from pipelines.settings import DUCKDB_POOL, Settings

REPORT_KEY = dg.AssetKey(["reports", "klimatkontrakt_uppfoljning"])


def report_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_KEY,
        deps=marts,
        group_name="reports",
        pool=DUCKDB_POOL,
        kinds={"html"},
        description="Klimatkontrakt 2030 follow-up report (Swedish, self-contained, printable HTML) for "
        "REPORT_KOMMUN and REPORT_YEAR, every number footnoted with its mart, source and vintage.",
    )
    def klimatkontrakt_uppfoljning(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        with engine.working_copy(
            settings, reads=("marts", "reference.trajectory_methods")
        ) as database:
            path = write_report(
                database, settings.reports_dir, settings.report_kommun, settings.report_year
            )
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.path(str(path)),
                "open": dg.MetadataValue.url(path.as_uri()),
                "kommun": settings.report_kommun,
                "bytes": path.stat().st_size,
            }
        )

    return klimatkontrakt_uppfoljning


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(assets=[report_asset(mart_keys(settings))])
