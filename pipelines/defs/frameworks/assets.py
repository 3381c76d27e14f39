"""The frameworks domain: the report kommun's GPC inventory as a CDP / GCoM CRF workbook, written
beside the yearly report (REPORTS_DIR) after marts.fct_gpc_inventory is built."""

import dagster as dg
import duckdb

from pipelines.defs.frameworks.crf import latest_year, write_crf_workbook
from pipelines.lib import engine
from pipelines.settings import DUCKDB_POOL, Settings

CRF_KEY = dg.AssetKey(["reports", "gpc_crf_workbook"])


def crf_file_name(kommun_kod: str, year: int) -> str:
    return f"gpc_crf_{kommun_kod}_{year}.xlsx"


@dg.asset(
    key=CRF_KEY,
    deps=[dg.AssetKey(["marts", "fct_gpc_inventory"]), dg.AssetKey(["marts", "dim_kommun"])],
    group_name="reports",
    pool=DUCKDB_POOL,
    kinds={"xlsx"},
    description="REPORT_KOMMUN's GPC inventory for REPORT_YEAR as an XLSX laid out like the CDP/GCoM "
    "Common Reporting Framework sector table (marts.fct_gpc_inventory); without REPORT_YEAR, "
    "the newest inventory year.",
)
def gpc_crf_workbook(
    context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    with (
        engine.working_copy(
            settings, reads=("marts.fct_gpc_inventory", "marts.dim_kommun")
        ) as database,
        duckdb.connect(str(database), read_only=True) as con,
    ):
        name = con.execute(
            "select kommun_namn from marts.dim_kommun where kommun_kod = ?",
            [settings.report_kommun],
        ).fetchone()
        year = settings.report_year or latest_year(con, settings.report_kommun)
        summary = write_crf_workbook(
            con,
            settings.report_kommun,
            year,
            settings.reports_dir / crf_file_name(settings.report_kommun, year),
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


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - the domain contract
    return dg.Definitions(assets=[gpc_crf_workbook])
