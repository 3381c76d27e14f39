"""Ingestion assets of the carbon-sink inputs: the national LULUCF series and the forest-land
allocation key, both from SCB through PxWebApi 2.0. The work is in loads.py."""

import dagster as dg

from pipelines.defs.common import scb_table_asset
from pipelines.defs.sinks import loads
from pipelines.settings import Settings
from sources.sinks import ScbForestLand

scb_lulucf_national = scb_table_asset(
    "scb_lulucf_national",
    "Sweden's LULUCF net flow per year (t CO2e, negative = net removal): SCB MI0107 TotaltUtslappN, sector 10.0, "
    "which republishes Naturvårdsverket's inventory. National only.",
    lambda client, store, _settings: loads.load_lulucf_national(client, store),
)

scb_forest_land = scb_table_asset(
    "scb_forest_land",
    "The allocation key of the downscaled sink: productive forest land per kommun in hectares (SCB MI0803). "
    "The bundled replay values are SYNTHETIC (is_synthetic).",
    lambda client, store, _settings: loads.load_forest_land(ScbForestLand(client), client, store),
)


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    return dg.Definitions(assets=[scb_lulucf_national, scb_forest_land])
