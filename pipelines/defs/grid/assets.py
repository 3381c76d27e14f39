"""The electricity grid's hourly carbon intensity in Dagster: the inbox sensor, the ingestion asset
and its check. The work is in loads.py (plain Python); the parser in sources/carbon_intensity.py."""

import dagster as dg

from pipelines.defs.common import INGESTION, drop_results, inbox_sensor
from pipelines.defs.grid import loads
from pipelines.defs.grid.raw_tables import RAW_TABLES
from pipelines.resources import InboxResource, WarehouseResource

INTENSITY_KEY = dg.AssetKey(["raw", "carbon_intensity"])
ALL_VALID_CHECK = "every_carbon_intensity_file_was_valid"


@dg.asset(
    key=INTENSITY_KEY,
    **INGESTION,
    check_specs=[
        dg.AssetCheckSpec(
            ALL_VALID_CHECK,
            asset=INTENSITY_KEY,
            description="WARN when a file was quarantined; its report names the "
            "line, field and problem.",
        )
    ],
    description="Electricity Maps' hourly carbon intensity of the bidding zone (GRID_ZONE) from "
    "<INBOX_DIR>/carbon_intensity/: each file validated (header version, UTC hours without gap "
    "or duplicate, zone, ranges) and loaded in one transaction with its vintage (the release); "
    "bad files quarantined with a report, the warehouse untouched.",
)
def carbon_intensity(
    context: dg.AssetExecutionContext, inboxes: InboxResource, warehouse: WarehouseResource
):
    with warehouse.loading(*RAW_TABLES) as store:
        report = loads.process_drop(
            inboxes.path, store, grid_zone=inboxes.grid_zone, settle_s=inboxes.settle_s
        )
    context.log.info(
        f"accepted {report.accepted}, unchanged {report.unchanged}, rejected {report.rejected}"
    )
    yield from drop_results(report, ALL_VALID_CHECK)


carbon_intensity_job = dg.define_asset_job(
    "carbon_intensity",
    selection=dg.AssetSelection.assets(INTENSITY_KEY).downstream(),
    description="Validate and load the hourly carbon-intensity files in the inbox, then rebuild "
    "everything downstream.",
)


carbon_intensity_inbox_sensor = inbox_sensor(
    "carbon_intensity_inbox_sensor",
    carbon_intensity_job,
    lambda inboxes: loads.intensity_feed(inboxes.grid_zone),
)
