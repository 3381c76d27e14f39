"""The nowcast in Dagster: Sweden's emissions by main sector into raw (the national indicator),
SMHI's archived releases into raw (the backtest's later releases the warehouse did not keep itself),
and the nowcast asset, which backtests, nowcasts and draws the Paris probability over what the
warehouse holds and writes the nowcast schema (dbt publishes it as marts.fct_nowcast_backtest,
fct_nowcast_backtest_summary, fct_emissions_nowcast and fct_nowcast_paris). Its checks are issue
23's targets on the backtest, with the figures. It reruns whenever an input is updated (eager).
The work is plain Python: loads.py and run.py."""

from datetime import timedelta

import dagster as dg
import polars as pl

from pipelines.defs.common import INGESTION, rejected, report_metadata
from pipelines.defs.emissions.assets import smhi_result
from pipelines.defs.nowcast import loads
from pipelines.defs.nowcast.estimates import local_indicators_from_feeds
from pipelines.defs.nowcast.panel import TOTAL
from pipelines.defs.nowcast.raw_tables import NATIONAL_SECTOR_EMISSIONS, SMHI_ARCHIVED_RELEASES
from pipelines.defs.nowcast.run import (
    TARGET_GAS,
    TARGETS,
    NowcastRun,
    evaluate_targets,
    run_nowcast,
)
from pipelines.defs.nowcast.tables import SCHEMA, TABLES, replace_tables
from pipelines.defs.trajectory.presets import load_presets
from pipelines.lib.warehouse import RejectedFile
from pipelines.resources import ReportResource, ScbResource, SmhiResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL
from sources.national_emissions import NationalEmissionsClient


@dg.asset(
    key=["raw", NATIONAL_SECTOR_EMISSIONS.name],
    description="Sweden's emissions by SMHI main sector and gas (SCB MI0107 TotaltUtslappN, "
    "Naturvårdsverket's inventory; year N from mid-December of N+1), through PxWebApi 2.0: the "
    "nowcast's national indicator. Every fetch landed byte for byte and kept.",
    **INGESTION,
)
def national_sector_emissions(
    context: dg.AssetExecutionContext, scb: ScbResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with warehouse.loading(NATIONAL_SECTOR_EMISSIONS) as store:
        report = loads.load_national_sector_emissions(
            NationalEmissionsClient(scb.client(log=context.log.warning)), store
        )
    if report.placeholders:
        context.log.warning(
            f"raw.{NATIONAL_SECTOR_EMISSIONS.name}: {report.placeholders} cell(s) are labelled "
            "placeholders, not statistics; nowcast rows built on them say so."
        )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(",".join(report.sha256)), metadata=report_metadata(report)
    )


@dg.asset(
    key=["raw", SMHI_ARCHIVED_RELEASES.name],
    description="SMHI releases from an archive of SMHI's export (SMHI_ARCHIVE_BASE_URL; offline, "
    "the replay's rebuilt CO2 release of June 2025), in the SMHI tables' columns with vintage and "
    "file hash: only the nowcast's backtest reads them, so they never reach fct_emissions.",
    **INGESTION,
)
def smhi_archived_releases(
    context: dg.AssetExecutionContext, smhi_archive: SmhiResource, warehouse: WarehouseResource
):
    if not smhi_archive.base_url:
        context.log.info("SMHI_ARCHIVE_BASE_URL is unset: no archived release asked")
        return dg.MaterializeResult(metadata={"archive": "none configured", "rows_inserted": 0})
    try:
        with warehouse.loading(SMHI_ARCHIVED_RELEASES) as store:
            reports = loads.load_archived_releases(
                smhi_archive.client(log=context.log.warning), store
            )
    except RejectedFile as exc:
        raise rejected(exc) from exc
    results = [smhi_result(report) for report in reports]
    return dg.MaterializeResult(
        data_version=dg.DataVersion(",".join(report.sha256 for report in reports)),
        metadata={
            f"{report.gas} {report.vintage}: {key}": value
            for report, result in zip(reports, results, strict=True)
            for key, value in result.metadata.items()
        },
    )


