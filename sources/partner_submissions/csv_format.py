"""The CSV form of a submission: the contract, its reader and its writer.

The contract (what the template writes and the validator reads)
---------------------------------------------------------------
* ONE file, text, encoded UTF-8 (the template writes a BOM so that Excel shows å, ä, ö right);
  a file saved by Excel as "CSV (semikolonavgränsad)" in Windows-1252 is read too.
* Fields are separated by semicolons `;` (what Swedish Excel writes and reads); a field that
  contains `;`, `"` or a line break is quoted with `"` (doubled `""` inside), as Excel does.
* The FIRST field of every line names the section, i.e. the sheet: `Organisation`, `Utsläpp`,
  `Energi`, `Åtgärder` or `Kolupptag`.
* The first line of each section is its heading line: the section name, then the same Swedish
  headings as the Excel sheet (units in the headings, e.g. `Utsläpp (t CO2e)`). Every later
  line with that section name is a record. Sections may come in any order; every section must
  be present, with its heading line even when it has no records. `Organisation` has exactly
  one record.
* Lines whose first field starts with `#` are comments (the template's instructions) and empty
  lines (also `;;;;`) are skipped.
* Numbers use the Swedish decimal COMMA: `12,5`; no thousands separator, though spaces between
  groups of three digits (`1 234,5`) are accepted. A decimal point (`12.5`) is an error, so that
  `1.234` can never be misread. No units in number fields (the unit is in the heading).
* Years are whole numbers (`2025`); dates are ISO `2026-03-31`; ja/nej for yes/no; choices are
  written as listed in the heading comments of the template.
* Text fields are taken as written (surrounding spaces removed); nothing is ever evaluated, so
  `=cmd|...` or `'; drop table x; --` in a text field is just text.
* Problems name the line number in the file as the row, and the column letter as Excel shows
  the file (column A is the section name, so the first heading is in column B).
"""

from __future__ import annotations

import csv
import io

from sources.file_limits import BoundedCsv, FileLimits, Refusal
from sources.partner_submissions.schema import SHEETS, Sheet
from sources.partner_submissions.tables import RawCell, RawSheet, normalise

SEPARATOR = ";"
ENCODING = "utf-8-sig"
LINE_END = "\r\n"
COMMENT = "#"


def read_csv_sections(
    text: str, *, limits: FileLimits
) -> tuple[list[RawSheet], str | None, Refusal | None]:
    """The sections of a CSV submission, in order of first appearance; the separator the file
    seems to use instead of `;` (',' or tab) when no line has a `;` (None when it is fine); and
    why the shared bounded reader stopped early (a line too wide, a field too long), or None.
    Each section keeps at most `limits.max_rows` records and is marked truncated beyond that."""
    sections: dict[str, RawSheet] = {}
    multi_field = False
    reader = BoundedCsv(text, limits, delimiter=SEPARATOR)
    for line_number, fields in reader:
        first = fields[0].strip() if fields else ""
        if first.startswith(COMMENT) or all(f.strip() == "" for f in fields):
            continue
        multi_field = multi_field or len(fields) > 1
        cells = _trim([RawCell(f) for f in fields[1:]])
        key = normalise(first)
        section = sections.get(key)
        if section is None:
            sections[key] = RawSheet(
                name=first, header_row=line_number, header=cells, rows=[], csv=True, column_offset=1
            )
        elif cells:
            if len(section.rows) >= limits.max_rows:
                section.truncated = True
            else:
                section.rows.append((line_number, cells))
    separator = None if multi_field or not sections else _other_separator(text)
    return list(sections.values()), separator, reader.refusal


def _other_separator(text: str) -> str | None:
    for candidate in (",", "\t"):
        if candidate in text:
            return candidate
    return None


def _trim(cells: list[RawCell]) -> list[RawCell]:
    end = len(cells)
    while end and cells[end - 1].empty:
        end -= 1
    return cells[:end]


# --------------------------------------------------------------------------- writing


def csv_line(fields: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=SEPARATOR, quotechar='"', lineterminator=LINE_END).writerow(
        ["" if f is None else f for f in fields]
    )
    return buffer.getvalue()


def heading_line(sheet: Sheet) -> str:
    return csv_line([sheet.name] + [c.heading for c in sheet.columns])


def record_line(sheet: Sheet, values: dict[str, object]) -> str:
    """A record by column key, formatted per the contract (decimal comma, ISO dates, ja/nej)."""
    return csv_line([sheet.name] + [format_value(values.get(c.key)) for c in sheet.columns])


def format_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)).replace(".", ",")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def sections_text(records: dict[str, list[dict[str, object]]], comments: list[str] = ()) -> str:
    """A whole CSV submission: comment lines, then every section's heading line and records."""
    parts = [csv_line([f"{COMMENT} {c}"]) for c in comments]
    for sheet in SHEETS:
        parts.append(heading_line(sheet))
        parts.extend(record_line(sheet, r) for r in records.get(sheet.key, []))
    return "".join(parts)
