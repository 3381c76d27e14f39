"""Which sheet is which, and which column is which: the structure checks.

Sheets are found by name and columns by heading (compared case-, space- and dash-insensitively),
so a reordered column is fine, while a renamed, missing, duplicated or foreign one is reported
with what was expected and what was found. A heading that names a unit the template does not
use (kg instead of t, kWh instead of MWh) is reported as such; its values are still checked.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sources.partner_submissions import problems as P
from sources.partner_submissions.cells import unit_family, unit_word
from sources.partner_submissions.schema import INSTRUCTIONS_SHEET, SHEETS, Column, Sheet
from sources.partner_submissions.tables import RawSheet, fold, normalise

UNIT_HEADINGS = frozenset({"enhet", "enheter", "unit", "units", "måttenhet"})
_UNIT_TOKENS = frozenset(
    {
        "t",
        "ton",
        "tonnes",
        "tonne",
        "co2e",
        "co2",
        "co2-ekv",
        "ekv",
        "mwh",
        "sek",
        "kr",
        "år",
        "per",
        "e",
    }
) | frozenset(P.UNIT_CONVERSIONS)


@dataclass(frozen=True)
class Located:
    """A problem before the file name is known: the message and where it is."""

    msg: P.Msg
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    letter: str | None = None
    value: str | None = None


# --------------------------------------------------------------------------- sheets


@dataclass
class SheetMatch:
    found: dict[str, RawSheet] = field(default_factory=dict)  # schema sheet key -> the raw sheet
    problems: list[Located] = field(default_factory=list)


def match_sheets(raw_sheets: list[RawSheet], *, csv: bool) -> SheetMatch:
    result = SheetMatch()
    by_name = {normalise(s.name): s for s in reversed(raw_sheets)}  # the first of equal names wins
    unmatched = [
        s
        for s in raw_sheets
        if normalise(s.name) not in {normalise(x.name) for x in SHEETS}
        and normalise(s.name) != normalise(INSTRUCTIONS_SHEET)
    ]
    for sheet in SHEETS:
        raw = by_name.get(normalise(sheet.name))
        if raw is None:
            raw = _similar(sheet, unmatched)
            if raw is not None:
                unmatched.remove(raw)
                result.problems.append(
                    Located(
                        P.renamed_sheet(sheet, raw.name, csv),
                        sheet=raw.name,
                        row=raw.header_row if csv else None,
                        value=raw.name,
                    )
                )
            else:
                result.problems.append(
                    Located(
                        P.missing_sheet(sheet, [s.name for s in raw_sheets], csv), sheet=sheet.name
                    )
                )
                continue
        result.found[sheet.key] = raw
    known = [s.name for s in SHEETS]
    for raw in unmatched:
        if not raw.is_empty:
            result.problems.append(
                Located(
                    P.unknown_sheet(raw.name, known, csv, lines=1 + len(raw.rows)),
                    sheet=raw.name,
                    row=raw.header_row if csv else None,
                    value=raw.name,
                )
            )
    return result


def _similar(sheet: Sheet, candidates: list[RawSheet]) -> RawSheet | None:
    """A sheet that is evidently the expected one under another name: 'Utslapp', 'Emissions',
    'Utsläpp 2025' for 'Utsläpp' (compared without case, diacritics, spaces and punctuation)."""
    targets = {fold(sheet.name), fold(sheet.title_en), fold(sheet.key)}
    for raw in candidates:
        name = fold(raw.name)
        if len(name) >= 4 and any(_alike(name, t) for t in targets):
            return raw
    return None


def _alike(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


# --------------------------------------------------------------------------- columns


@dataclass
class ColumnMap:
    index: dict[str, int] = field(
        default_factory=dict
    )  # column key -> 0-based index in the raw rows
    unit_columns: list[int] = field(
        default_factory=list
    )  # an extra "Enhet" column, checked per cell
    problems: list[Located] = field(default_factory=list)
    has_header: bool = True


def heading_base(text: str) -> str:
    """'Utsläpp (kg CO2e)' -> 'utsläpp': the heading without its unit."""
    s = re.sub(r"\(.*?\)", " ", normalise(text))
    words = [w for w in re.split(r"[^\w-]+", s) if w and w not in _UNIT_TOKENS]
    return " ".join(words)


def map_columns(sheet: Sheet, raw: RawSheet) -> ColumnMap:
    result = ColumnMap()
    headings = {i: c.shown().strip() for i, c in enumerate(raw.header) if not c.empty}
    wanted = {normalise(c.heading): c for c in sheet.columns}
    if not any(
        normalise(h) in wanted
        or heading_base(h) in {heading_base(c.heading) for c in sheet.columns}
        for h in headings.values()
    ):
        result.has_header = False
        result.problems.append(
            Located(P.missing_header_row(sheet, raw.csv), sheet=raw.name, row=raw.header_row)
        )
        return result
    _exact(raw, headings, wanted, result)
    _unit_variants(sheet, raw, headings, result)
    _missing_or_renamed(sheet, raw, headings, result)
    _foreign(sheet, raw, headings, result)
    return result


def _exact(
    raw: RawSheet,
    headings: dict[int, str],
    wanted: dict[str, Column],
    result: ColumnMap,
) -> None:
    for i, heading in headings.items():
        column = wanted.get(normalise(heading))
        if column is None:
            continue
        if column.key in result.index:
            first = raw.letter(result.index[column.key])
            result.problems.append(
                Located(
                    P.duplicate_column(column.heading, first, raw.letter(i)),
                    sheet=raw.name,
                    row=raw.header_row,
                    column=heading,
                    letter=raw.letter(i),
                    value=heading,
                )
            )
        else:
            result.index[column.key] = i


def _claimed(result: ColumnMap) -> set[int]:
    return set(result.index.values()) | set(result.unit_columns)


def _exact_indexes(headings: dict[int, str], sheet: Sheet) -> set[int]:
    wanted = {normalise(c.heading) for c in sheet.columns}
    return {i for i, h in headings.items() if normalise(h) in wanted}


def _unit_variants(
    sheet: Sheet, raw: RawSheet, headings: dict[int, str], result: ColumnMap
) -> None:
    """'Utsläpp (kg CO2e)' where 'Utsläpp (t CO2e)' belongs: report the unit, map the column."""
    taken = _exact_indexes(headings, sheet)
    for i, heading in headings.items():
        if i in taken:
            continue
        word = unit_word(heading)
        if word is None:
            continue
        for column in sheet.columns:
            if (
                column.key not in result.index
                and unit_family(column) == P.UNIT_CONVERSIONS[word][0]
                and heading_base(heading) == heading_base(column.heading)
            ):
                result.index[column.key] = i
                result.problems.append(
                    Located(
                        P.wrong_unit(column, word, "heading", heading),
                        sheet=raw.name,
                        row=raw.header_row,
                        column=heading,
                        letter=raw.letter(i),
                        value=heading,
                    )
                )
                break


def _missing_or_renamed(
    sheet: Sheet, raw: RawSheet, headings: dict[int, str], result: ColumnMap
) -> None:
    taken = _exact_indexes(headings, sheet)
    for position, column in enumerate(sheet.columns):
        if column.key in result.index or column.plan:
            continue
        letter = raw.letter(position)
        found = headings.get(position)
        if (
            found is not None
            and position not in taken
            and position not in _claimed(result)
            and normalise(found) not in UNIT_HEADINGS
        ):
            result.index[column.key] = position
            result.problems.append(
                Located(
                    P.renamed_column(column, letter, found),
                    sheet=raw.name,
                    row=raw.header_row,
                    column=column.heading,
                    letter=letter,
                    value=found,
                )
            )
        else:
            shown = [(raw.letter(i), h) for i, h in sorted(headings.items())]
            result.problems.append(
                Located(
                    P.missing_column(column, letter, shown),
                    sheet=raw.name,
                    row=raw.header_row,
                    column=column.heading,
                    letter=letter,
                    value=found,
                )
            )


def _foreign(sheet: Sheet, raw: RawSheet, headings: dict[int, str], result: ColumnMap) -> None:
    """Headings the template does not have, and values in columns without a heading."""
    taken = _exact_indexes(headings, sheet) | _claimed(result)
    for i, heading in sorted(headings.items()):
        if i in taken:
            continue
        if normalise(heading) in UNIT_HEADINGS:
            result.unit_columns.append(i)
            continue
        result.problems.append(
            Located(
                P.unknown_column(sheet, heading),
                sheet=raw.name,
                row=raw.header_row,
                column=heading,
                letter=raw.letter(i),
                value=heading,
            )
        )
    width = max((len(cells) for _, cells in raw.rows), default=0)
    for i in range(width):
        if i in headings:
            continue
        first = next(
            ((n, cells[i]) for n, cells in raw.rows if i < len(cells) and not cells[i].empty), None
        )
        if first is not None:
            row, cell = first
            result.problems.append(
                Located(
                    P.unknown_column(sheet, None),
                    sheet=raw.name,
                    row=row,
                    letter=raw.letter(i),
                    value=cell.shown(),
                )
            )


def unit_column_problems(sheet: Sheet, raw: RawSheet, columns: ColumnMap) -> list[Located]:
    """Cells of an extra unit column ('Enhet': 'kg') that contradict the template's units; a unit
    column without such cells is only a foreign column."""
    out: list[Located] = []
    for i in columns.unit_columns:
        heading = raw.header[i].shown().strip()
        found_any = False
        for row, cells in raw.rows:
            cell = raw.cell(cells, i)
            word = None if cell.empty else unit_word(str(cell.value))
            target = next(
                (
                    c
                    for c in sheet.columns
                    if word and unit_family(c) == P.UNIT_CONVERSIONS[word][0]
                ),
                None,
            )
            if target is not None:
                found_any = True
                out.append(
                    Located(
                        P.wrong_unit(target, word, "unit_column", str(cell.value).strip()),
                        sheet=raw.name,
                        row=row,
                        column=heading,
                        letter=raw.letter(i),
                        value=cell.shown(),
                    )
                )
        if not found_any:
            out.append(
                Located(
                    P.unknown_column(sheet, heading),
                    sheet=raw.name,
                    row=raw.header_row,
                    column=heading,
                    letter=raw.letter(i),
                    value=heading,
                )
            )
    return out
