"""Carbon-sink inputs from SCB through the PxWebApi 2.0 client (plain Python, no Dagster).

* The national LULUCF net flow (MI0107 `TotaltUtslappN`, sector 10.0): Naturvårdsverket's inventory,
  which SCB republishes. National only: no official kommun series exists (data_sources.md §3.4).
* The allocation key: productive forest land per kommun in hectares (MI0803, land use).
* County forest data (SLU Riksskogstaxeringen / Skogsstyrelsen) would be a better key, but no such
  table is reachable through this client: `RiksskogstaxeringenCountyForest` documents the live
  source behind the same `ForestLandSource` interface and refuses to run (never a fake).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import polars as pl

from sources.scb import JsonStatResult, PxWebClient, category_codes, kommun_codes


@dataclass(frozen=True)
class LulucfTable:
    table_id: str
    sector_code: str
    gas_code: str
    contents_code: str


@dataclass(frozen=True)
class ForestLandTable:
    table_id: str
    land_use_class: str
    contents_code: str


# data_sources.md §1.6: MI0107 TotaltUtslappN, Sektor 10.0 = LULUCF, Vaxthusgaser CO2-ekv.,
# ContentsCode 0000018Q.
LULUCF_NATIONAL = LulucfTable(
    # Unverified: the v1 matrix name; SCB's v2 id is found with GET /tables?query=MI0107.
    table_id="TotaltUtslappN",
    sector_code="10.0",
    gas_code="CO2-ekv.",
    contents_code="0000018Q",
)

# MI0803 land use, v1 MI0803A/MarkanvN = v2 TAB5118 'Markanvändningen, hektar' (2010, 2015, 2020),
# contents 000002UN [third-party code, find_string id 69427330621].
FOREST_LAND = ForestLandTable(
    table_id="TAB5118",
    land_use_class="211",  # unverified: 'skogsmark, produktiv' in the older MarkanvJbSkN table
    contents_code="000002UN",
)

# Units a response may declare, as the factor to tonnes / hectares.
TONNE_FACTORS = {"kiloton": 1000.0, "kt": 1000.0, "1000 ton": 1000.0, "ton": 1.0, "tonnes": 1.0}
HECTARE_FACTORS = {"hektar": 1.0, "ha": 1.0}

LULUCF_SCHEMA = {
    "year": pl.Int32,
    "tonnes_co2e": pl.Float64,
    "status": pl.Utf8,
    "unit_raw": pl.Utf8,
}
FOREST_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "year": pl.Int32,
    "hectares": pl.Float64,
    "status": pl.Utf8,
    "unit_raw": pl.Utf8,
}


class SinkSourceError(ValueError):
    """A response that does not say what the loader needs (unit, codes); names the table."""


def replay_flags(response: JsonStatResult) -> dict:
    """`extension.replay` of a bundled payload (synthetic flag, provenance); {} for SCB's own."""
    return response.extension.get("replay") or {}


def unit_factor(
    result: JsonStatResult, contents_code: str, factors: dict[str, float]
) -> tuple[str, float]:
    unit = result.units.get(contents_code)
    if unit is None or unit.lower() not in factors:
        raise SinkSourceError(
            f"SCB {result.table_id}: contents {contents_code} has unit {unit!r}; "
            f"expected one of {sorted(factors)}"
        )
    return unit, factors[unit.lower()]


# ---------------------------------------------------------------- national LULUCF


def lulucf_selection(metadata: dict, spec: LulucfTable = LULUCF_NATIONAL) -> dict[str, list[str]]:
    """Sector 10.0, one gas, one content, every year the table has."""
    return {
        "Sektor": [spec.sector_code],
        "Vaxthusgaser": [spec.gas_code],
        "ContentsCode": [spec.contents_code],
        "Tid": category_codes(metadata["dimension"]["Tid"]),
    }


def lulucf_frame(result: JsonStatResult, spec: LulucfTable = LULUCF_NATIONAL) -> pl.DataFrame:
    """One row per year: national net flow in t CO2e (negative: net removal), '..' -> null."""
    unit, factor = unit_factor(result, spec.contents_code, TONNE_FACTORS)
    frame = result.frame
    if set(frame.get_column("Sektor").unique()) != {spec.sector_code}:
        raise SinkSourceError(f"SCB {result.table_id}: expected sector {spec.sector_code} only")
    return frame.select(
        pl.col("Tid").cast(pl.Int32).alias("year"),
        (pl.col("value") * factor).alias("tonnes_co2e"),
        pl.col("status"),
        pl.lit(unit, pl.Utf8).alias("unit_raw"),
    ).sort("year")


