"""Jobs and schedules over the whole warehouse; each domain keeps its own (the SMHI and
population schedules are in emissions/). Schedules ship switched off: engineers turn them on
in the UI."""

import dagster as dg

from pipelines.settings import PARTITIONING_TAG, SCHEDULE_TIMEZONE

# Partitioned assets (tagged PARTITIONING_TAG: the meter lake's months) run in their own jobs, one run
# per partition, started by their sensor or a backfill; this job has no partition key.
warehouse_refresh = dg.define_asset_job(
    "warehouse_refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.tag(PARTITIONING_TAG, "monthly"),
    description="Download every source, load the raw tables and rebuild all dbt models and checks.",
)

YEARLY_STATISTICS = [
    ["raw", "scb_energy"],
    ["raw", "scb_lulucf_national"],
    ["raw", "scb_forest_land"],
    ["raw", "scb_consumption_emissions"],
    ["raw", "scb_brp"],
    ["raw", "sei_household_emissions"],
    ["raw", "national_sector_emissions"],
]
yearly_statistics_job = dg.define_asset_job(
    "yearly_statistics",
    selection=dg.AssetSelection.assets(*YEARLY_STATISTICS).downstream(),
    description="Fetch the yearly statistics (SCB energy, LULUCF, national sector emissions, forest land, "
    "consumption, BRP; the SEI file) "
    "and rebuild everything downstream.",
)

# Their publication dates differ per table and are not verified here. A load whose response is
# unchanged adds nothing (sha256), so asking every month picks each release up within a month.
yearly_statistics_schedule = dg.ScheduleDefinition(
    name="yearly_statistics_monthly",
    job=yearly_statistics_job,
    cron_schedule="0 6 5 * *",
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The 5th of every month: re-ask the yearly statistics; unchanged responses change nothing.",
)

