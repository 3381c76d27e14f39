"""The submission template, generated from the schema: `<partner_id>_<year>.xlsx` and `.csv`.

The workbook: an instructions sheet (Swedish, then English), then the five sheets with the
Swedish headings in row 1 (units in the headings), required headings yellow, help text as a
comment on every heading and as Excel's input prompt, and Excel data validation on the rows the
template prepares: lists for choices, whole numbers for years, decimals >= 0 for quantities,
dates for dates. Text columns are formatted as Text, so that Excel keeps what is typed there as
text. Organisation row 2 has the partner id and the reporting year filled in.

The CSV: the same content under the contract in csv_format.py.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation

from sources.partner_submissions import problems as P
from sources.partner_submissions.csv_format import ENCODING, sections_text
from sources.partner_submissions.schema import (
    FIRST_DATA_ROW,
    FIRST_YEAR,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    SHEETS,
    Column,
    Kind,
    Sheet,
)

LAST_TEMPLATE_YEAR = 2100
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
OPTIONAL_FILL = PatternFill("solid", fgColor="EDEDED")
PREFILLED_FILL = PatternFill("solid", fgColor="DDEBF7")
_SAFE_ID = re.compile(r"^[a-z0-9_]+$")


def template_name(partner_id: str, year: int) -> str:
    if not _SAFE_ID.match(partner_id):
        raise ValueError(f"partner id {partner_id!r} must be lower-case letters, digits and _")
    return f"{partner_id}_{int(year)}"


def write_template(
    partner_id: str, year: int, out_dir: Path, *, partner_name: str | None = None
) -> tuple[Path, Path]:
    """Write `<partner_id>_<year>.xlsx` and `.csv` into out_dir (made if missing); both paths."""
    stem = template_name(partner_id, year)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx, csv = out_dir / f"{stem}.xlsx", out_dir / f"{stem}.csv"
    build_workbook(partner_id, year, partner_name).save(xlsx)
    csv.write_bytes(template_csv_text(partner_id, year, partner_name).encode(ENCODING))
    return xlsx, csv


# --------------------------------------------------------------------------- xlsx


def build_workbook(
    partner_id: str, year: int, partner_name: str | None = None
) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    _instructions(workbook.active, partner_id, year, partner_name)
    for sheet in SHEETS:
        ws = workbook.create_sheet(sheet.name)
        _table_sheet(ws, sheet)
        if sheet.key == "organisation":
            _prefill(ws, sheet, {"partner_id": partner_id, "reporting_year": int(year)})
    return workbook


def _table_sheet(ws, sheet: Sheet) -> None:
    last_row = FIRST_DATA_ROW if sheet.single_row else FIRST_DATA_ROW + sheet.max_template_rows - 1
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=HEADER_ROW, column=index, value=column.heading)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(
            _comment_text(column), "Klimatneutrala Borlänge 2030", width=320, height=180
        )
        ws.column_dimensions[letter].width = max(16, len(column.heading) + 4)
        if column.kind in (Kind.TEXT, Kind.EMAIL):
            ws.column_dimensions[letter].number_format = "@"
        elif column.kind is Kind.DATE:
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        validation = data_validation(column)
        if validation is not None:
            ws.add_data_validation(validation)
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=1)


def _comment_text(column: Column) -> str:
    unit = f" Enhet / unit: {column.unit}." if column.unit else ""
    return (
        f"{column.heading} ({column.required_sv} / {column.required_en}).{unit}\n\n"
        f"{column.help_sv}\n\n{column.help_en}"
    )


def _prefill(ws, sheet: Sheet, values: dict[str, object]) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        if column.key in values:
            cell = ws.cell(row=FIRST_DATA_ROW, column=index, value=values[column.key])
            cell.fill = PREFILLED_FILL


def data_validation(column: Column) -> DataValidation | None:
    """Excel's own check of a column: lists, whole years, decimals >= 0, dates; None for text."""
    kwargs = dict(
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=column.heading[:32],
        promptTitle=column.heading[:32],
        error=P.expected_for(column, date.today().year)[:255],
        prompt=column.help_sv[:255],
    )
    if column.allowed:
        listed = ",".join(str(a) for a in column.allowed)
        return DataValidation(type="list", formula1=f'"{listed}"', **kwargs)
    if column.kind is Kind.YEAR:
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(FIRST_YEAR),
            formula2=str(LAST_TEMPLATE_YEAR),
            **kwargs,
        )
    if column.kind in (Kind.DECIMAL, Kind.INTEGER):
        kind = "decimal" if column.kind is Kind.DECIMAL else "whole"
        minimum = column.minimum if column.minimum is not None else -1e15
        return DataValidation(
            type=kind, operator="greaterThanOrEqual", formula1=_excel_number(minimum), **kwargs
        )
    if column.kind is Kind.DATE:
        return DataValidation(
            type="date",
            operator="between",
            formula1=_excel_number(to_excel(date(FIRST_YEAR, 1, 1))),
            formula2=_excel_number(to_excel(date(LAST_TEMPLATE_YEAR, 12, 31))),
            **kwargs,
        )
    return None


