"""Ingestion assets, one per source download. The work is in pipelines/loads.py; these
wrap it with resources, the writer pool and UI metadata."""


from dataclasses import asdict

import dagster as dg

from pipelines import loads
from pipelines.resources import ScbResource, SmhiResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL, Settings

INGESTION_GROUP = "ingestion"
INGESTION = dict(group_name=INGESTION_GROUP, pool=DUCKDB_POOL, kinds={"python", "duckdb"})


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
        })


def load_smhi(context, smhi: SmhiResource, store: WarehouseResource, *, sub: str, table: str):
    try:
        report = loads.load_smhi_release(smhi.client(log=context.log.warning), store.store, sub=sub, table=table)
    except loads.RejectedFile as exc:
        raise dg.Failure(description=str(exc), metadata={
            "landed_file": dg.MetadataValue.path(str(exc.landed_path)),
            "report": dg.MetadataValue.path(str(exc.report_path))}) from exc
    return smhi_result(report)


@dg.asset(key=["raw", "smhi_emissions_ggt"], **INGESTION,
          description="SMHI Nationella emissionsdatabasen, sub=GGT (all greenhouse gases, t CO2e): "
                      "the current release for every län and kommun.")
def smhi_emissions_ggt(context: dg.AssetExecutionContext, smhi: SmhiResource,
                       warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    return load_smhi(context, smhi, warehouse_store, sub="GGT", table="smhi_emissions_ggt")


@dg.asset(key=["raw", "smhi_emissions_co2"], **INGESTION,
          description="SMHI Nationella emissionsdatabasen, sub=CO2 (carbon dioxide only, t CO2), "
                      "with subsectors: the scope of CO2 carbon budgets.")
def smhi_emissions_co2(context: dg.AssetExecutionContext, smhi: SmhiResource,
                       warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    return load_smhi(context, smhi, warehouse_store, sub="CO2", table="smhi_emissions_co2")


@dg.asset(key=["raw", "scb_population"], **INGESTION,
          description="SCB population per kommun on 31 December (TAB638 to 2024, TAB5557 from 2025), "
                      "through PxWebApi 2.0.")
def scb_population(context: dg.AssetExecutionContext, scb: ScbResource,
                   warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    report = loads.load_population(scb.client(log=context.log.warning), warehouse_store.store,
                                   first_year=Settings.from_env().population_first_year)
    metadata = asdict(report)
    return dg.MaterializeResult(metadata={
        **{k: v for k, v in metadata.items() if k not in ("years", "seconds")},
        "years": ", ".join(map(str, report.years)),
        "seconds": dg.MetadataValue.json(report.seconds),
    })


INGESTION_ASSETS = [smhi_emissions_ggt, smhi_emissions_co2, scb_population]
