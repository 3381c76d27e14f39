"""Consumption-based emissions: SCB's national figures by use (MI1301), SCB's gross regional
product per kommun as the allocation key (NR0105), and SEI Konsumtionskompassen's household
emissions per capita (a file feed). Plain Python, no Dagster.

SCB tables are fetched through `PxWebClient` and decoded from JSON-stat 2. The SEI workbook is
parsed here; any bad cell stops the parse with the file, sheet, row and column named.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import openpyxl
import polars as pl

from sources.file_limits import FileLimits, check_xlsx, describe
from sources.scb import JsonStatResult, PxWebClient, category_codes

# ---------------------------------------------------------------- SCB tables
# Table ids are SCB's matrix names, as in Klimatkollen's source rows of swedish_emissions.xlsx
# ("…/MI1301MPSPINN", "…/NR0105ENS2010T06A", extracted 2026-02-05). PxWebApi 2.0 may list these
# tables under TAB… ids: unverified offline, so the client reads the ids from here.
# Miljöpåverkan från konsumtion efter produktgrupp SPIN 2007, användning och ämne.
MI1301_TABLE = "MI1301MPSPINN"
NR0105_TABLE = "NR0105ENS2010T06A"  # Bruttoregionprodukt (BRP), (ENS2010) efter region (kommun)

# Use types (Anvandningstyp) of MI1301 and the component each becomes in the warehouse.
# The codes are unverified (SCB's code list could not be read offline); the labels are the
# sheet titles of Klimatkollen's workbook.
CONSUMPTION_USES = {
    "HHK": "households",  # unverified: "hushållens konsumtion"
    "OFFK": "public_sector",  # unverified: "offentlig konsumtion och HIO"
    "INV": "investments",  # unverified: "investeringar"
}
GHG_SUBSTANCE = "GHG"  # AmneMiljo: a public MI1301MPSPINN query on GitHub selects "GHG"

KNOWN_UNITS_IN_TONNES = {
    "ton": 1.0,
    "ton co2-ekv": 1.0,
    "ton co2e": 1.0,
    "tusen ton": 1000.0,
    "1000 ton": 1000.0,
    "kton": 1000.0,
}


class ConsumptionSourceError(ValueError):
    """An SCB response that cannot be used (unknown unit, missing codes)."""


def mi1301_selection(metadata: dict, first_year: int) -> dict[str, list[str]]:
    """Greenhouse gases of the three uses, every year from `first_year`. Origin and product group
    are left out so that SCB eliminates them to their totals."""
    years = [
        y
        for y in category_codes(metadata["dimension"]["Tid"])
        if y.isdigit() and int(y) >= first_year
    ]
    uses = category_codes(metadata["dimension"]["Anvandningstyp"])
    missing = [code for code in CONSUMPTION_USES if code not in uses]
    if missing:
        raise ConsumptionSourceError(
            f"SCB {MI1301_TABLE}: use type(s) {missing} not in the table (it has {uses})"
        )
    return {
        "Anvandningstyp": list(CONSUMPTION_USES),
        "AmneMiljo": [GHG_SUBSTANCE],
        "ContentsCode": category_codes(metadata["dimension"]["ContentsCode"])[:1],
        "Tid": years,
    }


def nr0105_selection(metadata: dict) -> dict[str, list[str]]:
    """Every kommun (4-digit Region code), the table's first content, every year."""
    regions = [
        c for c in category_codes(metadata["dimension"]["Region"]) if len(c) == 4 and c.isdigit()
    ]
    return {
        "Region": regions,
        "ContentsCode": category_codes(metadata["dimension"]["ContentsCode"])[:1],
        "Tid": category_codes(metadata["dimension"]["Tid"]),
    }


def tonnes_factor(unit: str | None, table_id: str) -> float:
    """Factor from the table's unit to tonnes; an unknown unit is an error, never a guess."""
    key = (unit or "").strip().lower()
    if key not in KNOWN_UNITS_IN_TONNES:
        raise ConsumptionSourceError(
            f"SCB {table_id}: unit {unit!r} is not a known tonnes unit "
            f"({', '.join(sorted(KNOWN_UNITS_IN_TONNES))})"
        )
    return KNOWN_UNITS_IN_TONNES[key]


def fetch_national_consumption(client: PxWebClient, first_year: int = 2008) -> JsonStatResult:
    metadata = client.metadata(MI1301_TABLE)
    return client.data(MI1301_TABLE, mi1301_selection(metadata, first_year))


def fetch_brp(client: PxWebClient) -> JsonStatResult:
    metadata = client.metadata(NR0105_TABLE)
    return client.data(NR0105_TABLE, nr0105_selection(metadata))


