"""Ingestion assets of the carbon-sink inputs: the national LULUCF series and the forest-land
allocation key, both from SCB through PxWebApi 2.0. The work is in pipelines/sink_loads.py."""


from dataclasses import asdict

import dagster as dg

from pipelines import engine, sink_loads
from pipelines.ingestion import INGESTION
from pipelines.resources import ScbResource, WarehouseResource
from pipelines.settings import Settings
from sources.sinks import ScbForestLand


def sink_result(report: sink_loads.SinkLoadReport) -> dg.MaterializeResult:
    metadata = asdict(report)
    metadata["years"] = ", ".join(map(str, report.years))
    return dg.MaterializeResult(data_version=dg.DataVersion(report.sha256), metadata=metadata)


@dg.asset(key=["raw", "scb_lulucf_national"], **INGESTION,
          description="Sweden's LULUCF net flow per year (t CO2e, negative = net removal): SCB MI0107 "
                      "TotaltUtslappN, sector 10.0, which republishes Naturvårdsverket's inventory. National only.")
def scb_lulucf_national(context: dg.AssetExecutionContext, scb: ScbResource,
                        warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    report = sink_loads.load_lulucf_national(scb.client(log=context.log.warning), warehouse_store.store)
    engine.mirror_raw(Settings.from_env(), ["scb_lulucf_national", "landed_files"])
    return sink_result(report)


@dg.asset(key=["raw", "scb_forest_land"], **INGESTION,
          description="The allocation key of the downscaled sink: productive forest land per kommun in "
                      "hectares (SCB MI0803). The bundled replay values are SYNTHETIC (is_synthetic).")
def scb_forest_land(context: dg.AssetExecutionContext, scb: ScbResource,
                    warehouse_store: WarehouseResource) -> dg.MaterializeResult:
    client = scb.client(log=context.log.warning)
    report = sink_loads.load_forest_land(ScbForestLand(client), client, warehouse_store.store)
    if report.synthetic:
        context.log.warning("The forest-land key is SYNTHETIC (replay payload): downscaled sinks are not real figures.")
    engine.mirror_raw(Settings.from_env(), ["scb_forest_land", "landed_files"])
    return sink_result(report)


SINKS_ASSETS = [scb_lulucf_national, scb_forest_land]
