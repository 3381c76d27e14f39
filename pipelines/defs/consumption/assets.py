"""Ingestion assets of the consumption-based emissions: SCB MI1301 (national, by use), SCB NR0105
(the allocation key per kommun) and SEI Konsumtionskompassen (households, a file feed).
The work is in loads.py; these wrap it with resources and UI metadata."""

from pathlib import Path

import dagster as dg

from pipelines.defs.common import INGESTION, load_result, rejected, scb_table_asset
from pipelines.defs.consumption import loads
from pipelines.defs.consumption.raw_tables import (
    SCB_BRP,
    SCB_CONSUMPTION_EMISSIONS,
    SEI_HOUSEHOLD_EMISSIONS,
)
from pipelines.lib.warehouse import RejectedFile
from pipelines.resources import SeiResource, WarehouseResource

scb_consumption_emissions = scb_table_asset(
    SCB_CONSUMPTION_EMISSIONS,
    "SCB MI1301 consumption-based greenhouse-gas emissions, national, by use (households, public "
    "sector, investments), t CO2e per year, through PxWebApi 2.0.",
    lambda client, store, _scb: loads.load_national_consumption(client, store),
)

scb_brp = scb_table_asset(
    SCB_BRP,
    "SCB NR0105 gross regional product per kommun: the key that downscales public consumption "
    "and investments. The offline payload holds reconstructed shares (see its note).",
    lambda client, store, _scb: loads.load_brp(client, store),
)


@dg.asset(
    key=["raw", SEI_HOUSEHOLD_EMISSIONS.name],
    **INGESTION,
    description="SEI Konsumtionskompassen: household consumption-based emissions per capita per "
    "kommun (kg CO2e), a file feed read from SEI_HOUSEHOLDS_PATH.",
)
def sei_household_emissions(
    context: dg.AssetExecutionContext, sei: SeiResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    try:
        with warehouse.loading(SEI_HOUSEHOLD_EMISSIONS) as store:
            report = loads.load_sei_households(Path(sei.path), store)
    except RejectedFile as exc:
        raise rejected(exc) from exc
    return load_result(context, SEI_HOUSEHOLD_EMISSIONS, report)
