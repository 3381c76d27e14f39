"""Borlänge Energi's meter values in Dagster: the meter inbox (sensor, drop asset, check), one
monthly-partitioned lake asset per medium, and the check reconciling the months with the monthly
reports. The work is in loads.py (plain Python); the lake in pipelines/lib/meter_lake.py.

The partition assets take no DuckDB pool: they write Parquet to the lake, not the warehouse, so
partitions (and both media) run side by side under the multiprocess or Kubernetes executor."""

import dagster as dg
import duckdb

from pipelines.defs.common import INGESTION, drop_results, fenced
from pipelines.defs.meters import loads
from pipelines.lib import engine
from pipelines.lib.warehouse import Store
from pipelines.settings import DUCKDB_POOL, PARTITIONING_TAG, Settings

FILES_KEY = dg.AssetKey(["raw", "meter_feed_files"])
ALL_VALID_CHECK = "every_meter_file_was_valid"
RECONCILE_CHECK = "meter_months_match_monthly_report"
HOURLY_KEY = dg.AssetKey(["marts", "fct_meter_hourly_energy"])
MONTHS = dg.MonthlyPartitionsDefinition(start_date="2019-01-01", end_offset=0)
DEMO_PARTITION = (
    "2024-03-01"  # the month of the demo's synthetic sample (replay/build_meter_sample.py)
)


def value_key(medium: str) -> dg.AssetKey:
    return dg.AssetKey(["meters", f"{medium}_values"])


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
    description="Borlänge Energi's meter files from <INBOX_DIR>/<METER_INBOX_FOLDER>/: each streamed into the "
    "landing zone, validated in bounded memory (duplicates, gaps, mixed resolutions, summer-time "
    "stamps, negative, production and implausible values) and pseudonymised (HMAC of the GSRN); "
    "one registry row per accepted file, bad files quarantined with a report.",
)
def meter_feed_files(context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]):
    try:
        report = loads.process_drop(settings, Store.of(settings), settle_s=settings.inbox_settle_s)
    except loads.MissingKey as missing:
        raise dg.Failure(description=str(missing)) from None
    engine.mirror_raw(settings, list(loads.RAW_TABLES))
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
        description=f"The {medium} meter values of one month in the lake (METER_LAKE_ROOT/values/medium={medium}/"
        "month=YYYY-MM/): the newest accepted file of the month replaces the partition, with a "
        "revision saying what changed; the same file again changes nothing. Needs no DuckDB lock.",
    )
    def _asset(
        context: dg.AssetExecutionContext, settings: dg.ResourceParam[Settings]
    ) -> dg.MaterializeResult:
        month = MONTHS.time_window_for_partition_key(context.partition_key).start.date()
        result = loads.write_partition(settings, medium, month)
        context.log.info(f"{medium} {month:%Y-%m}: {result.metadata}")
        return dg.MaterializeResult(
            metadata=result.metadata,
            data_version=dg.DataVersion(result.sha256) if result.sha256 else None,
        )

    return _asset


el_values, fjarrvarme_values = (partition_asset(medium) for medium in loads.MEDIA)


@dg.asset_check(
    asset=HOURLY_KEY,
    name=RECONCILE_CHECK,
    pool=DUCKDB_POOL,
    additional_deps=[
        dg.AssetKey(["marts", "fct_electricity"]),
        dg.AssetKey(["marts", "fct_district_heating_monthly"]),
    ],
    description="Each month's metered consumption per category against Borlänge Energi's monthly report "
    "(fct_electricity distributed, fct_district_heating_monthly deliveries); WARN when a month "
    "differs by more than METER_RECONCILIATION_TOLERANCE or the report lacks it.",
)
def meter_months_match_monthly_report(settings: dg.ResourceParam[Settings]) -> dg.AssetCheckResult:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        result = loads.reconcile(con, tolerance=settings.meter_reconciliation_tolerance)
    return reconcile_result(result)


def reconcile_result(result: loads.Reconciliation) -> dg.AssetCheckResult:
    lines = [
        f"{r['medium']} {r['month']:%Y-%m} {r['report_category']}: metered {r['metered_mwh']:.1f} MWh, reported "
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
    description="Starts a run per medium-month with an accepted file newer than its partition, after the "
    "drop asset has taken the files in <INBOX_DIR>/<METER_INBOX_FOLDER>/.",
)
def meter_inbox_sensor(context: dg.SensorEvaluationContext, settings: dg.ResourceParam[Settings]):
    from pipelines.lib import drops

    feed = loads.meter_feed(settings, Store.of(settings))
    files = drops.pending_files(feed, settings.inbox_dir, settle_s=settings.inbox_settle_s)
    months = loads.stale_months(settings)
    if not files and not months:
        return dg.SkipReason("no meter files waiting and every partition up to date")
    from pipelines.defs.common import drop_fingerprint

    fingerprint = drop_fingerprint(files)
    if files:  # one run takes the files in; the months are known afterwards
        return dg.RunRequest(run_key=f"drop-{fingerprint}", asset_selection=[FILES_KEY])
    return [
        dg.RunRequest(
            run_key=f"{medium}-{month:%Y-%m}-{sha[:12]}",
            asset_selection=[value_key(medium)],
            partition_key=f"{month:%Y-%m}-01",
        )
        for medium, month, sha in months
    ]


def definitions(settings: Settings) -> dg.Definitions:
    # The meter marts read the lake with DuckDB's read_parquet: on the PostgreSQL target they are disabled,
    # and so is the check on them (the lake and its partitions are the same on both).
    checks = [meter_months_match_monthly_report] if settings.dbt_target == "duckdb" else []
    return dg.Definitions(
        assets=[meter_feed_files, el_values, fjarrvarme_values],
        asset_checks=checks,
        jobs=[meter_values_job],
        sensors=[meter_inbox_sensor],
    )
