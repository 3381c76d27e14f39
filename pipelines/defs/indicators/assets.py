"""The indicators domain: Kolada's KPIs (greenhouse gases and the MEL set of seed
indicator_definitions) into raw.kolada_kpi_values, and the reconciliation of its GHG KPIs with the
SMHI marts. The work is in loads.py and reconcile.py (no Dagster there)."""

import dagster as dg

from pipelines.defs.common import INGESTION, report_metadata
from pipelines.defs.indicators import loads
from pipelines.defs.indicators.raw_tables import KOLADA_KPI_VALUES
from pipelines.defs.indicators.reconcile import reconcile
from pipelines.resources import KoladaResource, ReportResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL
from sources.kolada import KpiValue

RAW_KEY = dg.AssetKey(["raw", KOLADA_KPI_VALUES.name])
INDICATORS_KEY = dg.AssetKey(["marts", "fct_indicators"])
SMHI_MARTS = [
    dg.AssetKey(["marts", name])
    for name in (
        "fct_emissions",
        "fct_emissions_lan",
        "fct_emissions_sweden",
        "emissions_per_capita",
        "emission_revisions",
    )
]


@dg.asset(
    key=RAW_KEY,
    description="Kolada v3 KPI values (GHG KPIs and the MEL indicators of seed "
    "indicator_definitions) for REPORT_KOMMUN, its län and Sweden; every page landed. "
    "The bundled replay values are DERIVED (GHG, from the bundled SMHI release) or "
    "SYNTHETIC (MEL), flagged per row.",
    **INGESTION,
)
def kolada_kpi_values(
    context: dg.AssetExecutionContext,
    kolada: KoladaResource,
    warehouse: WarehouseResource,
    report: ReportResource,
) -> dg.MaterializeResult:
    with warehouse.loading(KOLADA_KPI_VALUES) as store:
        loaded = loads.load_kolada(kolada.client(log=context.log.warning), store, report.kommun)
    if loaded.synthetic_values:
        context.log.warning(
            f"raw.kolada_kpi_values holds {loaded.synthetic_values} SYNTHETIC replay values."
        )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(loaded.sha256), metadata=report_metadata(loaded)
    )


@dg.asset_check(
    asset=INDICATORS_KEY,
    name="kolada_ghg_matches_smhi",
    additional_deps=SMHI_MARTS,
    pool=DUCKDB_POOL,
    description="Kolada's GHG KPIs (N07702, N00401, N85532-N85538) against the SMHI marts, same "
    "kommun, region or Sweden and year, within Kolada's rounding. Fails on a value that "
    "matches no SMHI release; WARN names any release skew (Kolada on an older SMHI release).",
)
def kolada_ghg_matches_smhi(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(reads=("marts",)) as con:
        values = [
            KpiValue(kpi, kolada_id, year, "T", value, "", None, False)
            for kpi, kolada_id, year, value in con.execute(
                "select kpi_id, kolada_id, year, value from marts.fct_indicators"
                " where computed_by = 'kolada' and is_ghg"
            ).fetchall()
        ]
        result = reconcile(con, values)
    return dg.AssetCheckResult(
        passed=result.passed and not result.skews,
        severity=dg.AssetCheckSeverity.ERROR if result.mismatches else dg.AssetCheckSeverity.WARN,
        metadata={
            "compared": result.compared,
            "mismatches": len(result.mismatches),
            "release_skews": len(result.skews),
            "not_comparable": result.not_comparable,
            "summary": dg.MetadataValue.md(f"```\n{result.summary()}\n```"),
        },
    )
