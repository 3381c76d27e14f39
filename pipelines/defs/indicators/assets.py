"""The indicators domain: Kolada's KPIs (greenhouse gases and the MEL set of seed
indicator_definitions) into raw.kolada_kpi_values, and the reconciliation of its GHG KPIs with the
SMHI marts. The work is in loads.py and reconcile.py (no Dagster there)."""

import dagster as dg
import duckdb

from pipelines.defs.common import INGESTION, report_metadata
from pipelines.defs.indicators import loads
from pipelines.defs.indicators.reconcile import reconcile
from pipelines.lib import engine
from pipelines.lib.warehouse import Store
from pipelines.resources import KoladaResource
from pipelines.settings import DUCKDB_POOL, Settings
from sources.kolada import KpiValue

RAW_KEY = dg.AssetKey(["raw", "kolada_kpi_values"])
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
    context: dg.AssetExecutionContext, kolada: KoladaResource, settings: dg.ResourceParam[Settings]
) -> dg.MaterializeResult:
    report = loads.load_kolada(
        kolada.client(log=context.log.warning), Store.of(settings), settings.report_kommun
    )
    if report.synthetic_values:
        context.log.warning(
            f"raw.kolada_kpi_values holds {report.synthetic_values} SYNTHETIC replay values."
        )
    engine.mirror_raw(settings, ["kolada_kpi_values", "landed_files"])
    return dg.MaterializeResult(
        data_version=dg.DataVersion(report.sha256), metadata=report_metadata(report)
    )


@dg.asset_check(
    asset=INDICATORS_KEY,
    name="kolada_ghg_matches_smhi",
    additional_deps=SMHI_MARTS,
    pool=DUCKDB_POOL,
    description="Kolada's GHG KPIs (N07702, N00401, N85532-N85538) against the SMHI marts, same kommun, "
    "region or Sweden and year, within Kolada's rounding. Fails on a value that matches no "
    "SMHI release; WARN names any release skew (Kolada on an older SMHI release).",
)
def kolada_ghg_matches_smhi(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
    with (
        engine.working_copy(settings, ("marts",)) as database,
        duckdb.connect(str(database), read_only=True) as con,
    ):
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


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    return dg.Definitions(assets=[kolada_kpi_values], asset_checks=[kolada_ghg_matches_smhi])
