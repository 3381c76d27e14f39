"""Ingestion assets of the consumption-based emissions: SCB MI1301 (national, by use), SCB NR0105
(the allocation key per kommun) and SEI Konsumtionskompassen (households, a file feed).
The work is in loads.py; these wrap it with resources and UI metadata."""

import dagster as dg

from pipelines.defs.common import INGESTION, rejected, report_metadata, scb_table_asset
from pipelines.defs.consumption import loads
from pipelines.lib import engine
from pipelines.lib.warehouse import RejectedFile, Store
from pipelines.settings import Settings

scb_consumption_emissions = scb_table_asset(
    "scb_consumption_emissions",
    "SCB MI1301 consumption-based greenhouse-gas emissions, national, by use (households, public sector, "
    "investments), t CO2e per year, through PxWebApi 2.0.",
    lambda client, store, _settings: loads.load_national_consumption(client, store),
)

scb_brp = scb_table_asset(
    "scb_brp",
    "SCB NR0105 gross regional product per kommun: the key that downscales public consumption and investments. "
    "The offline payload holds reconstructed shares (see its note).",
    lambda client, store, _settings: loads.load_brp(client, store),
)


@dg.asset(
    key=["raw", "sei_household_emissions"],
    **INGESTION,
    description="SEI Konsumtionskompassen: household consumption-based emissions per capita per kommun "
    "(kg CO2e), a file feed read from SEI_HOUSEHOLDS_PATH.",
)
def sei_household_emissions(settings: dg.ResourceParam[Settings]) -> dg.MaterializeResult:
    try:
        report = loads.load_sei_households(settings.sei_households_path, Store.of(settings))
    except RejectedFile as exc:
        raise rejected(exc) from exc
    engine.mirror_raw(settings, ["sei_household_emissions", "landed_files"])
    return dg.MaterializeResult(
        data_version=dg.DataVersion(report.sha256), metadata=report_metadata(report)
    )


def definitions(settings: Settings) -> dg.Definitions:  # noqa: ARG001 - every domain takes the settings
    return dg.Definitions(assets=[scb_consumption_emissions, scb_brp, sei_household_emissions])
