"""SCB's municipal energy statistics (KRE) into raw.scb_energy (plain Python, no Dagster; the
asset is in assets.py): TAB3654 (final use by consumer category and fuel), TAB3451 (electricity
production) and TAB3452 (district-heating production) for one kommun, every published year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from pipelines.defs.energy.raw_tables import SCB_ENERGY
from pipelines.lib import warehouse
from pipelines.lib.responses import ResponsesLoaded, scb_response_loads
from pipelines.lib.warehouse import Store
from sources.scb import PxWebClient
from sources.scb_energy import KRE_TABLES, fetch_kre, kre_rows


@dataclass(frozen=True)
class ScbEnergyLoadReport:
    responses: int
    rows_inserted: int
    unchanged_responses: int
    tables: list[str]
    years: list[int]
    confidential_cells: int


def load_scb_energy(client: PxWebClient, store: Store, *, kommun_kod: str) -> ScbEnergyLoadReport:
    """TAB3654, TAB3451 and TAB3452 for one kommun, every published year, in one transaction."""
    fetched_at = datetime.now(UTC)
    loads = []
    for table, result in fetch_kre(client, kommun_kod).items():
        loads += scb_response_loads(
            client,
            result,
            store.landing_dir,
            table=SCB_ENERGY.name,
            fetched_at=fetched_at,
            rows_of=lambda response, table=table: kre_rows(response, table),
            request_params={"Region": [kommun_kod]},
            # A new response of a table replaces that table's rows for the kommun (SCB revises KRE).
            replace_where=("table_id = ? and kommun_kod = ?", [table.table_id, kommun_kod]),
        )
    loaded = ResponsesLoaded.of(SCB_ENERGY.name, warehouse.load_into_warehouse(store, loads))
    frame = pl.concat([load.rows for load in loads]) if loads else pl.DataFrame()
    return ScbEnergyLoadReport(
        responses=loaded.responses,
        rows_inserted=loaded.rows_inserted,
        unchanged_responses=loaded.unchanged_responses,
        tables=[t.table_id for t in KRE_TABLES],
        years=sorted(frame.get_column("year").unique().to_list()) if frame.height else [],
        confidential_cells=frame.filter(pl.col("status").is_not_null()).height
        if frame.height
        else 0,
    )
