"""Ingestion assets, one per source download. The work is in pipelines/loads.py; these
wrap it with resources, the writer pool and UI metadata."""


from dataclasses import asdict

import dagster as dg

from pipelines import engine, loads
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


def smhi_asset(sub: str, description: str) -> dg.AssetsDefinition:
    """The ingestion asset of one SMHI export (`sub`), loading raw.smhi_emissions_<sub>."""
    table = f"smhi_emissions_{sub.lower()}"

    @dg.asset(key=["raw", table], description=description, **INGESTION)
    def _asset(context: dg.AssetExecutionContext, smhi: SmhiResource,
               warehouse_store: WarehouseResource) -> dg.MaterializeResult:
        try:
            report = loads.load_smhi_release(smhi.client(log=context.log.warning), warehouse_store.store,
                                             sub=sub, table=table)
        except loads.RejectedFile as exc:
            raise dg.Failure(description=str(exc), metadata={
                "landed_file": dg.MetadataValue.path(str(exc.landed_path)),
                "report": dg.MetadataValue.path(str(exc.report_path))}) from exc
        engine.mirror_raw(Settings.from_env(), [table, "landed_files"])
        return smhi_result(report)

    return _asset


smhi_emissions_ggt = smhi_asset(
    "GGT", "SMHI Nationella emissionsdatabasen, sub=GGT (all greenhouse gases, t CO2e): "
           "the current release for every län and kommun.")
smhi_emissions_co2 = smhi_asset(
    "CO2", "SMHI Nationella emissionsdatabasen, sub=CO2 (carbon dioxide only, t CO2), with "
           "subsectors: the scope of CO2 carbon budgets.")


@dg.asset(key=["raw", "scb_population"], **INGESTION,
          description="SCB population per kommun on 31 December (TAB638 to 2024, TAB5557 from 2025), "
                      "through PxWebApi 2.0.")
def scb_population(context: dg.AssetExecutionContext, scb: ScbResource,
                   warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    settings = Settings.from_env()
    report = loads.load_population(scb.client(log=context.log.warning), warehouse_store.store,
                                   first_year=settings.population_first_year)
    engine.mirror_raw(settings, ["scb_population", "landed_files"])
    metadata = asdict(report)
    return dg.MaterializeResult(metadata={
        **{k: v for k, v in metadata.items() if k not in ("years", "seconds")},
        "years": ", ".join(map(str, report.years)),
        "seconds": dg.MetadataValue.json(report.seconds),
    })


INGESTION_ASSETS = [smhi_emissions_ggt, smhi_emissions_co2, scb_population]
