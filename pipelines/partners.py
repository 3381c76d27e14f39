"""Partner submissions in Dagster: a sensor on the inbox, and the asset that validates and loads
each file (the work is in pipelines/partner_loads.py)."""

import hashlib

import dagster as dg

from pipelines import engine, partner_loads
from pipelines.resources import WarehouseResource
from pipelines.settings import DUCKDB_POOL, Settings

SUBMISSIONS_KEY = dg.AssetKey(["raw", "partner_submissions"])
ALL_VALID_CHECK = "every_file_in_the_drop_was_valid"


@dg.asset(key=SUBMISSIONS_KEY, group_name="ingestion", pool=DUCKDB_POOL, kinds={"python", "duckdb"},
          check_specs=[dg.AssetCheckSpec(ALL_VALID_CHECK, asset=SUBMISSIONS_KEY,
                                         description="WARN when a file was quarantined; its report names "
                                                     "the sheet, row, column and value.")],
          description="Partner submissions from inbox/partners/<partner_id>/: validated, loaded file by "
                      "file (all sheets or nothing), bad files quarantined with a report.")
def partner_submissions(context: dg.AssetExecutionContext, warehouse_store: WarehouseResource):
    settings = Settings.from_env()
    report = partner_loads.process_drop(settings.inbox_dir, warehouse_store.store)
    engine.mirror_raw(settings, ["partner_submissions", *partner_loads.SHEET_TABLES.values()])
    context.log.info(f"accepted {report.accepted}, unchanged {report.unchanged}, rejected {report.rejected}")
    yield dg.MaterializeResult(metadata={
        "accepted": dg.MetadataValue.json(report.accepted),
        "unchanged": dg.MetadataValue.json(report.unchanged),
        "rejected": dg.MetadataValue.json(report.rejected),
    })
    yield dg.AssetCheckResult(
        check_name=ALL_VALID_CHECK, passed=not report.rejected, severity=dg.AssetCheckSeverity.WARN,
        metadata={"quarantined": dg.MetadataValue.json(report.rejected),
                  "reports": dg.MetadataValue.md("\n\n".join(f"**{f}**\n\n```\n{t}\n```"
                                                            for f, t in report.reports.items()) or "none")})


partner_submissions_job = dg.define_asset_job(
    "partner_submissions", selection=dg.AssetSelection.assets(SUBMISSIONS_KEY).downstream(),
    description="Validate and load the files in the partner inbox, then rebuild everything downstream.")


def drop_fingerprint(files) -> str:
    """Identifies a set of waiting files, so each new drop triggers exactly one run."""
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(job=partner_submissions_job, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a load when files wait in inbox/partners/<partner_id>/.")
def partner_inbox_sensor(context: dg.SensorEvaluationContext):
    files = partner_loads.pending_files(Settings.from_env().inbox_dir)
    if not files:
        return dg.SkipReason("no files in the partner inbox")
    return dg.RunRequest(run_key=drop_fingerprint(files), tags={"files": str(len(files))})
