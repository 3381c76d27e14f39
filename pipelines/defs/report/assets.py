"""The report asset: after every mart is built, render the yearly follow-up report for the
configured kommun and year (REPORT_KOMMUN, REPORT_YEAR) into REPORTS_DIR, linked from the
asset's metadata in the UI. It waits for every mart: the definitions loader
(pipelines/definitions.py) builds it from the marts of the dbt manifest."""

import dagster as dg

from pipelines.defs.report.render import write_report
from pipelines.resources import ReportResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

REPORT_KEY = dg.AssetKey(["reports", "klimatkontrakt_uppfoljning"])


def report_asset(marts: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORT_KEY,
        deps=marts,
        group_name="reports",
        pool=DUCKDB_POOL,
        kinds={"html"},
        description="Klimatkontrakt 2030 follow-up report (Swedish, self-contained, printable "
        "HTML) for REPORT_KOMMUN and REPORT_YEAR, every number footnoted with its mart, "
        "source and vintage.",
    )
    def klimatkontrakt_uppfoljning(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, report: ReportResource
    ) -> dg.MaterializeResult:
        with warehouse.connect(reads=("marts", "reference.trajectory_methods")) as con:
            path = write_report(con, report.path, report.kommun, report.year)
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(
            metadata={
                "report": dg.MetadataValue.path(str(path)),
                "open": dg.MetadataValue.url(path.as_uri()),
                "kommun": report.kommun,
                "bytes": path.stat().st_size,
            }
        )

    return klimatkontrakt_uppfoljning
