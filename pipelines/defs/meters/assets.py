"""Borlänge Energi's meter values in Dagster: the meter inbox (sensor, drop asset, check), one
monthly-partitioned lake asset per medium, and the check reconciling the months with the monthly
reports. The work is plain Python: loads.py (the drop), partitions.py, reconcile.py; the lake is
pipelines/lib/meter_lake.py.

The partition assets take no DuckDB pool: they write Parquet to the lake, not the warehouse, so
partitions (and both media) run side by side under the multiprocess or Kubernetes executor.

The meter marts read the lake with DuckDB's read_parquet: on the PostgreSQL target they are
disabled, and so is the check on them; the definitions loader (pipelines/definitions.py) asks
`reconciliation_checks(target)` for it."""

import dagster as dg

from pipelines.defs.common import INGESTION, drop_fingerprint, drop_results, fenced
from pipelines.defs.meters import loads, partitions
from pipelines.defs.meters.raw_tables import RAW_TABLES
from pipelines.defs.meters.reconcile import Reconciliation, reconcile
from pipelines.lib import drops
from pipelines.resources import (
    InboxResource,
    MeterLakeResource,
    TolerancesResource,
    WarehouseResource,
)
from pipelines.settings import DUCKDB_POOL, PARTITIONING_TAG
from sources.meter_feed.contract import FIRST_MONTH

FILES_KEY = dg.AssetKey(["raw", "meter_feed_files"])
ALL_VALID_CHECK = "every_meter_file_was_valid"
RECONCILE_CHECK = "meter_months_match_monthly_report"
HOURLY_KEY = dg.AssetKey(["marts", "fct_meter_hourly_energy"])
RECONCILIATION_READS = (
    "intermediate.int_meters__hourly_energy",
    "reference.meter_customer_categories",
    "marts.fct_electricity",
    "marts.fct_district_heating_monthly",
)
# From the contract's first month to the last month that has ended: the validator refuses a file
# for any other month (sources/meter_feed/contract.py), so every accepted month has its partition.
MONTHS = dg.MonthlyPartitionsDefinition(start_date=f"{FIRST_MONTH:%Y-%m-%d}", end_offset=0)


def value_key(medium: str) -> dg.AssetKey:
    return dg.AssetKey(["meters", f"{medium}_values"])


def feed_options(meter_lake: MeterLakeResource) -> dict:
    """How the meter feed takes files in: its folder, size limit and pseudonymisation key."""
    return {
        "folder": meter_lake.inbox_folder,
        "max_file_bytes": meter_lake.max_file_bytes,
        "landing_max_bytes": meter_lake.landing_max_bytes,
        "pseudonym_key": meter_lake.pseudonym_key,
    }


def log_swept(context, store, meter_lake: MeterLakeResource) -> None:
    """The start of a run: a killed run's leftovers go (docs/operators.md)."""
    for swept in loads.sweep_leftovers(store, meter_lake.leftover_min_age_s):
        context.log.warning(
            f"swept a killed run's leftover {swept.path} ({swept.bytes:,} bytes, "
            f"{swept.age_s / 3600:.1f} h old)"
        )


@dg.asset(
    key=FILES_KEY,
    **INGESTION,
    check_specs=[
        dg.AssetCheckSpec(
            ALL_VALID_CHECK,
            asset=FILES_KEY,
            description="WARN when a meter file was quarantined; its report names the "
            "row, field and problem.",
        )
    ],
    description="Borlänge Energi's meter files from <INBOX_DIR>/<METER_INBOX_FOLDER>/: each "
    "streamed into the landing zone, validated in bounded memory (duplicates, gaps, mixed "
    "resolutions, summer-time "
    "stamps, negative, production and implausible values) and pseudonymised (HMAC of the GSRN); "
    "one registry row per accepted file, bad files quarantined with a report.",
)
def meter_feed_files(
    context: dg.AssetExecutionContext,
    inboxes: InboxResource,
    warehouse: WarehouseResource,
    meter_lake: MeterLakeResource,
):
    try:
        with warehouse.loading(*RAW_TABLES) as store:
            log_swept(context, store, meter_lake)
            report = loads.process_drop(
                inboxes.path, store, **feed_options(meter_lake), settle_s=inboxes.settle_s
            )
    except loads.MissingKey as missing:
        raise dg.Failure(description=str(missing)) from None
    context.log.info(
        f"accepted {report.accepted}, unchanged {report.unchanged}, rejected {report.rejected}"
    )
    yield from drop_results(report, ALL_VALID_CHECK)


