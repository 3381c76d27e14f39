"""Ingestion assets of the carbon-sink inputs: the national LULUCF series and the forest-land
allocation key, both from SCB through PxWebApi 2.0. The work is in loads.py."""

from pipelines.defs.common import scb_table_asset
from pipelines.defs.sinks import loads
from pipelines.defs.sinks.raw_tables import SCB_FOREST_LAND, SCB_LULUCF_NATIONAL
from sources.sinks import ScbForestLand

scb_lulucf_national = scb_table_asset(
    SCB_LULUCF_NATIONAL,
    "Sweden's LULUCF net flow per year (t CO2e, negative = net removal): SCB MI0107 "
    "TotaltUtslappN, sector 10.0, which republishes Naturvårdsverket's inventory. National only.",
    lambda client, store, _scb: loads.load_lulucf_national(client, store),
)

scb_forest_land = scb_table_asset(
    SCB_FOREST_LAND,
    "The allocation key of the downscaled sink: productive forest land per kommun in hectares "
    "(SCB MI0803). The bundled replay values are SYNTHETIC (is_synthetic).",
    lambda client, store, _scb: loads.load_forest_land(ScbForestLand(client), client, store),
)
