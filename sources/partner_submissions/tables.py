"""The raw tables of a submission: every sheet (or CSV section) as a headings row and data rows of
uninterpreted cells, with the row numbers and column letters the user sees.

Both readers produce the same `RawSheet`, so every check after this point is format-blind except
for the few number-format rules that differ between Excel cells and CSV text (see cells.py).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula


@dataclass(frozen=True)
class RawCell:
    value: object = None  # str | int | float | bool | datetime | None (a CSV cell is always str)
    formula: bool = False  # an Excel formula (never evaluated); value is its text, "=..."

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and self.value.strip() == "")

    def shown(self) -> str | None:
        """The value as the user would recognise it in a message."""
        return shown(self.value)


EMPTY = RawCell()


def shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat()
            if value.time() == datetime.min.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class RawSheet:
    name: str  # as written in the file
    header_row: int  # 1-based row (CSV: line) of the headings
    header: list[RawCell]
    rows: list[tuple[int, list[RawCell]]]  # (1-based row or line, cells); fully empty rows left out
    csv: bool = False
    truncated: bool = False  # more than Limits.max_rows data rows: the rest not read
    column_offset: int = field(default=0)  # CSV: column A holds the section name, data start in B

    def letter(self, index: int) -> str:
        return get_column_letter(index + 1 + self.column_offset)

    def cell(self, cells: list[RawCell], index: int) -> RawCell:
        return cells[index] if index < len(cells) else EMPTY

    @property
    def is_empty(self) -> bool:
        return all(c.empty for c in self.header) and not self.rows


def normalise(text: object) -> str:
    """For comparing names and headings: NFC, case-folded, one space, CO₂ -> CO2, dashes -> '-'."""
    s = unicodedata.normalize("NFC", str(text)).replace("\u2082", "2")
    for dash in ("\u2013", "\u2014", "\u2212", "\u2010", "\u2011"):
        s = s.replace(dash, "-")
    return " ".join(s.replace("\u00a0", " ").split()).casefold()


def fold(text: object) -> str:
    """For spotting a renamed sheet: also without diacritics, spaces and punctuation."""
    s = unicodedata.normalize("NFKD", normalise(text))
    return "".join(ch for ch in s if ch.isalnum() and not unicodedata.combining(ch))


# --------------------------------------------------------------------------- xlsx


class CellTooLong(Exception):
    """A cell longer than the field limit: the reader stops there (sources/file_limits.py)."""

    def __init__(self, sheet: str, row: int, letter: str, length: int):
        super().__init__(f"{sheet}!{letter}{row}: {length} characters")
        self.sheet, self.row, self.letter, self.length = sheet, row, letter, length


def read_xlsx(
    data: bytes, *, max_rows: int, max_columns: int, max_field_chars: int
) -> list[RawSheet]:
    """Every worksheet, formulas kept as formulas (data_only=False: a formula is never evaluated).

    Raises `CellTooLong` at a cell over `max_field_chars`, and whatever openpyxl raises on a broken
    workbook; the caller turns both into a problem.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about Excel features it does not keep
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return [
            _read_worksheet(ws, max_rows, max_columns, max_field_chars)
            for ws in workbook.worksheets
            if hasattr(ws, "iter_rows")
        ]
    finally:
        workbook.close()


def _read_worksheet(ws, max_rows: int, max_columns: int, max_field_chars: int) -> RawSheet:
    sheet = RawSheet(name=ws.title, header_row=1, header=[], rows=[])
    for row_number, row in enumerate(ws.iter_rows(max_col=max_columns), start=1):
        cells = _trim([_raw_cell(c) for c in row])
        for index, cell in enumerate(cells):
            if isinstance(cell.value, str) and len(cell.value) > max_field_chars:
                raise CellTooLong(
                    ws.title, row_number, get_column_letter(index + 1), len(cell.value)
                )
        if row_number == 1:
            sheet.header = cells
        elif cells:
            if len(sheet.rows) >= max_rows:
                sheet.truncated = True
                break
            sheet.rows.append((row_number, cells))
    return sheet


def _raw_cell(cell) -> RawCell:
    value = getattr(cell, "value", None)
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        text = getattr(value, "text", None) or "="
        return RawCell(text if str(text).startswith("=") else f"={text}", formula=True)
    if getattr(cell, "data_type", None) == "f":
        return RawCell(str(value), formula=True)
    return RawCell(value)


def _trim(cells: list[RawCell]) -> list[RawCell]:
    """Drop trailing empty cells; an all-empty row becomes []."""
    end = len(cells)
    while end and cells[end - 1].empty:
        end -= 1
    return cells[:end]
