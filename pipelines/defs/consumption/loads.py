"""Consumption-emission sources to raw, as plain functions (no Dagster): SCB MI1301 (national,
by use), SCB NR0105 (the allocation key per kommun) and the SEI household file feed.
Each lands the original bytes, parses, and loads in one transaction, idempotent by sha256."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.lib import warehouse
from pipelines.lib.responses import ResponsesLoaded, scb_response_loads
from pipelines.lib.warehouse import RejectedFile, Store, naive_utc
from sources import consumption as src
from sources.scb import JsonStatResult, PxWebClient


@dataclass(frozen=True)
class ConsumptionLoadReport:
    table: str
    source_table_id: str
    responses: int
    rows_inserted: int
    unchanged_responses: int
    years: list[int]
    updated: str | None
    note: str | None


def _load_scb(
    client: PxWebClient, store: Store, result: JsonStatResult, *, table: str, frame_of
) -> ConsumptionLoadReport:
    loads = scb_response_loads(
        client,
        result,
        store.landing_dir,
        table=table,
        rows_of=frame_of,
        fetched_at=datetime.now(UTC),
    )
    loaded = ResponsesLoaded.of(table, warehouse.load_into_warehouse(store, loads))
    return ConsumptionLoadReport(
        table=table,
        source_table_id=result.table_id,
        responses=loaded.responses,
        rows_inserted=loaded.rows_inserted,
        unchanged_responses=loaded.unchanged_responses,
        years=sorted({int(y) for y in result.frame.get_column("Tid").to_list()})
        if result.frame.height
        else [],
        updated=result.updated,
        note=" ".join(result.notes) or None,
    )


def load_national_consumption(
    client: PxWebClient, store: Store, *, first_year: int = 2008
) -> ConsumptionLoadReport:
    result = src.fetch_national_consumption(client, first_year)
    return _load_scb(
        client,
        store,
        result,
        table="scb_consumption_emissions",
        frame_of=src.national_consumption_frame,
    )


def load_brp(client: PxWebClient, store: Store) -> ConsumptionLoadReport:
    result = src.fetch_brp(client)
    return _load_scb(client, store, result, table="scb_brp", frame_of=src.brp_frame)


@dataclass(frozen=True)
class SeiLoadReport:
    file_name: str
    sha256: str
    landed_path: Path
    data_year: int
    vintage: str
    kommuner: int
    rows_inserted: int
    rows_replaced: int
    unchanged: bool
    national_kg_per_capita: float | None


def load_sei_households(path: Path, store: Store) -> SeiLoadReport:
    """The SEI workbook at `path`: landed, parsed (a bad file is rejected with a report beside
    its landed bytes, nothing loaded), then loaded; a newer file of the same data year replaces
    it."""
    if not path.is_file():
        raise FileNotFoundError(
            f"SEI household workbook not found: {path} (set SEI_HOUSEHOLDS_PATH)"
        )
    content = path.read_bytes()
    fetched_at = datetime.now(UTC)
    landed = warehouse.land_bytes(store.landing_dir, "sei", content, ".xlsx")
    try:
        parsed = src.parse_sei_households(content, file_name=path.name)
    except src.SeiFormatError as exc:
        report = warehouse.write_rejection_report(landed, file_name=path.name, error=exc)
        raise RejectedFile(
            f"SEI file rejected, nothing loaded: {exc}", landed.path, report
        ) from exc
    rows = parsed.frame.with_columns(
        file_sha256=pl.lit(landed.sha256),
        file_name=pl.lit(path.name),
        sheet=pl.lit(parsed.sheet),
        data_year=pl.lit(parsed.data_year, pl.Int32),
        vintage=pl.lit(parsed.vintage),
        fetched_at=pl.lit(naive_utc(fetched_at)),
    )
    load = warehouse.FileLoad(
        landed=landed,
        source="sei",
        file_name=path.name,
        url=path.as_uri(),
        request_params={},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        vintage=parsed.vintage,
        fetched_at=naive_utc(fetched_at),
        table="sei_household_emissions",
        rows=rows,
        replace_where=("data_year = ?", [parsed.data_year]),
    )
    [outcome] = warehouse.load_into_warehouse(store, [load])
    return SeiLoadReport(
        file_name=path.name,
        sha256=landed.sha256,
        landed_path=landed.path,
        data_year=parsed.data_year,
        vintage=str(parsed.vintage),
        kommuner=parsed.frame.height,
        rows_inserted=outcome.rows_inserted,
        rows_replaced=outcome.rows_replaced,
        unchanged=outcome.skipped_as_duplicate,
        national_kg_per_capita=parsed.national_kg_per_capita,
    )
