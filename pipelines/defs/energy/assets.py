"""Borlänge Energi and SCB's energy statistics in Dagster: the report inbox (sensor, asset, check),
the SCB KRE ingestion asset, and the check that sets the utility's fossil emissions beside SMHI's.
The work is plain Python: loads.py (the reports), scb_energy.py (KRE), smhi_comparison.py."""

import dagster as dg

from pipelines.defs.common import INGESTION, drop_results, inbox_sensor, load_result
from pipelines.defs.energy import loads
from pipelines.defs.energy.raw_tables import ENERGY_FEED_FILES, ENERGY_FEED_VALUES, SCB_ENERGY
from pipelines.defs.energy.scb_energy import load_scb_energy
from pipelines.defs.energy.smhi_comparison import SmhiComparison, compare_with_smhi
from pipelines.resources import (
    InboxResource,
    ReportResource,
    ScbResource,
    TolerancesResource,
    WarehouseResource,
)
from pipelines.settings import DUCKDB_POOL
from sources.energy_feed.validate import Limits

REPORTS_KEY = dg.AssetKey(["raw", "energy_reports"])
BALANCE_KEY = dg.AssetKey(["marts", "fct_energy_balance"])
EMISSIONS_KEY = dg.AssetKey(["marts", "fct_emissions"])
ALL_VALID_CHECK = "every_energy_report_was_valid"
SMHI_CHECK = "utility_fossil_emissions_match_smhi"


@dg.asset(
    key=REPORTS_KEY,
    group_name="ingestion",
    pool=DUCKDB_POOL,
    kinds={"python", "duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            ALL_VALID_CHECK,
            asset=REPORTS_KEY,
            description="WARN when a report was quarantined; its report names the "
            "row, column and problem.",
        )
    ],
    description="Borlänge Energi's monthly reports from <INBOX_DIR>/energy/: each file validated "
    "(columns, units, months, heat balance, no negative energy) and loaded in one "
    "transaction; bad files quarantined with a report, the warehouse untouched.",
)
def energy_reports(
    context: dg.AssetExecutionContext,
    inboxes: InboxResource,
    warehouse: WarehouseResource,
    tolerances: TolerancesResource,
):
    with warehouse.loading(ENERGY_FEED_FILES, ENERGY_FEED_VALUES) as store:
        report = loads.process_drop(
            inboxes.path,
            store,
            settle_s=inboxes.settle_s,
            limits=Limits(balance_tolerance=tolerances.energy_balance),
        )
    context.log.info(
        f"accepted {report.accepted}, unchanged {report.unchanged}, rejected {report.rejected}"
    )
    yield from drop_results(report, ALL_VALID_CHECK)


@dg.asset(
    key=["raw", SCB_ENERGY.name],
    description="SCB's municipal energy statistics for the reporting kommun (REPORT_KOMMUN) "
    "through PxWebApi 2.0: TAB3654 (final use by consumer category and fuel), TAB3451 (electricity "
    "production), TAB3452 (district-heating production); confidential cells kept as null with "
    "their status.",
    **INGESTION,
)
def scb_energy(
    context: dg.AssetExecutionContext,
    scb: ScbResource,
    warehouse: WarehouseResource,
    report: ReportResource,
) -> dg.MaterializeResult:
    with warehouse.loading(SCB_ENERGY) as store:
        loaded = load_scb_energy(
            scb.client(log=context.log.warning), store, kommun_kod=report.kommun
        )
    return load_result(context, SCB_ENERGY, loaded)


@dg.asset_check(
    asset=BALANCE_KEY,
    name=SMHI_CHECK,
    additional_deps=[EMISSIONS_KEY],
    pool=DUCKDB_POOL,
    description="The utility's fossil emissions of heat and power (fuels burnt in its plants) "
    "against SMHI's 'El och fjärrvärme' for Borlänge, newest common year; WARN when they "
    "differ by more than ENERGY_SMHI_TOLERANCE.",
)
def utility_fossil_emissions_match_smhi(
    warehouse: WarehouseResource, tolerances: TolerancesResource, report: ReportResource
) -> dg.AssetCheckResult:
    with warehouse.connect(reads=("marts.fct_energy_balance", "marts.fct_emissions")) as con:
        result = compare_with_smhi(con, tolerance=tolerances.energy_smhi, kommun_kod=report.kommun)
    return smhi_check_result(result)


def smhi_check_result(c: SmhiComparison) -> dg.AssetCheckResult:
    if c.year is None:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.WARN, metadata={"reason": c.reason}
        )
    return dg.AssetCheckResult(
        passed=c.within_tolerance,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "year": c.year,
            "utility_t_co2e": round(c.utility_t, 1),
            "smhi_el_och_fjarrvarme_t_co2e": round(c.smhi_t, 1),
            "difference_t": round(c.difference_t, 1),
            "difference_pct": None
            if c.difference_share is None
            else round(100 * c.difference_share, 1),
            "tolerance_pct": round(100 * c.tolerance, 1),
            "smhi_vintage": c.smhi_vintage,
            "utility_data_is_synthetic": c.is_synthetic,
        },
    )


energy_reports_job = dg.define_asset_job(
    "energy_reports",
    selection=dg.AssetSelection.assets(REPORTS_KEY).downstream(),
    description="Validate and load the reports in the energy inbox, then rebuild everything "
    "downstream.",
)


energy_inbox_sensor = inbox_sensor(
    "energy_inbox_sensor", energy_reports_job, REPORTS_KEY, lambda _inboxes: loads.report_feed()
)