def _excel_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _instructions(ws, partner_id: str, year: int, partner_name: str | None) -> None:
    ws.title = INSTRUCTIONS_SHEET
    who = f"{partner_name} – {partner_id}" if partner_name else partner_id
    lines: list[tuple[str, str]] = [
        ("title", "Klimatneutrala Borlänge 2030 – inrapportering"),
        ("", f"Partner: {who}   ·   Rapportår: {year}"),
        ("", ""),
        ("heading", "Så fyller du i"),
        *[("", f"• {t}") for t in RULES_SV],
        ("", ""),
        *_sheet_lines(sv=True),
        ("", ""),
        ("title", "English"),
        ("", f"Partner: {who}   ·   Reporting year: {year}"),
        ("", ""),
        ("heading", "How to fill it in"),
        *[("", f"• {t}") for t in RULES_EN],
        ("", ""),
        *_sheet_lines(sv=False),
    ]
    for row, (style, text) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.data_type = "s"  # instructions are text, even a line starting with "="
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 140


def _sheet_lines(sv: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for sheet in SHEETS:
        out.append(
            (
                "heading",
                f"Bladet '{sheet.name}'" if sv else f"Sheet '{sheet.name}' ({sheet.title_en})",
            )
        )
        out.append(("", sheet.help_sv if sv else sheet.help_en))
        for column in sheet.columns:
            required = column.required_sv if sv else column.required_en
            unit = f", {column.unit}" if column.unit else ""
            allowed = ""
            if column.allowed:
                allowed = (
                    (" Tillåtna värden: " if sv else " Allowed values: ")
                    + ", ".join(map(str, column.allowed))
                    + "."
                )
            help_text = column.help_sv if sv else column.help_en
            key = "" if sv else f" [{column.key}]"
            out.append(("", f"   {column.heading}{key} ({required}{unit}): {help_text}{allowed}"))
        out.append(("", ""))
    return out


RULES_SV = (
    "Fyll i bladen Organisation, Utsläpp, Energi, Åtgärder och Kolupptag. Byt inte namn på "
    "bladen, ändra inte rubrikerna i rad 1 och lägg inte till kolumner.",
    "En post per rad, från rad 2. Bladet Utsläpp måste ha minst en rad; övriga blad får vara "
    "tomma.",
    "Skriv tal som tal (inte som text) och utan enhet. Enheten står i rubriken: t CO2e är ton, "
    "inte kg (dela kg med 1000); MWh, inte kWh (dela kWh med 1000); SEK i hela kronor. Inget "
    "räknas om automatiskt.",
    "Inga formler: skriv in själva värdena (kopiera och klistra in som värden). Formler räknas "
    "inte ut.",
    "Utsläpp och kolupptag anges som positiva tal (0 eller mer); kolupptag rapporteras på bladet "
    "Kolupptag.",
    "Scope 2 kräver en metod: skriv om siffran är marknadsbaserad eller platsbaserad.",
    "Samma rad får inte finnas två gånger (t.ex. samma scope, kategori, metod och inom "
    "kommunen); slå ihop dem.",
    "Datum skrivs ÅÅÅÅ-MM-DD, t.ex. 2026-03-31. Ja/nej skrivs ja eller nej.",
    "Gula rubriker är obligatoriska, grå frivilliga. Håll muspekaren över en rubrik för en "
    "förklaring.",
    "Skicka filen som .xlsx. Det finns också en CSV-mall med samma innehåll (semikolon, "
    "decimalkomma).",
)

RULES_EN = (
    "Fill in the sheets Organisation, Utsläpp (emissions), Energi (energy), Åtgärder (actions) "
    "and Kolupptag (carbon removals). Do not rename the sheets, do not change the headings in "
    "row 1 and do not add columns.",
    "One record per row, from row 2. The sheet Utsläpp needs at least one row; the other sheets "
    "may stay empty.",
    "Write numbers as numbers (not as text) and without a unit. The unit is in the heading: t "
    "CO2e is tonnes, not kg (divide kg by 1000); MWh, not kWh (divide kWh by 1000); SEK in whole "
    "kronor. Nothing is converted automatically.",
    "No formulas: type the values themselves (copy and paste as values). Formulas are not "
    "evaluated.",
    "Emissions and removals are positive numbers (0 or more); report removals on the sheet "
    "Kolupptag.",
    "Scope 2 requires a method: write whether the figure is market-based (marknadsbaserad) or "
    "location-based (platsbaserad).",
    "The same row must not appear twice (e.g. the same scope, category, method and inside the "
    "kommun); merge them.",
    "Dates are written YYYY-MM-DD, e.g. 2026-03-31. Yes/no is written ja or nej.",
    "Yellow headings are required, grey ones optional. Hover over a heading for an explanation.",
    "Send the file as .xlsx. There is also a CSV template with the same content (semicolons, "
    "decimal comma).",
)


# --------------------------------------------------------------------------- csv


def template_csv_text(partner_id: str, year: int, partner_name: str | None = None) -> str:
    who = f"{partner_name} – {partner_id}" if partner_name else partner_id
    comments = [
        f"Klimatneutrala Borlänge 2030 – inrapportering för {who}, rapportår {year}.",
        "Första fältet anger avsnittet (bladet). Första raden i varje avsnitt är rubrikraden. "
        "Skriv en rad per post under den, med avsnittets namn först.",
        "Fälten skiljs åt med semikolon. Decimaltal skrivs med komma (12,5), datum ÅÅÅÅ-MM-DD, "
        "ja eller nej. Enheten står i rubriken: t CO2e (ton, inte kg), MWh (inte kWh), SEK. Inga "
        "formler.",
        "Scope 2 kräver en metod (marknadsbaserad eller platsbaserad). Utsläpp måste ha minst en "
        "rad.",
        "English: the first field names the section (sheet). The first line of each section is "
        "its heading line. Write one line per record below it, starting with the section name.",
        "Fields are separated by semicolons. Decimals use a comma (12,5), dates YYYY-MM-DD, "
        "yes/no as ja or nej. Units are in the headings: t CO2e (tonnes, not kg), MWh (not kWh), "
        "SEK. No formulas.",
        "Scope 2 requires a method (market-based or location-based). Utsläpp (emissions) needs "
        "at least one line.",
    ]
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.allowed:
                listed = " | ".join(map(str, column.allowed))
                comments.append(f"{sheet.name} / {column.heading}: {listed}")
    organisation = {"partner_id": partner_id, "reporting_year": int(year)}
    return sections_text({"organisation": [organisation]}, comments)
