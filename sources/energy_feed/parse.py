"""Reading a feed file's bytes (CSV or XLSX) into its lines, and its lines into the long format.

Nothing here judges the contents: a cell that is not a number is skipped by `to_long`, and
validate.py reports it. Units are applied exactly as DECLARED (the `Enhet` line or a heading
suffix such as `(kWh)`); with no declaration the energy unit is MWh, and nothing is guessed.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

import polars as pl

from sources.energy_feed import contract as C
from sources.file_limits import (
    DEFAULT_LIMITS,
    BoundedCsv,
    FileLimits,
    Refusal,
    check_xlsx,
    decode_text,
    describe,
    foreign_digits,
)

LONG_SCHEMA = {
    "network": pl.String,
    "month": pl.Date,
    "measure": pl.String,
    "category": pl.String,
    "unit": pl.String,
    "value": pl.Float64,
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
}

_UNIT_SUFFIX = re.compile(r"^(?P<base>.*?)\s*[\(\[]\s*(?P<unit>[^\)\]]*?)\s*[\)\]]\s*$")
# Swedish numbers: 12 | -12,5 | 1 234,5 (space, no-break or narrow no-break space between groups),
# in the digits 0-9 only: `\d` would take every script's digits, and float() reads them.
_SV_NUMBER = re.compile(r"^[+-]?([0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(,[0-9]+)?$")
_POINT_NUMBER = re.compile(r"^[+-]?[0-9]+\.[0-9]+$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-01)?$")


class UnreadableFile(Exception):
    """The file cannot be read into lines; `refusal` says why and where (sources/file_limits.py)."""

    def __init__(self, refusal: Refusal):
        super().__init__(describe(refusal))
        self.refusal = refusal


@dataclass(frozen=True)
class Heading:
    text: str  # as written
    base: str  # without the unit suffix
    unit: str | None  # the unit in the suffix, if any
    index: int  # 0-based position in the line

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Sheet:
    """A file split into its parts; rows keep their 1-based line numbers."""

    file: str
    csv: bool
    meta: dict[str, tuple[int, list[object]]]  # lower-case key -> (line, values after the key)
    header_row: int | None
    headings: list[Heading]
    rows: list[tuple[int, list[object]]]


# --------------------------------------------------------------------------- reading


def read_sheet(name: str, data: bytes, limits: FileLimits) -> Sheet:
    """The lines of a file's bytes, CSV or (by its name) XLSX; raises UnreadableFile.

    Both readers stop at the shared limits: more than `max_rows` lines (CSV) or rows (the sheet,
    metadata lines included), more than `max_columns` fields, a field over `max_field_chars`.
    """
    if PurePosixPath(name).suffix.lower() == ".xlsx":
        return split_lines(name, xlsx_lines(data, limits), csv=False)
    text, refusal = decode_text(data)
    if refusal is not None:
        raise UnreadableFile(refusal)
    return split_lines(name, csv_lines(text, limits), csv=True)


def csv_lines(text: str, limits: FileLimits) -> list[tuple[int, list[object]]]:
    reader = BoundedCsv(text, limits, delimiter=C.SEPARATOR, max_records=limits.max_rows)
    lines = [(number, _trim(fields)) for number, fields in reader]
    if reader.refusal is not None:
        raise UnreadableFile(reader.refusal)
    return lines


def xlsx_lines(data: bytes, limits: FileLimits) -> list[tuple[int, list[object]]]:
    """The first sheet's rows, after the shared xlsx guard. Whatever openpyxl raises on a hostile
    workbook becomes UnreadableFile, with the row it was reading."""
    refusal = check_xlsx(data, limits)
    if refusal is not None:
        raise UnreadableFile(refusal)
    with warnings.catch_warnings():
        # openpyxl warns about Excel features it does not keep, and about dates it cannot convert
        # (such a cell reads as '#VALUE!', which the month or number check reports).
        warnings.simplefilter("ignore")
        return _first_sheet_lines(data, limits)


def _first_sheet_lines(data: bytes, limits: FileLimits) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        raise UnreadableFile(Refusal("xlsx_unreadable", _root_cause(error))) from error
    number = 0
    try:
        if not book.worksheets:
            raise UnreadableFile(Refusal("xlsx_unreadable", "no worksheet"))
        # One row and one column past the limits, to tell "at the limit" from "over it".
        rows = book.worksheets[0].iter_rows(
            max_row=limits.max_rows + 1, max_col=limits.max_columns + 1, values_only=True
        )
        lines = []
        for number, values in enumerate(rows, start=1):
            cells = _trim(list(values))
            refusal = _row_refusal(number, cells, limits)
            if refusal is not None:
                raise UnreadableFile(refusal)
            lines.append((number, cells))
        return lines
    except UnreadableFile:
        raise
    except Exception as error:
        raise UnreadableFile(
            Refusal("xlsx_unreadable", _root_cause(error), row=number + 1)
        ) from error
    finally:
        book.close()


def _root_cause(error: BaseException) -> str:
    """The first error's name in the chain: openpyxl wraps defusedxml's errors in a ValueError."""
    while error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__


def _row_refusal(number: int, cells: list[object], limits: FileLimits) -> Refusal | None:
    """The CSV reader's limits (file_limits.BoundedCsv), for a sheet's row."""
    if number > limits.max_rows:
        return Refusal("too_many_rows", found=number, limit=limits.max_rows, row=number)
    if len(cells) > limits.max_columns:
        return Refusal(
            "too_many_columns",
            found=len(cells),
            limit=limits.max_columns,
            row=number,
            column=limits.max_columns,
        )
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > limits.max_field_chars:
            return Refusal(
                "field_too_long",
                found=len(cell),
                limit=limits.max_field_chars,
                row=number,
                column=index,
            )
    return None


def _trim(cells: list[object]) -> list[object]:
    cells = ["" if c is None else c for c in cells]
    while cells and is_empty(cells[-1]):
        cells.pop()
    return cells


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def split_lines(file: str, lines: list[tuple[int, list[object]]], *, csv: bool) -> Sheet:
    """Metadata lines until the header line (first cell 'Nät'); data lines after it."""
    meta: dict[str, tuple[int, list[object]]] = {}
    header_row, headings, rows = None, [], []
    for number, cells in lines:
        if not cells or str(cells[0]).strip().startswith(C.COMMENT):
            continue
        first = nfc(str(cells[0]).strip())
        if header_row is None and first.lower() == C.NETWORK.lower():
            header_row, headings = number, [heading(str(c), i) for i, c in enumerate(cells)]
        elif header_row is None:
            meta.setdefault(first.lower(), (number, cells[1:]))
        else:
            rows.append((number, cells))
    return Sheet(file, csv, meta, header_row, headings, rows)


def heading(text: str, index: int) -> Heading:
    text = nfc(text.strip())
    match = _UNIT_SUFFIX.match(text)
    if match:
        return Heading(text, match["base"].strip(), match["unit"].strip(), index)
    return Heading(text, text, None, index)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --------------------------------------------------------------------------- cells


def nfc(text: str) -> str:
    """Text in composed Unicode (NFC): an 'ä' written as 'a' + a combining diaeresis (as macOS
    and some exports write it) is the registry's and the contract's 'ä'."""
    return unicodedata.normalize("NFC", text)


def network_name(value: object) -> str:
    """A `Nät` cell as the name to compare with the registry's: trimmed and composed (NFC)."""
    return nfc(as_text(value))