KEYS = {name: dg.AssetKey([SCHEMA, name]) for name in TABLES}
# Its inputs are re-asked every month (yearly_statistics_monthly) and it reruns on each update:
# estimates older than that mean the schedule or the automation has stopped.
FRESHNESS = dg.FreshnessPolicy.time_window(
    warn_window=timedelta(days=35), fail_window=timedelta(days=62)
)
UPSTREAM = [
    dg.AssetKey(["intermediate", "int_nowcast__releases"]),
    dg.AssetKey(["intermediate", "int_nowcast__national_sectors"]),
    dg.AssetKey(["marts", "fct_energy_balance"]),
    dg.AssetKey(["marts", "fct_partner_emissions"]),
    dg.AssetKey(["reference", "trajectory_methods"]),
]
READS = (
    "intermediate.int_nowcast__releases",
    "intermediate.int_nowcast__national_sectors",
    "marts.fct_energy_balance",
    "marts.fct_partner_emissions",
)
DESCRIPTIONS = {
    "backtest": "Per origin release, kommun, gas, target year and method (nowcast, lad, "
    "persistence, national_scaling): the estimate, its ranges and SMHI's later actual.",
    "backtest_summary": "Per origin, gas and method: mean and median absolute error (t, %), the "
    "ranges' coverage, and the error against lad, persistence and national scaling.",
    "estimates": "The nowcast: every kommun, main sector and gas for the years after SMHI's last "
    "up to the as-of year, with 80 % and 95 % ranges; estimates, never statistics.",
    "paris_probability": "Per kommun and carbon_law preset, the probability that the trend stays "
    "within the Paris path, from the nowcast's ranges and a bootstrap of the trend.",
    "base_year_common_change": "SMHI's newest year (the nowcast's base year) per kommun and "
    "sector: its change from the year before and whether that is the sector's common factor, "
    "i.e. most likely SMHI's own scaling of the year before, to be revised.",
}


def target_check(result) -> dg.AssetCheckResult:
    target = result.target
    lines = [
        "| gas | origin | kommuner | value | met | MAE t | MAE % | scored year filled by SMHI |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for f in result.figures:
        value, filled = f[target.column], f["actual_common_change_share"]
        lines.append(
            f"| {f['gas']} | {f['origin']} | {f['kommuner']} | "
            f"{'–' if value is None else f'{value:.4f}'} | {'yes' if f['met'] else 'NO'} | "
            f"{f['mae_t']:,.1f} | {f['mae_pct']:.2f} | "
            f"{'–' if filled is None else f'{filled:.1%}'} |"
        )
    scored = [f[target.column] for f in result.figures if f["gas"] == TARGET_GAS]
    return dg.AssetCheckResult(
        check_name=target.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.WARN if target.warn_only else dg.AssetCheckSeverity.ERROR,
        metadata={
            "target": target.description,
            f"value_{TARGET_GAS}": dg.MetadataValue.json(scored),
            "figures": dg.MetadataValue.md("\n".join(lines)),
        },
    )


def markdown_table(frame: pl.DataFrame) -> str:
    if not frame.height:
        return "no rows"
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    for row in frame.rows():
        cells = [f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_metadata(run: NowcastRun, report_kommun: str) -> dict:
    own = run.estimates.filter(
        (pl.col("kommun_kod") == report_kommun) & (pl.col("huvudsektor") == TOTAL)
    ).select("gas", "year", "nowcast_t", "lower_80_t", "upper_80_t", "lower_95_t", "upper_95_t")
    return {
        "origins": ", ".join(
            sorted({f"{g} {o}" for g, o in run.summary.select("gas", "origin_vintage").rows()})
        )
        or "none",
        "estimate_rows": run.estimates.height,
        "years": ", ".join(map(str, sorted(run.estimates.get_column("year").unique()))),
        "reporting_kommun": dg.MetadataValue.md(markdown_table(own)),
        "left_out": dg.MetadataValue.md("\n".join(f"- {n}" for n in run.notes) or "nothing"),
    }


@dg.multi_asset(
    name="nowcast",
    specs=[
        dg.AssetSpec(
            key,
            deps=UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description=DESCRIPTIONS[name],
            automation_condition=dg.AutomationCondition.eager(),
            freshness_policy=FRESHNESS,
        )
        for name, key in KEYS.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(t.name, asset=KEYS["backtest_summary"], description=t.description)
        for t in TARGETS
    ],
    pool=DUCKDB_POOL,
)
def nowcast(warehouse: WarehouseResource, report: ReportResource):
    writes = tuple(f"{SCHEMA}.{name}" for name in TABLES)
    with warehouse.connect(READS, writes) as con:
        local = local_indicators_from_feeds(
            kommun_kod=report.kommun,
            energy_balance=con.sql("select * from marts.fct_energy_balance").pl(),
            partner_emissions=con.sql("select * from marts.fct_partner_emissions").pl(),
            # Partner submissions are the partners' own reports; the warehouse ships none.
            partners_synthetic=False,
        )
        run = run_nowcast(
            con.sql("select * from intermediate.int_nowcast__releases").pl(),
            con.sql("select * from intermediate.int_nowcast__national_sectors").pl(),
            through_year=report.trajectory_as_of_year,
            presets=load_presets(),
            local_indicators=local,
        )
        replace_tables(con, run.tables())
    metadata = {name: {"rows": frame.height} for name, frame in run.tables().items()}
    metadata["estimates"] |= run_metadata(run, report.kommun)
    for name, key in KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata=metadata[name])
    for result in evaluate_targets(run.summary):
        yield target_check(result)