def partition_asset(medium: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=value_key(medium),
        deps=[FILES_KEY],
        partitions_def=MONTHS,
        group_name="ingestion",
        kinds={"python", "parquet"},
        tags={PARTITIONING_TAG: "monthly"},
        description=f"The {medium} meter values of one month in the lake "
        f"(METER_LAKE_ROOT/values/kommun=<METER_KOMMUN>/medium={medium}/"
        "month=YYYY-MM/): the newest accepted file of the month replaces the partition, with a "
        "revision saying what changed; the same file again changes nothing. Needs no DuckDB lock.",
    )
    def _asset(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        meter_lake: MeterLakeResource,
    ) -> dg.MaterializeResult:
        month = MONTHS.time_window_for_partition_key(context.partition_key).start.date()
        log_swept(context, warehouse.store(), meter_lake)
        result = partitions.write_partition(warehouse.store(), meter_lake.lake(), medium, month)
        context.log.info(f"{medium} {month:%Y-%m}: {result.metadata}")
        return dg.MaterializeResult(
            metadata=result.metadata,
            data_version=dg.DataVersion(result.sha256) if result.sha256 else None,
        )

    return _asset


el_values, fjarrvarme_values = (partition_asset(medium) for medium in loads.MEDIA)


def reconciliation_checks(target: str) -> list[dg.AssetChecksDefinition]:
    """The check of the meter marts, on the DuckDB target only (they are disabled on PostgreSQL)."""
    if target != "duckdb":
        return []

    @dg.asset_check(
        asset=HOURLY_KEY,
        name=RECONCILE_CHECK,
        pool=DUCKDB_POOL,
        additional_deps=[
            dg.AssetKey(["marts", "fct_electricity"]),
            dg.AssetKey(["marts", "fct_district_heating_monthly"]),
        ],
        description="Each month's metered consumption per category against Borlänge Energi's "
        "monthly report (fct_electricity distributed, fct_district_heating_monthly deliveries); "
        "WARN when a month differs by more than METER_RECONCILIATION_TOLERANCE or the report "
        "lacks it.",
    )
    def meter_months_match_monthly_report(
        warehouse: WarehouseResource, tolerances: TolerancesResource
    ) -> dg.AssetCheckResult:
        with warehouse.connect(reads=RECONCILIATION_READS) as con:
            result = reconcile(con, tolerance=tolerances.meter_reconciliation)
        return reconcile_result(result)

    return [meter_months_match_monthly_report]


def reconcile_result(result: Reconciliation) -> dg.AssetCheckResult:
    lines = [
        f"{r['medium']} {r['month']:%Y-%m} {r['report_category']}: "
        f"metered {r['metered_mwh']:.1f} MWh, reported "
        + ("none" if r["reported_mwh"] is None else f"{r['reported_mwh']:.1f} MWh")
        + ("" if r["difference_share"] is None else f" ({100 * r['difference_share']:+.1f} %)")
        for r in result.rows
    ]
    return dg.AssetCheckResult(
        passed=bool(result.rows) and not result.mismatched,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "months": len({(r["medium"], r["month"]) for r in result.rows}),
            "mismatched": len(result.mismatched),
            "tolerance_pct": round(100 * result.tolerance, 2),
            "comparison": dg.MetadataValue.md(fenced("\n".join(lines) or "no metered month")),
        },
    )


meter_values_job = dg.define_asset_job(
    "meter_values",
    selection=dg.AssetSelection.assets(FILES_KEY, value_key("el"), value_key("fjarrvarme")),
    description="Load the meter inbox and write one month's partition of each medium to the lake.",
)


@dg.sensor(
    name="meter_inbox_sensor",
    job=meter_values_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run per medium-month with an accepted file newer than its partition, "
    "after the drop asset has taken the files in <INBOX_DIR>/<METER_INBOX_FOLDER>/.",
)
def meter_inbox_sensor(
    context: dg.SensorEvaluationContext,
    inboxes: InboxResource,
    warehouse: WarehouseResource,
    meter_lake: MeterLakeResource,
):
    store = warehouse.store()
    feed = loads.meter_feed(store, **feed_options(meter_lake))
    files = drops.pending_files(feed, inboxes.path, settle_s=inboxes.settle_s)
    months, unknown = [], []
    for medium, month, sha in partitions.stale_months(store, meter_lake.lake()):
        known = MONTHS.has_partition_key(f"{month:%Y-%m}-01")
        (months if known else unknown).append((medium, month, sha))
    for medium, month, _ in unknown:  # never a request Dagster refuses: the other months still run
        context.log.warning(
            f"meter {medium} {month:%Y-%m} has an accepted file but no partition (the partitions "
            f"run from {FIRST_MONTH:%Y-%m} to the last month that has ended); it waits"
        )
    if not files and not months:
        return dg.SkipReason("no meter files waiting and every partition up to date")
    if files:  # one run takes the files in; the months are known afterwards
        return dg.RunRequest(run_key=f"drop-{drop_fingerprint(files)}", asset_selection=[FILES_KEY])
    return [
        dg.RunRequest(
            run_key=f"{medium}-{month:%Y-%m}-{sha[:12]}",
            asset_selection=[value_key(medium)],
            partition_key=f"{month:%Y-%m}-01",
        )
        for medium, month, sha in months
    ]
