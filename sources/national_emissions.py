"""Sweden's emissions by SMHI main sector, per year: the national indicator of the nowcast.

The real source is Naturvårdsverket's national greenhouse-gas inventory, official statistics
MI0107, which SCB republishes as table `TotaltUtslappN` ("Totala utsläpp och upptag av
växthusgaser efter sektor, växthusgas och år"; data_sources.md §1.6). Its sectors 1.0-9.0 are
exactly SMHI's nine main sectors (SMHI's kommun figures are the same inventory spread over a
1 km grid), 10.0 is LULUCF (the carbon-sink domain reads that one).

Publication lag, the reason this indicator exists:
- MI0107 carries year N from mid-December of N+1 (about 11.5 months after the year ends): a
  public site quoting the table notes "Uppdaterad 16 december 2025" for data to 2024
  [third-party; verify live];
- Naturvårdsverket's preliminary national figures for N come in June of N+1 (issue 23)
  [unverified here; their download format is unknown offline, so no client for them yet];
- SMHI's kommun figures for N come in May-June of N+2 (data_sources.md §3.3).
So the national figure for a year is known 6-12 months before any kommun figure for it.

The client goes through `PxWebClient` (PxWebApi 2.0 on the shared HttpClient: timeouts,
backoff, Retry-After, SCB's published call quota). The table id is the one the sinks domain
uses [unverified for v2: SCB's v2 id is found with GET /tables?query=MI0107].

A replay payload may mark cells with `extension.replay.placeholder_cells` (a list of
{"Sektor", "Vaxthusgaser", "Tid", "reason"}) and name each gas's provenance in
`extension.replay.provenance_by_gas`; live responses have neither, and every row then reads as
SCB's statistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sources.scb import JsonStatResult, PxWebClient, category_codes

TABLE_ID = "TotaltUtslappN"
CONTENTS_CODE = "0000018Q"
# MI0107 sector code -> SMHI main sector (data_sources.md §1.6; labels verified on the
# reference implementation's copy of the table, PxTools/PxWebApi tab004).
SECTORS = {
    "1.0": "Arbetsmaskiner",
    "2.0": "Avfall (inkl.avlopp)",
    "3.0": "El och fjärrvärme",
    "4.0": "Industri (energi + processer)",
    "5.0": "Utrikes transporter",
    "6.0": "Jordbruk",
    "7.0": "Produktanvändning (inkl. lösningsmedel)",
    "8.0": "Transporter",
    "9.0": "Egen uppvärmning av bostäder och lokaler",
}
GASES = {"CO2-ekv.": "CO2e", "CO2": "CO2"}  # Vaxthusgaser code -> the warehouse's gas
TONNE_FACTORS = {"kiloton": 1000.0, "kt": 1000.0, "1000 ton": 1000.0, "ton": 1.0}
SOURCE_ID = "naturvardsverket_mi0107"
STATISTIC, PLACEHOLDER = "statistic", "placeholder"

FRAME_SCHEMA = {
    "sector_code": pl.Utf8,
    "huvudsektor": pl.Utf8,
    "gas_code": pl.Utf8,
    "gas": pl.Utf8,
    "year": pl.Int32,
    "tonnes": pl.Float64,
    "status": pl.Utf8,
    "unit_raw": pl.Utf8,
    "value_kind": pl.Utf8,
    "provenance_note": pl.Utf8,
}


class NationalEmissionsError(ValueError):
    """A response that does not hold what the nowcast needs; names the table and the problem."""


@dataclass(frozen=True)
class NationalSectorEmissions:
    frame: pl.DataFrame  # FRAME_SCHEMA, one row per sector, gas and year (null tonnes where '..')
    result: JsonStatResult  # the responses, byte for byte, for landing


def selection(metadata: dict, gases: tuple[str, ...]) -> dict[str, list[str]]:
    """The nine main sectors, the asked gases, the one content, every year the table has."""
    sector_codes = category_codes(metadata["dimension"]["Sektor"])
    missing = [code for code in SECTORS if code not in sector_codes]
    if missing:
        raise NationalEmissionsError(
            f"SCB {TABLE_ID}: sector(s) {', '.join(missing)} missing from the table's metadata"
        )
    gas_codes = category_codes(metadata["dimension"]["Vaxthusgaser"])
    unknown = [gas for gas in gases if gas not in gas_codes]
    if unknown:
        raise NationalEmissionsError(
            f"SCB {TABLE_ID}: gas(es) {', '.join(unknown)} not in the table "
            f"({', '.join(gas_codes)})"
        )
    return {
        "Sektor": list(SECTORS),
        "Vaxthusgaser": list(gases),
        "ContentsCode": [CONTENTS_CODE],
        "Tid": category_codes(metadata["dimension"]["Tid"]),
    }


def sector_frame(result: JsonStatResult) -> pl.DataFrame:
    """One row per sector, gas and year in tonnes; '..' cells stay as null with their status."""
    unit = result.units.get(CONTENTS_CODE)
    if unit is None or unit.lower() not in TONNE_FACTORS:
        raise NationalEmissionsError(
            f"SCB {result.table_id}: contents {CONTENTS_CODE} has unit {unit!r}; "
            f"expected one of {sorted(TONNE_FACTORS)}"
        )
    frames = []
    for part in result.responses():
        flags = (part.extension or {}).get("replay") or {}
        by_gas = flags.get("provenance_by_gas") or {}
        default_note = flags.get("provenance") or f"SCB {part.table_id} (MI0107) via PxWebApi 2.0"
        unknown = set(part.frame.get_column("Sektor").unique()) - set(SECTORS)
        if unknown:
            raise NationalEmissionsError(
                f"SCB {part.table_id}: unexpected sector(s) {sorted(unknown)} in the answer"
            )
        frame = part.frame.select(
            pl.col("Sektor").alias("sector_code"),
            pl.col("Sektor").replace_strict(SECTORS).alias("huvudsektor"),
            pl.col("Vaxthusgaser").alias("gas_code"),
            pl.col("Vaxthusgaser").replace_strict(GASES, default=None).alias("gas"),
            pl.col("Tid").cast(pl.Int32).alias("year"),
            (pl.col("value") * TONNE_FACTORS[unit.lower()]).alias("tonnes"),
            pl.col("status"),
            pl.lit(unit, pl.Utf8).alias("unit_raw"),
            pl.lit(STATISTIC).alias("value_kind"),
            pl.col("Vaxthusgaser")
            .replace_strict(by_gas, default=default_note)
            .alias("provenance_note"),
        )
        frames.append(mark_placeholders(frame, flags.get("placeholder_cells") or []))
    frame = pl.concat(frames)
    if frame.get_column("gas").null_count():
        raise NationalEmissionsError(
            f"SCB {result.table_id}: a gas outside {sorted(GASES)} in the answer"
        )
    return frame.cast(FRAME_SCHEMA).sort("gas", "sector_code", "year")


def mark_placeholders(frame: pl.DataFrame, cells: list[dict]) -> pl.DataFrame:
    """Rows a replay payload lists as placeholders ({"Sektor", "Vaxthusgaser", "Tid", "reason"})
    get value_kind 'placeholder' and the reason as their provenance note."""
    for cell in cells:
        hit = (
            (pl.col("sector_code") == str(cell["Sektor"]))
            & (pl.col("gas_code") == str(cell["Vaxthusgaser"]))
            & (pl.col("year") == int(cell["Tid"]))
        )
        frame = frame.with_columns(
            value_kind=pl.when(hit).then(pl.lit(PLACEHOLDER)).otherwise(pl.col("value_kind")),
            provenance_note=pl.when(hit)
            .then(pl.lit(str(cell["reason"])))
            .otherwise(pl.col("provenance_note")),
        )
    return frame


class NationalEmissionsClient:
    """Naturvårdsverket's national emissions by main sector (MI0107) through SCB's PxWebApi 2.0."""

    def __init__(self, pxweb: PxWebClient, table_id: str = TABLE_ID):
        self.pxweb = pxweb
        self.table_id = table_id

    def fetch(self, gases: tuple[str, ...] = tuple(GASES)) -> NationalSectorEmissions:
        metadata = self.pxweb.metadata(self.table_id)
        result = self.pxweb.data(self.table_id, selection(metadata, gases))
        return NationalSectorEmissions(sector_frame(result), result)
