"""SCB's municipal and regional energy statistics (KRE, product EN0203, Energimyndigheten) through
the PxWebApi 2.0 client in sources/scb.py. Plain Python, no Dagster.

Table ids, variable names and codes are those of data_sources.md §1.6, verbatim:

  TAB3654  Slutanvändning (MWh) efter förbrukarkategori och bränsletyp   ContentsCode EN0203AE
           variables Region, Forbrukningskategri (sic), Bransle, ContentsCode, Tid
  TAB3451  Elproduktion och bränsleanvändning (MWh) efter produktionssätt  ContentsCode EN0203AD
           variables Region, Produktionssatt, Bransle, ContentsCode, Tid
  TAB3452  Fjärrvärmeproduktion och bränsleanvändning (MWh)               ContentsCode EN0203AC
           variables Region, Produktionssatt, Bransle, ContentsCode, Tid

Every category of the table is requested for one kommun and every published year (a few hundred
cells, far below maxDataCells). Confidential cells (KRE marks them "..") arrive as null values
with the symbol kept in `status`: they are never read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sources.scb import JsonStatResult, PxWebClient, Selection, category_codes

FUEL_VARIABLE = "Bransle"


@dataclass(frozen=True)
class KreTable:
    table_id: str
    contents_code: str
    category_variable: str  # the table's breakdown besides fuel
    subject: str  # what the table measures


KRE_TABLES = (
    KreTable("TAB3654", "EN0203AE", "Forbrukningskategri", "final_use"),
    KreTable("TAB3451", "EN0203AD", "Produktionssatt", "electricity_production"),
    KreTable("TAB3452", "EN0203AC", "Produktionssatt", "district_heating_production"),
)

KRE_SCHEMA = {
    "table_id": pl.Utf8,
    "contents_code": pl.Utf8,
    "kommun_kod": pl.Utf8,
    "category_variable": pl.Utf8,
    "category_code": pl.Utf8,
    "category_label": pl.Utf8,
    "fuel_code": pl.Utf8,
    "fuel_label": pl.Utf8,
    "year": pl.Int32,
    "mwh": pl.Float64,
    "status": pl.Utf8,
    "unit": pl.Utf8,
    "updated": pl.Utf8,
    "note": pl.Utf8,
}


def kre_selection(table: KreTable, metadata: dict, kommun_kod: str) -> Selection:
    """One kommun, every category, fuel and year the table publishes."""
    dimensions = metadata["dimension"]
    regions = category_codes(dimensions["Region"])
    if kommun_kod not in regions:
        raise ValueError(f"SCB {table.table_id} has no Region {kommun_kod!r}")
    contents = category_codes(dimensions["ContentsCode"])
    if table.contents_code not in contents:
        raise ValueError(
            f"SCB {table.table_id} has no ContentsCode {table.contents_code!r}; it has {contents}"
        )
    return {
        "Region": [kommun_kod],
        table.category_variable: category_codes(dimensions[table.category_variable]),
        FUEL_VARIABLE: category_codes(dimensions[FUEL_VARIABLE]),
        "ContentsCode": [table.contents_code],
        "Tid": category_codes(dimensions["Tid"]),
    }


def fetch_kre(client: PxWebClient, kommun_kod: str) -> dict[KreTable, JsonStatResult]:
    results = {}
    for table in KRE_TABLES:
        selection = kre_selection(table, client.metadata(table.table_id), kommun_kod)
        result = client.data(table.table_id, selection)
        expected = (
            len(selection[table.category_variable])
            * len(selection[FUEL_VARIABLE])
            * len(selection["Tid"])
        )
        if result.frame.height != expected:
            raise ValueError(
                f"SCB {table.table_id}: expected {expected} cells, got {result.frame.height}"
            )
        results[table] = result
    return results


def kre_rows(response: JsonStatResult, table: KreTable) -> pl.DataFrame:
    """One decoded JSON-stat response as raw.scb_energy rows (the loader adds file_sha256 and
    fetched_at), labels and the dataset's note kept (a replay payload says there that it is
    synthetic)."""
    frame = response.frame

    def labels(variable: str) -> dict[str, str]:
        return response.category_labels.get(variable, {})

    return pl.DataFrame(
        {
            "table_id": table.table_id,
            "contents_code": frame.get_column("ContentsCode"),
            "kommun_kod": frame.get_column("Region"),
            "category_variable": table.category_variable,
            "category_code": frame.get_column(table.category_variable),
            "category_label": frame.get_column(table.category_variable).replace_strict(
                labels(table.category_variable), default=None
            ),
            "fuel_code": frame.get_column(FUEL_VARIABLE),
            "fuel_label": frame.get_column(FUEL_VARIABLE).replace_strict(
                labels(FUEL_VARIABLE), default=None
            ),
            "year": frame.get_column("Tid").cast(pl.Int32),
            "mwh": frame.get_column("value").cast(pl.Float64),
            "status": frame.get_column("status"),
            "unit": response.units.get(table.contents_code),
            "updated": response.updated,
            "note": " | ".join(response.notes) if response.notes else None,
        },
        schema=KRE_SCHEMA,
    )
