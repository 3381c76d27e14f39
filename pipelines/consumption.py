"""Ingestion assets of the consumption-based emissions: SCB MI1301 (national, by use), SCB NR0105
(the allocation key per kommun) and SEI Konsumtionskompassen (households, a file feed).
The work is in pipelines/consumption_loads.py; these wrap it with resources and UI metadata."""

from dataclasses import asdict

import dagster as dg

from pipelines import consumption_loads, engine
from pipelines.ingestion import INGESTION
from pipelines.loads import RejectedFile
from pipelines.resources import ScbResource, WarehouseResource
from pipelines.settings import Settings


def scb_result(report: consumption_loads.ConsumptionLoadReport) -> dg.MaterializeResult:
    metadata = {k: v for k, v in asdict(report).items() if k not in ("years", "note") and v is not None}
    metadata["years"] = ", ".join(map(str, report.years))
    if report.note:
        metadata["payload_note"] = dg.MetadataValue.md(report.note)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(key=["raw", "scb_consumption_emissions"], **INGESTION,
          description="SCB MI1301 consumption-based greenhouse-gas emissions, national, by use "
                      "(households, public sector, investments), t CO2e per year, through PxWebApi 2.0.")
def scb_consumption_emissions(context: dg.AssetExecutionContext, scb: ScbResource,
                              warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    report = consumption_loads.load_national_consumption(scb.client(log=context.log.warning), warehouse_store.store)
    engine.mirror_raw(Settings.from_env(), ["scb_consumption_emissions", "landed_files"])
    return scb_result(report)


@dg.asset(key=["raw", "scb_brp"], **INGESTION,
          description="SCB NR0105 gross regional product per kommun: the key that downscales public "
                      "consumption and investments. The offline payload holds reconstructed shares (see its note).")
def scb_brp(context: dg.AssetExecutionContext, scb: ScbResource,
            warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    report = consumption_loads.load_brp(scb.client(log=context.log.warning), warehouse_store.store)
    engine.mirror_raw(Settings.from_env(), ["scb_brp", "landed_files"])
    return scb_result(report)


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
