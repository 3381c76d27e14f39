"""The frameworks domain: the report kommun's GPC inventory as a CDP / GCoM CRF workbook, written
beside the yearly report (REPORTS_DIR) after marts.fct_gpc_inventory is built."""

import dagster as dg

from pipelines.defs.frameworks.crf import crf_file_name, latest_year, write_crf_workbook
from pipelines.resources import ReportResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

CRF_KEY = dg.AssetKey(["reports", "gpc_crf_workbook"])


@dg.asset(
    key=CRF_KEY,
    deps=[dg.AssetKey(["marts", "fct_gpc_inventory"]), dg.AssetKey(["marts", "dim_kommun"])],
    group_name="reports",
    pool=DUCKDB_POOL,
    kinds={"xlsx"},
    description="REPORT_KOMMUN's GPC inventory for REPORT_YEAR as an XLSX laid out like the "
    "CDP/GCoM Common Reporting Framework sector table (marts.fct_gpc_inventory); without "
    "REPORT_YEAR, the newest inventory year.",
)
def gpc_crf_workbook(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, report: ReportResource
) -> dg.MaterializeResult:
    with warehouse.connect(reads=("marts.fct_gpc_inventory", "marts.dim_kommun")) as con:
        name = con.execute(
            "select kommun_namn from marts.dim_kommun where kommun_kod = ?", [report.kommun]
        ).fetchone()
        year = report.year or latest_year(con, report.kommun)
        summary = write_crf_workbook(
            con,
            report.kommun,
            year,
            report.path / crf_file_name(report.kommun, year),
            kommun_namn=name[0] if name else None,
        )
    context.log.info(f"CRF workbook written to {summary.path}")
    return dg.MaterializeResult(
        metadata={
            "workbook": dg.MetadataValue.path(str(summary.path)),
            "basic_t": summary.basic_t,
            "basic_plus_t": summary.basic_plus_t,
            "territorial_t": summary.territorial_t,
        }
    )
