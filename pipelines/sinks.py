"""Ingestion assets of the carbon-sink inputs: the national LULUCF series and the forest-land
allocation key, both from SCB through PxWebApi 2.0. The work is in pipelines/sink_loads.py."""


from pipelines import sink_loads
from pipelines.ingestion import scb_table_asset
from sources.sinks import ScbForestLand


scb_lulucf_national = scb_table_asset(
    "scb_lulucf_national",
    "Sweden's LULUCF net flow per year (t CO2e, negative = net removal): SCB MI0107 TotaltUtslappN, sector 10.0, "
    "which republishes Naturvårdsverket's inventory. National only.",
    sink_loads.load_lulucf_national)

scb_forest_land = scb_table_asset(
    "scb_forest_land",
    "The allocation key of the downscaled sink: productive forest land per kommun in hectares (SCB MI0803). "
    "The bundled replay values are SYNTHETIC (is_synthetic).",
    lambda client, store: sink_loads.load_forest_land(ScbForestLand(client), client, store))


SINKS_ASSETS = [scb_lulucf_national, scb_forest_land]
