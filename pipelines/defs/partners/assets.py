"""Partner submissions in Dagster: a sensor on the inbox, and the asset that validates and loads
each file (the work is in loads.py, on the shared drop processor)."""

import dagster as dg

from pipelines.defs.common import drop_results, inbox_sensor
from pipelines.defs.partners import loads
from pipelines.defs.partners.raw_tables import RAW_TABLES
from pipelines.resources import InboxResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

SUBMISSIONS_KEY = dg.AssetKey(["raw", "partner_submissions"])
ALL_VALID_CHECK = "every_file_in_the_drop_was_valid"


@dg.asset(
    key=SUBMISSIONS_KEY,
    group_name="ingestion",
    pool=DUCKDB_POOL,
    kinds={"python", "duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            ALL_VALID_CHECK,
            asset=SUBMISSIONS_KEY,
            description="WARN when a file was quarantined; its report names "
            "the sheet, row, column and value.",
        )
    ],
    description="Partner submissions from inbox/partners/<partner_id>/: validated, loaded file by "
    "file (all sheets or nothing), bad files quarantined with a report.",
)
def partner_submissions(
    context: dg.AssetExecutionContext, inboxes: InboxResource, warehouse: WarehouseResource
):
    with warehouse.loading(*RAW_TABLES) as store:
        report = loads.process_drop(inboxes.path, store, settle_s=inboxes.settle_s)
    context.log.info(
        f"accepted {report.accepted}, unchanged {report.unchanged}, rejected {report.rejected}"
    )
    yield from drop_results(report, ALL_VALID_CHECK)


partner_submissions_job = dg.define_asset_job(
    "partner_submissions",
    selection=dg.AssetSelection.assets(SUBMISSIONS_KEY).downstream(),
    description="Validate and load the files in the partner inbox, then rebuild everything "
    "downstream.",
)


partner_inbox_sensor = inbox_sensor(
    "partner_inbox_sensor", partner_submissions_job, lambda _inboxes: loads.submission_feed()
)
