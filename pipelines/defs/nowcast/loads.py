"""The nowcast's raw loads (no Dagster):
- Sweden's emissions by main sector into raw.national_sector_emissions: fetch MI0107 through the
  plain client, land the response byte for byte, load its rows in one transaction;
- SMHI's archived releases into raw.smhi_archived_releases, through the SMHI export's own load
  (pipelines/defs/emissions/loads.py) pointed at the archive.
A rerun that gets the same bytes loads nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from pipelines.defs.emissions.loads import SmhiLoadReport, load_smhi_release
from pipelines.defs.nowcast.raw_tables import NATIONAL_SECTOR_EMISSIONS, SMHI_ARCHIVED_RELEASES
from pipelines.lib import warehouse
from pipelines.lib.responses import scb_response_loads
from pipelines.lib.warehouse import Store
from sources.national_emissions import (
    CONTENTS_CODE,
    SOURCE_ID,
    NationalEmissionsClient,
    sector_frame,
)
from sources.smhi import SmhiClient

TABLE = NATIONAL_SECTOR_EMISSIONS.name
# The exports asked of the archive: the warehouse's own runs keep the GGT releases (CO2e) since
# 2026, but its CO2 export stands at the release of 2024-04-18, so the CO2 backtest's later
# release comes from the archive.
ARCHIVED_SUBS = ("CO2",)


@dataclass(frozen=True)
class NationalLoadReport:
    table_id: str
    updated: str | None
    rows_inserted: int
    unchanged: bool
    years: list[int]
    gases: list[str]
    placeholders: int  # rows the source marks as placeholders (replay only)
    sha256: list[str]


def load_national_sector_emissions(
    client: NationalEmissionsClient, store: Store
) -> NationalLoadReport:
    fetched_at = datetime.now(UTC)
    fetched = client.fetch()
    loads = scb_response_loads(
        client.pxweb,
        fetched.result,
        store.landing_dir,
        table=TABLE,
        fetched_at=fetched_at,
        rows_of=lambda response: sector_frame(response).with_columns(
            table_id=pl.lit(response.table_id),
            source_id=pl.lit(SOURCE_ID),
            contents_code=pl.lit(CONTENTS_CODE),
            updated=pl.lit(response.updated),
        ),
    )
    with warehouse.connect(store.warehouse_path) as con:
        outcomes = warehouse.load_files(con, loads)
    frame = fetched.frame
    return NationalLoadReport(
        table_id=fetched.result.table_id,
        updated=fetched.result.updated,
        rows_inserted=sum(o.rows_inserted for o in outcomes),
        unchanged=all(o.skipped_as_duplicate for o in outcomes),
        years=sorted(frame.drop_nulls("tonnes").get_column("year").unique().to_list()),
        gases=sorted(frame.get_column("gas").unique().to_list()),
        placeholders=frame.filter(pl.col("value_kind") == "placeholder").height,
        sha256=[load.landed.sha256 for load in loads],
    )


def load_archived_releases(client: SmhiClient, store: Store) -> list[SmhiLoadReport]:
    """Each export of ARCHIVED_SUBS as the archive serves it, into raw.smhi_archived_releases."""
    return [
        load_smhi_release(client, store, sub=sub, table=SMHI_ARCHIVED_RELEASES.name)
        for sub in ARCHIVED_SUBS
    ]