def national_consumption_frame(result: JsonStatResult) -> pl.DataFrame:
    """use_code, component, year, tonnes, status, unit, contents_code/label, updated."""
    contents = result.frame.get_column("ContentsCode")[0] if result.frame.height else None
    unit = result.units.get(contents)
    factor = tonnes_factor(unit, result.table_id)
    labels = result.category_labels.get("Anvandningstyp", {})
    return result.frame.select(
        pl.col("Anvandningstyp").alias("use_code"),
        pl.col("Anvandningstyp").replace_strict(CONSUMPTION_USES, default=None).alias("component"),
        pl.col("Anvandningstyp").replace_strict(labels, default=None).alias("use_label"),
        pl.col("AmneMiljo").alias("substance_code"),
        pl.col("Tid").cast(pl.Int32).alias("year"),
        (pl.col("value") * factor).alias("tonnes"),
        pl.col("status"),
        pl.lit(unit, pl.Utf8).alias("unit_raw"),
        pl.col("ContentsCode").alias("contents_code"),
        pl.lit(result.category_labels.get("ContentsCode", {}).get(contents), pl.Utf8).alias(
            "contents_label"
        ),
        pl.lit(result.updated, pl.Utf8).alias("updated"),
        pl.lit(result.table_id, pl.Utf8).alias("table_id"),
    )


def brp_frame(result: JsonStatResult) -> pl.DataFrame:
    """kommun_kod, year, value (the table's own unit), unit, contents code and label, updated."""
    contents = result.frame.get_column("ContentsCode")[0] if result.frame.height else None
    return result.frame.select(
        pl.col("Region").alias("kommun_kod"),
        pl.col("Tid").cast(pl.Int32).alias("year"),
        pl.col("value"),
        pl.col("status"),
        pl.lit(result.units.get(contents), pl.Utf8).alias("unit_raw"),
        pl.col("ContentsCode").alias("contents_code"),
        pl.lit(result.category_labels.get("ContentsCode", {}).get(contents), pl.Utf8).alias(
            "contents_label"
        ),
        pl.lit(result.updated, pl.Utf8).alias("updated"),
        pl.lit(result.table_id, pl.Utf8).alias("table_id"),
    )


