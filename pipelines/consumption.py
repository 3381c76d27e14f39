"""Ingestion assets of the consumption-based emissions: SCB MI1301 (national, by use), SCB NR0105
(the allocation key per kommun) and SEI Konsumtionskompassen (households, a file feed).
The work is in pipelines/consumption_loads.py; these wrap it with resources and UI metadata."""

from dataclasses import asdict

import dagster as dg

from pipelines import consumption_loads, engine
from pipelines.ingestion import INGESTION, scb_table_asset
from pipelines.loads import RejectedFile
from pipelines.resources import WarehouseResource
from pipelines.settings import Settings


scb_consumption_emissions = scb_table_asset(
    "scb_consumption_emissions",
    "SCB MI1301 consumption-based greenhouse-gas emissions, national, by use (households, public sector, "
    "investments), t CO2e per year, through PxWebApi 2.0.",
    consumption_loads.load_national_consumption)

scb_brp = scb_table_asset(
    "scb_brp",
    "SCB NR0105 gross regional product per kommun: the key that downscales public consumption and investments. "
    "The offline payload holds reconstructed shares (see its note).",
    consumption_loads.load_brp)


@dg.asset(key=["raw", "sei_household_emissions"], **INGESTION,
          description="SEI Konsumtionskompassen: household consumption-based emissions per capita per kommun "
                      "(kg CO2e), a file feed read from SEI_HOUSEHOLDS_PATH.")
def sei_household_emissions(context: dg.AssetExecutionContext,  # noqa: ARG001
                            warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    settings = Settings.from_env()
    try:
        report = consumption_loads.load_sei_households(settings.sei_households_path, warehouse_store.store)
    except RejectedFile as exc:
        raise dg.Failure(description=str(exc), metadata={
            "landed_file": dg.MetadataValue.path(str(exc.landed_path)),
            "report": dg.MetadataValue.path(str(exc.report_path))}) from exc
    engine.mirror_raw(settings, ["sei_household_emissions", "landed_files"])
    return dg.MaterializeResult(data_version=dg.DataVersion(report.sha256), metadata={
        **{k: v for k, v in asdict(report).items() if k != "landed_path" and v is not None},
        "landed_file": dg.MetadataValue.path(str(report.landed_path))})


CONSUMPTION_INGESTION_ASSETS = [scb_consumption_emissions, scb_brp, sei_household_emissions]
