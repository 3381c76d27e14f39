"""Source-to-raw loads of the carbon-sink inputs (no Dagster): fetch, then land and load every
response through the shared framework (pipelines/lib/responses.py). Every fetch is kept; staging
reads the newest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from pipelines.lib import warehouse
from pipelines.lib.responses import scb_response_loads
from pipelines.lib.warehouse import Store
from sources.scb import JsonStatResult, PxWebClient
from sources.sinks import (
    LULUCF_NATIONAL,
    ForestLandSource,
    fetch_lulucf,
    lulucf_frame,
    replay_flags,
)


@dataclass(frozen=True)
class SinkLoadReport:
    table_id: str
    rows_inserted: int
    unchanged: bool
    years: list[int]
    synthetic: bool
    sha256: str


def provenance(response: JsonStatResult) -> dict:
    flags = replay_flags(response)
    return {
        "table_id": response.table_id,
        "updated": response.updated,
        "is_synthetic": bool(flags.get("synthetic", False)),
        "provenance_note": flags.get("provenance") or f"SCB {response.table_id} via PxWebApi 2.0",
    }


def load_response(
    store: Store,
    client: PxWebClient,
    result: JsonStatResult,
    rows: pl.DataFrame,
    *,
    table: str,
    fetched_at: datetime,
) -> SinkLoadReport:
    # Both selections are a few hundred cells, far below maxDataCells: one response, one landed
    # file.
    if len(result.responses()) != 1:
        raise ValueError(
            f"SCB {result.table_id}: expected one response, got {len(result.responses())}"
        )
    [load] = scb_response_loads(
        client,
        result,
        store.landing_dir,
        table=table,
        fetched_at=fetched_at,
        rows_of=lambda response: rows.with_columns(
            **{k: pl.lit(v) for k, v in provenance(response).items()}
        ),
    )
    [outcome] = warehouse.load_into_warehouse(store, [load])
    return SinkLoadReport(
        table_id=result.table_id,
        rows_inserted=outcome.rows_inserted,
        unchanged=outcome.skipped_as_duplicate,
        years=sorted(load.rows.get_column("year").unique().to_list()),
        synthetic=bool(load.rows.get_column("is_synthetic")[0]),
        sha256=load.landed.sha256,
    )


def load_lulucf_national(client: PxWebClient, store: Store) -> SinkLoadReport:
    """Sweden's LULUCF net flow per year into raw.scb_lulucf_national."""
    fetched_at = datetime.now(UTC)
    result = fetch_lulucf(client)
    frame = lulucf_frame(result).with_columns(
        sector_code=pl.lit(LULUCF_NATIONAL.sector_code),
        gas_code=pl.lit(LULUCF_NATIONAL.gas_code),
        contents_code=pl.lit(LULUCF_NATIONAL.contents_code),
    )
    return load_response(
        store, client, result, frame, table="scb_lulucf_national", fetched_at=fetched_at
    )


def load_forest_land(source: ForestLandSource, client: PxWebClient, store: Store) -> SinkLoadReport:
    """The allocation key (productive forest land per kommun) into raw.scb_forest_land."""
    fetched_at = datetime.now(UTC)
    frame, result = source.fetch()
    frame = frame.with_columns(
        key_source=pl.lit(source.name), key_description=pl.lit(source.description)
    )
    return load_response(
        store, client, result, frame, table="scb_forest_land", fetched_at=fetched_at
    )