# ---------------------------------------------------------------- numbers written as text

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_swedish_number(value) -> float:
    """A cell as a number: numbers as they are; text with space (or no-break space) thousand
    separators and a decimal comma or point ('5 445', '74 664', '5 445,16'). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a number")
    text = _SPACES.sub("", value).replace("\u2212", "-").replace(",", ".")
    if not _PLAIN_NUMBER.match(text):
        raise ValueError(f"{value!r} is not a number")
    return float(text)


# ---------------------------------------------------------------- SEI Konsumtionskompassen

SEI_SHEET = "Municipal_grouped"
SEI_HEADER = ("Kommunkod", "kommunnamn", "Kommungrupp_kod", "Total_emissions_per_capita")
SEI_UNIT = "kg CO2e per capita"
_SEI_NAME = re.compile(r"for (?P<year>\d{4})_shared (?P<month>[A-Za-z]+) (?P<vintage_year>\d{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_KOMMUN_KOD = re.compile(r"^\d{4}$")
# Household emissions per resident: anything outside this range is a unit or column mix-up.
PLAUSIBLE_KG_PER_CAPITA = (1_000.0, 20_000.0)


class SeiFormatError(ValueError):
    """A SEI workbook that cannot be loaded; the message names file, sheet, row and column."""

    def __init__(
        self,
        file_name: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value=None,
    ):
        where = ", ".join(
            p
            for p in (
                file_name,
                f"sheet {sheet!r}" if sheet else None,
                f"row {row}" if row else None,
                f"column {column}" if column else None,
            )
            if p
        )
        super().__init__(f"{where}: {message}" + ("" if value is None else f" (value {value!r})"))
        self.file_name, self.sheet, self.row, self.column, self.value = (
            file_name,
            sheet,
            row,
            column,
            value,
        )


@dataclass(frozen=True)
class SeiHouseholds:
    data_year: int
    vintage: date
    sheet: str
    frame: (
        pl.DataFrame
    )  # kommun_kod, kommun_namn_raw, kommungrupp_kod, kg_co2e_per_capita, source_row
    national_kg_per_capita: float | None


def sei_year_and_vintage(file_name: str) -> tuple[int, date]:
    """'Klimatkollen_data for 2023_shared April 2026.xlsx' -> (2023, 2026-04-01): the data year
    and the month SEI shared the file, which is all the workbook says about its release."""
    match = _SEI_NAME.search(file_name)
    if not match or match["month"].lower() not in _MONTHS:
        raise SeiFormatError(
            file_name,
            "cannot read the data year and release month from the file name; "
            "expected '… for <year>_shared <Month> <year>.xlsx', as SEI names it",
        )
    return int(match["year"]), date(int(match["vintage_year"]), _MONTHS[match["month"].lower()], 1)


def parse_sei_households(content: bytes, *, file_name: str) -> SeiHouseholds:
    """The `Municipal_grouped` sheet: one row per kommun, then a 'Sweden' row without a code."""
    data_year, vintage = sei_year_and_vintage(file_name)
    refusal = check_xlsx(
        content, FileLimits()
    )  # the file feeds' guard: a zip bomb is a format error
    if refusal is not None:
        raise SeiFormatError(file_name, f"not a workbook SEI shares: {describe(refusal)}")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, …: not an xlsx at all
        raise SeiFormatError(
            file_name, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from exc
    if SEI_SHEET not in workbook.sheetnames:
        raise SeiFormatError(
            file_name, f"no sheet {SEI_SHEET!r} (sheets: {', '.join(workbook.sheetnames)})"
        )
    rows = list(workbook[SEI_SHEET].iter_rows(values_only=True))
    check_sei_header(rows[0] if rows else (), file_name)
    records, national, seen = [], None, {}
    for number, row in enumerate(rows[1:], start=2):
        cells = tuple(row) + (None,) * (4 - len(row))
        code, name, group, value = cells[:4]
        if all(c is None or c == "" for c in cells[:4]):
            continue
        where = dict(sheet=SEI_SHEET, row=number)
        if (
            code is None
            and isinstance(name, str)
            and name.strip().lower() in ("sweden", "sverige", "riket")
        ):
            national = sei_value(value, file_name, **where)
            continue
        kommun_kod = sei_kommun_code(code, file_name, **where)
        if kommun_kod in seen:
            raise SeiFormatError(
                file_name,
                f"kommun {kommun_kod} appears twice (first on row {seen[kommun_kod]})",
                column="A",
                **where,
            )
        seen[kommun_kod] = number
        records.append(
            {
                "kommun_kod": kommun_kod,
                "kommun_namn_raw": None if name is None else str(name).strip(),
                "kommungrupp_kod": sei_group(group, file_name, **where),
                "kg_co2e_per_capita": sei_value(value, file_name, **where),
                "source_row": number,
            }
        )
    if not records:
        raise SeiFormatError(file_name, "no kommun rows", sheet=SEI_SHEET)
    frame = pl.DataFrame(
        records,
        schema={
            "kommun_kod": pl.Utf8,
            "kommun_namn_raw": pl.Utf8,
            "kommungrupp_kod": pl.Int32,
            "kg_co2e_per_capita": pl.Float64,
            "source_row": pl.Int32,
        },
    )
    return SeiHouseholds(data_year, vintage, SEI_SHEET, frame, national)


def check_sei_header(header, file_name: str) -> None:
    for index, expected in enumerate(SEI_HEADER):
        found = header[index] if index < len(header) else None
        if str(found or "").strip() != expected:
            raise SeiFormatError(
                file_name,
                f"header {expected!r} expected",
                sheet=SEI_SHEET,
                row=1,
                column=openpyxl.utils.get_column_letter(index + 1),
                value=found,
            )


def sei_kommun_code(code, file_name: str, **where) -> str:
    # Excel may have turned '0114' into the number 114: restore the leading zero.
    text = (
        f"{code:04d}"
        if isinstance(code, int) and not isinstance(code, bool)
        else str(code or "").strip()
    )
    if not _KOMMUN_KOD.match(text):
        raise SeiFormatError(
            file_name, "kommun code must be 4 digits", column="A", value=code, **where
        )
    return text


def sei_group(value, file_name: str, **where) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = parse_swedish_number(value)
    except ValueError:
        raise SeiFormatError(
            file_name, "kommungrupp must be a whole number", column="C", value=value, **where
        ) from None
    # The workbook holds float noise such as 5.999999999999999 for group 6.
    if abs(number - round(number)) > 1e-6:
        raise SeiFormatError(
            file_name, "kommungrupp must be a whole number", column="C", value=value, **where
        )
    return int(round(number))


def sei_value(value, file_name: str, **where) -> float:
    try:
        number = parse_swedish_number(value)
    except ValueError:
        raise SeiFormatError(
            file_name,
            f"emissions per capita must be a number in {SEI_UNIT}",
            column="D",
            value=value,
            **where,
        ) from None
    low, high = PLAUSIBLE_KG_PER_CAPITA
    if not low <= number <= high:
        raise SeiFormatError(
            file_name,
            f"{number:,.1f} is outside {low:,.0f}–{high:,.0f} {SEI_UNIT}: "
            "a unit mix-up (t instead of kg?)",
            column="D",
            value=value,
            **where,
        )
    return number
