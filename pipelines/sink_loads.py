"""Source-to-raw loads of the carbon-sink inputs (no Dagster): fetch, land every response's bytes,
validate, then load in one transaction. Every fetch is kept; staging reads the newest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl

from pipelines import warehouse
from pipelines.loads import Store, naive_utc
from sources.scb import JsonStatResult, PxWebClient
from sources.sinks import LULUCF_NATIONAL, ForestLandSource, fetch_lulucf, lulucf_frame, replay_flags


@dataclass(frozen=True)
class SinkLoadReport:
    table_id: str
    rows_inserted: int
    unchanged: bool
    years: list[int]
    synthetic: bool
    sha256: str


def provenance_columns(result: JsonStatResult, raw: bytes, *, sha256: str, fetched_at: datetime) -> dict:
    flags = replay_flags(raw)
    return {
        "file_sha256": sha256,
        "table_id": result.table_id,
        "updated": result.updated,
        "is_synthetic": bool(flags.get("synthetic", False)),
        "provenance_note": flags.get("provenance") or f"SCB {result.table_id} via PxWebApi 2.0",
        "fetched_at": naive_utc(fetched_at),
    }


def single_response(result: JsonStatResult) -> bytes:
    # Both selections are a few hundred cells, far below maxDataCells: one response, one landed file.
    if len(result.raw_responses) != 1:
        raise ValueError(f"SCB {result.table_id}: expected one response, got {len(result.raw_responses)}")
    return result.raw_responses[0]


def load_response(store: Store, client: PxWebClient, result: JsonStatResult, rows: pl.DataFrame,
                  *, table: str, fetched_at: datetime) -> SinkLoadReport:
    raw = single_response(result)
    landed = warehouse.land_bytes(store.landing_dir, "scb", raw, ".json")
    rows = rows.with_columns(**{k: pl.lit(v) for k, v in provenance_columns(
        result, raw, sha256=landed.sha256, fetched_at=fetched_at).items()})
    load = warehouse.FileLoad(
        landed=landed, source="scb", file_name=f"{result.table_id}_{landed.sha256[:12]}.json",
        url=client.http.url(f"tables/{result.table_id}/data"),
        request_params=result.selections[0] if result.selections else {},
        content_type="application/json", vintage=None, fetched_at=naive_utc(fetched_at), table=table, rows=rows)
    with warehouse.connect(store.warehouse_path) as con:
        [outcome] = warehouse.load_files(con, [load])
    return SinkLoadReport(table_id=result.table_id, rows_inserted=outcome.rows_inserted,
                          unchanged=outcome.skipped_as_duplicate,
                          years=sorted(rows.get_column("year").unique().to_list()),
                          synthetic=bool(rows.get_column("is_synthetic")[0]), sha256=landed.sha256)


def load_lulucf_national(client: PxWebClient, store: Store) -> SinkLoadReport:
    """Sweden's LULUCF net flow per year into raw.scb_lulucf_national."""
    fetched_at = datetime.now(timezone.utc)
    result = fetch_lulucf(client)
    frame = lulucf_frame(result).with_columns(
        sector_code=pl.lit(LULUCF_NATIONAL.sector_code), gas_code=pl.lit(LULUCF_NATIONAL.gas_code),
        contents_code=pl.lit(LULUCF_NATIONAL.contents_code))
    return load_response(store, client, result, frame, table="scb_lulucf_national", fetched_at=fetched_at)


def load_forest_land(source: ForestLandSource, client: PxWebClient, store: Store) -> SinkLoadReport:
    """The allocation key (productive forest land per kommun) into raw.scb_forest_land."""
    fetched_at = datetime.now(timezone.utc)
    frame, result = source.fetch()
    frame = frame.with_columns(key_source=pl.lit(source.name), key_description=pl.lit(source.description))
    return load_response(store, client, result, frame, table="scb_forest_land", fetched_at=fetched_at)
