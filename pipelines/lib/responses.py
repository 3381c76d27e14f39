"""The one way an HTTP source reaches raw: land each SCB response's bytes, turn the response that
the client already decoded into rows, and load every response of a fetch in one transaction
(plain Python, no Dagster).

    loads = scb_response_loads(client, result, store.landing_dir, table="scb_x", rows_of=frame_of,
    fetched_at=t) outcomes = warehouse.load_into_warehouse(store, loads)

Each response becomes its own landed file and `raw.landed_files` row, and its rows carry its
sha256 as `file_sha256`, so every row traces back to the bytes it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from pipelines.lib.warehouse import FileLoad, LoadOutcome, land_bytes, naive_utc
from sources.scb import JsonStatResult, PxWebClient

SCB_SOURCE = "scb"  # landing-zone folder and raw.landed_files.source


def scb_response_loads(
    client: PxWebClient,
    result: JsonStatResult,
    landing_dir,
    *,
    table: str,
    rows_of: Callable[[JsonStatResult], pl.DataFrame],
    fetched_at: datetime,
    replace_where: tuple[str, list] | None = None,
    request_params: dict | None = None,
) -> list[FileLoad]:
    """One FileLoad per response of `result`, its rows from `rows_of(response)` plus provenance."""
    loads = []
    for response in result.responses():
        [raw] = response.raw_responses
        landed = land_bytes(landing_dir, SCB_SOURCE, raw, ".json")
        rows = rows_of(response).with_columns(
            file_sha256=pl.lit(landed.sha256), fetched_at=pl.lit(naive_utc(fetched_at))
        )
        loads.append(
            FileLoad(
                landed=landed,
                source=SCB_SOURCE,
                file_name=f"{response.table_id}_{landed.sha256[:12]}.json",
                url=client.http.url(f"tables/{response.table_id}/data"),
                request_params=request_params
                if request_params is not None
                else (response.selections or [{}])[0],
                content_type="application/json",
                vintage=None,
                fetched_at=naive_utc(fetched_at),
                table=table,
                rows=rows,
                replace_where=replace_where,
            )
        )
    return loads


@dataclass(frozen=True)
class ResponsesLoaded:
    """What a load of SCB responses did, for the asset's metadata."""

    table: str
    responses: int
    rows_inserted: int
    unchanged_responses: int

    @classmethod
    def of(cls, table: str, outcomes: Sequence[LoadOutcome]) -> ResponsesLoaded:
        return cls(
            table=table,
            responses=len(outcomes),
            rows_inserted=sum(o.rows_inserted for o in outcomes),
            unchanged_responses=sum(o.skipped_as_duplicate for o in outcomes),
        )