def as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def parse_number(value: object) -> tuple[float | None, str | None]:
    """(number, None), or (None, reason): 'empty', 'decimal_point', 'not_a_number', 'not_finite'
    (NaN, infinity, or digits beyond what a float holds) or 'non_ascii_digits' (digits of another
    script: Arabic-Indic, full-width ...)."""
    if isinstance(value, bool):
        return None, "not_a_number"
    if isinstance(value, (int, float)):
        return _finite(value)
    text = str(value).strip()
    if not text:
        return None, "empty"
    if foreign_digits(text):
        return None, "non_ascii_digits"
    if _SV_NUMBER.match(text):
        return _finite(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))
    if _POINT_NUMBER.match(text):
        return None, "decimal_point"  # never guess whether 1.234 is 1234 or 1,234
    return None, "not_a_number"


def _finite(value: int | float | str) -> tuple[float | None, str | None]:
    try:
        number = float(value)
    except OverflowError:  # an integer cell of 400 digits
        return None, "not_finite"
    return (number, None) if math.isfinite(number) else (None, "not_finite")


def parse_month(value: object) -> date | None:
    """The first day of the month, or None; whether the year is plausible is validate.py's call."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1) if value.day == 1 else None
    match = _MONTH.match(as_text(value))
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) == 0:  # there is no year 0
        return None
    return date(int(match[1]), int(match[2]), 1)


# --------------------------------------------------------------------------- units and columns


def declared_unit(sheet: Sheet) -> str | None:
    """The file-level energy unit from the `Enhet` line, as written (None when not declared)."""
    entry = sheet.meta.get(C.UNIT.lower())
    if entry is None or not entry[1]:
        return None
    return as_text(entry[1][0])


def contract_column(h: Heading) -> C.Column | None:
    kind = C.Kind.TONNES if (h.unit or "").lower() in C.TONNE_UNITS else "other"
    return C.COLUMN_BY_KEY.get(C.column_key(h.base, kind))


def energy_divisor(sheet: Sheet, h: Heading) -> float | None:
    """What to divide an energy column by to get MWh: from the heading's unit, else the file's,
    else 1 (MWh). None when the declared unit is not an energy unit we know."""
    unit = h.unit if h.unit is not None else declared_unit(sheet)
    if unit is None:
        return 1.0
    return C.ENERGY_UNITS.get(unit.lower())


def mapped_columns(sheet: Sheet) -> list[tuple[Heading, C.Column]]:
    """The headings that are contract columns (first occurrence wins)."""
    seen, mapped = set(), []
    for h in sheet.headings:
        column = contract_column(h)
        if column is not None and column not in seen:
            seen.add(column)
            mapped.append((h, column))
    return mapped


def heading_index(sheet: Sheet, name: str) -> int | None:
    return next((h.index for h in sheet.headings if h.base.lower() == name.lower()), None)


# --------------------------------------------------------------------------- the long format


def to_long(sheet: Sheet) -> pl.DataFrame:
    """Every readable cell as one long row, energy in MWh; unreadable cells are left out."""
    network_at, month_at = heading_index(sheet, C.NETWORK), heading_index(sheet, C.MONTH)
    columns = mapped_columns(sheet)
    records = []
    for number, cells in sheet.rows:
        network = network_name(cell_at(cells, network_at)) if network_at is not None else ""
        month = parse_month(cell_at(cells, month_at)) if month_at is not None else None
        if not network or month is None:
            continue
        for h, column in columns:
            value, _ = parse_number(cell_at(cells, h.index))
            divisor = energy_divisor(sheet, h) if column.kind == C.Kind.ENERGY else 1.0
            if value is None or divisor is None:
                continue
            records.append(
                (
                    network,
                    month,
                    column.measure,
                    column.category,
                    column.long_unit,
                    value / divisor,
                    sheet.file,
                    number,
                    h.text,
                )
            )
    return pl.DataFrame(records, schema=LONG_SCHEMA, orient="row")


def cell_at(cells: list[object], index: int | None) -> object:
    return cells[index] if index is not None and index < len(cells) else ""


def load_long(name: str, data: bytes, limits: FileLimits = DEFAULT_LIMITS) -> pl.DataFrame:
    """A file's long frame without validation (pipelines use validate.load_feed_bytes)."""
    return to_long(read_sheet(name, data, limits))
