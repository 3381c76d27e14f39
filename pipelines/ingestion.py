"""Ingestion assets, one per source download. The work is in pipelines/loads.py; these
wrap it with resources, the writer pool and UI metadata."""


from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import dagster as dg

from pipelines import engine, loads
from pipelines.resources import ScbResource, SmhiResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL, Settings
from sources.scb import PxWebClient

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


def report_metadata(report) -> dict:
    """A load report (a dataclass) as asset metadata: lists joined, paths linked, dicts as JSON,
    notes as markdown; empty fields left out."""
    metadata = {}
    for key, value in asdict(report).items():
        if value is None:
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = dg.MetadataValue.json(value)
        elif isinstance(value, Path):
            value = dg.MetadataValue.path(str(value))
        elif key == "note":
            value = dg.MetadataValue.md(value)
        metadata[key] = value
    return metadata


def scb_table_asset(table: str, description: str, load: Callable[[PxWebClient, loads.Store], object]
                    ) -> dg.AssetsDefinition:
    """The ingestion asset of SCB tables loaded into raw.<table> by `load(client, store)`."""

    @dg.asset(key=["raw", table], description=description, **INGESTION)
    def _asset(context: dg.AssetExecutionContext, scb: ScbResource,
               warehouse_store: WarehouseResource) -> dg.MaterializeResult:
        report = load(scb.client(log=context.log.warning), warehouse_store.store)
        if getattr(report, "synthetic", False):
            context.log.warning(f"raw.{table} holds SYNTHETIC replay data: figures built on it are not real.")
        engine.mirror_raw(Settings.from_env(), [table, "landed_files"])
        sha256 = getattr(report, "sha256", None)
        return dg.MaterializeResult(data_version=dg.DataVersion(sha256) if sha256 else None,
                                    metadata=report_metadata(report))

    return _asset


scb_population = scb_table_asset(
    "scb_population",
    "SCB population per kommun on 31 December (TAB638 to 2024, TAB5557 from 2025), through PxWebApi 2.0.",
    lambda client, store: loads.load_population(client, store,
                                                first_year=Settings.from_env().population_first_year))


INGESTION_ASSETS = [smhi_emissions_ggt, smhi_emissions_co2, scb_population]