def fetch_lulucf(client: PxWebClient, spec: LulucfTable = LULUCF_NATIONAL) -> JsonStatResult:
    return client.data(spec.table_id, lulucf_selection(client.metadata(spec.table_id), spec))


# ---------------------------------------------------------------- the allocation key


class ForestLandSource(Protocol):
    """Anything that yields a forest-land allocation key with the FOREST_SCHEMA columns
    (`kommun_kod, year, hectares, status, unit_raw`) and the raw responses it came from."""

    name: str
    description: str

    def fetch(self) -> tuple[pl.DataFrame, JsonStatResult]: ...


def forest_land_frame(result: JsonStatResult, spec: ForestLandTable = FOREST_LAND) -> pl.DataFrame:
    unit, factor = unit_factor(result, spec.contents_code, HECTARE_FACTORS)
    frame = result.frame.filter(pl.col("Markanvandningsklass") == spec.land_use_class)
    negative = frame.filter(pl.col("value") < 0)
    if negative.height:
        row = negative.row(0, named=True)
        raise SinkSourceError(
            f"SCB {result.table_id}: negative area {row['value']} ha for kommun {row['Region']}, "
            f"year {row['Tid']}"
        )
    return frame.select(
        pl.col("Region").alias("kommun_kod"),
        pl.col("Tid").cast(pl.Int32).alias("year"),
        (pl.col("value") * factor).alias("hectares"),
        pl.col("status"),
        pl.lit(unit, pl.Utf8).alias("unit_raw"),
    ).sort("year", "kommun_kod")


@dataclass
class ScbForestLand:
    """Productive forest land per kommun, every year SCB publishes (MI0803)."""

    client: PxWebClient
    spec: ForestLandTable = FOREST_LAND
    name: str = "scb_mi0803"

    @property
    def description(self) -> str:
        return (
            f"SCB MI0803 {self.spec.table_id}, Markanvandningsklass {self.spec.land_use_class} "
            "(productive forest land), hectares"
        )

    def fetch(self) -> tuple[pl.DataFrame, JsonStatResult]:
        metadata = self.client.metadata(self.spec.table_id)
        selection = {
            "Region": kommun_codes(metadata),
            "Markanvandningsklass": [self.spec.land_use_class],
            "ContentsCode": [self.spec.contents_code],
            "Tid": category_codes(metadata["dimension"]["Tid"]),
        }
        result = self.client.data(self.spec.table_id, selection)
        return forest_land_frame(result, self.spec), result


class CountyForestUnavailable(NotImplementedError):
    """The county forest source is documented but not reachable through PxWebApi 2.0."""


@dataclass
class RiksskogstaxeringenCountyForest:
    """The live source a better key would come from, kept behind the same interface.

    SLU's Riksskogstaxeringen publishes productive forest land and annual growth per län
    (Skogsdata; statistical database skogsstatistik.slu.se, a PxWeb 1 service), and Skogsstyrelsen
    publishes felling per län (statistikdatabas.skogsstyrelsen.se, also PxWeb 1). Neither speaks
    PxWebApi 2.0 (`/config`, `/tables/{id}/data`), which is all `PxWebClient` implements, and no
    table id was verified. A loader would: fetch growth minus felling per län, split each län's
    figure to its kommuner by their MI0803 forest land, and return the FOREST_SCHEMA frame with
    a per-kommun weight in `hectares` (documented as a weight, not an area).
    """

    name: str = "slu_riksskogstaxeringen_lan"
    description: str = (
        "SLU Riksskogstaxeringen: net growth per län, split to kommuner by forest land (not wired)"
    )

    def fetch(self) -> tuple[pl.DataFrame, JsonStatResult]:
        raise CountyForestUnavailable(
            "County forest data (SLU Riksskogstaxeringen / Skogsstyrelsen) is not reachable "
            "through the PxWebApi 2.0 client; see RiksskogstaxeringenCountyForest's docstring "
            "for the live source."
        )
