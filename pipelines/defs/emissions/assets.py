"""The emission spine in Dagster: SMHI's two exports and SCB's population, with their yearly
jobs and schedules. The work is in loads.py (plain Python)."""

import dagster as dg

from pipelines.defs.common import INGESTION, rejected, scb_table_asset
from pipelines.defs.emissions import loads
from pipelines.defs.emissions.raw_tables import (
    SCB_POPULATION,
    SMHI_EMISSIONS_CO2,
    SMHI_EMISSIONS_GGT,
)
from pipelines.lib.warehouse import RawTable, RejectedFile
from pipelines.resources import SmhiResource, WarehouseResource
from pipelines.settings import SCHEDULE_TIMEZONE


def smhi_result(report: loads.SmhiLoadReport) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        data_version=dg.DataVersion(report.sha256),
        metadata={
            "vintage": report.vintage,
            "gas": report.gas,
            "sha256": report.sha256,
            "landed_file": dg.MetadataValue.path(str(report.landed_path)),
            "rows_in_file": report.rows_in_file,
            "rows_inserted": report.rows_inserted,
            "unchanged_since_last_load": report.unchanged,
            "kommuner": report.kommuner,
            "years": ", ".join(map(str, report.years)),
            "seconds": dg.MetadataValue.json(report.seconds),
        },
    )


def smhi_asset(sub: str, table: RawTable, description: str) -> dg.AssetsDefinition:
    """The ingestion asset of one SMHI export (`sub`), loading `table`."""

    @dg.asset(key=["raw", table.name], description=description, **INGESTION)
    def _asset(
        context: dg.AssetExecutionContext, smhi: SmhiResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        try:
            with warehouse.loading(table) as store:
                report = loads.load_smhi_release(
                    smhi.client(log=context.log.warning), store, sub=sub, table=table.name
                )
        except RejectedFile as exc:
            raise rejected(exc) from exc
        return smhi_result(report)

    return _asset


smhi_emissions_ggt = smhi_asset(
    "GGT",
    SMHI_EMISSIONS_GGT,
    "SMHI Nationella emissionsdatabasen, sub=GGT (all greenhouse gases, t CO2e): "
    "the current release for every län and kommun.",
)
smhi_emissions_co2 = smhi_asset(
    "CO2",
    SMHI_EMISSIONS_CO2,
    "SMHI Nationella emissionsdatabasen, sub=CO2 (carbon dioxide only, t CO2), with "
    "subsectors: the scope of CO2 carbon budgets.",
)

scb_population = scb_table_asset(
    SCB_POPULATION,
    "SCB population per kommun on 31 December (TAB638 to 2024, TAB5557 from 2025), through "
    "PxWebApi 2.0.",
    lambda client, store, scb: loads.load_population(
        client, store, first_year=scb.population_first_year
    ),
)

smhi_release_job = dg.define_asset_job(
    "smhi_release",
    selection=dg.AssetSelection.assets(smhi_emissions_ggt, smhi_emissions_co2).downstream(),
    description="Fetch SMHI's current release (GGT and CO2) and rebuild everything downstream.",
)

scb_population_job = dg.define_asset_job(
    "scb_population",
    selection=dg.AssetSelection.assets(scb_population).downstream(),
    description="Fetch SCB population and rebuild everything downstream.",
)

# SMHI publishes year N in May–June of N+2; SCB's final population for a year comes in February.
smhi_yearly_schedule = dg.ScheduleDefinition(
    name="smhi_yearly_release",
    job=smhi_release_job,
    cron_schedule="0 6 20 6 *",
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every 20 June: SMHI's yearly release (data to two years back).",
)

scb_yearly_schedule = dg.ScheduleDefinition(
    name="scb_population_yearly",
    job=scb_population_job,
    cron_schedule="0 6 1 3 *",
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every 1 March: SCB's population on 31 December of the year before.",
)
