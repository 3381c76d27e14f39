"""Jobs and schedules. Schedules ship switched off: engineers turn them on in the UI."""

from __future__ import annotations

import dagster as dg

TIMEZONE = "Europe/Stockholm"

warehouse_refresh = dg.define_asset_job(
    "warehouse_refresh", selection=dg.AssetSelection.all(),
    description="Download every source, load the raw tables and rebuild all dbt models and checks.")

smhi_release_job = dg.define_asset_job(
    "smhi_release", selection=dg.AssetSelection.assets(["raw", "smhi_emissions_ggt"], ["raw", "smhi_emissions_co2"]).downstream(),
    description="Fetch SMHI's current release (GGT and CO2) and rebuild everything downstream.")

scb_population_job = dg.define_asset_job(
    "scb_population", selection=dg.AssetSelection.assets(["raw", "scb_population"]).downstream(),
    description="Fetch SCB population and rebuild everything downstream.")

# SMHI publishes year N in May–June of N+2; SCB's final population for a year comes in February.
smhi_yearly_schedule = dg.ScheduleDefinition(
    name="smhi_yearly_release", job=smhi_release_job, cron_schedule="0 6 20 6 *",
    execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every 20 June: SMHI's yearly release (data to two years back).")

scb_yearly_schedule = dg.ScheduleDefinition(
    name="scb_population_yearly", job=scb_population_job, cron_schedule="0 6 1 3 *",
    execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every 1 March: SCB's population on 31 December of the year before.")

YEARLY_STATISTICS = [["raw", "scb_energy"], ["raw", "scb_lulucf_national"], ["raw", "scb_forest_land"],
                     ["raw", "scb_consumption_emissions"], ["raw", "scb_brp"], ["raw", "sei_household_emissions"]]
yearly_statistics_job = dg.define_asset_job(
    "yearly_statistics", selection=dg.AssetSelection.assets(*YEARLY_STATISTICS).downstream(),
    description="Fetch the yearly statistics (SCB energy, LULUCF, forest land, consumption, BRP; the SEI file) "
                "and rebuild everything downstream.")

# Their publication dates differ per table and are not verified here. A load whose response is
# unchanged adds nothing (sha256), so asking every month picks each release up within a month.
yearly_statistics_schedule = dg.ScheduleDefinition(
    name="yearly_statistics_monthly", job=yearly_statistics_job, cron_schedule="0 6 5 * *",
    execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The 5th of every month: re-ask the yearly statistics; unchanged responses change nothing.")

JOBS = [warehouse_refresh, smhi_release_job, scb_population_job, yearly_statistics_job]
SCHEDULES = [smhi_yearly_schedule, scb_yearly_schedule, yearly_statistics_schedule]
