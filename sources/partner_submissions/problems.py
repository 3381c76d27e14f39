"""Problems found in a submission, and the catalogue of their messages (Swedish and English).

Every message is built here, by one small function per code, so that the wording is in one
place and the codes (stable snake_case) never drift. A message says what is wrong and how to
fix it; WHERE (file, sheet, row, column) travels in the Problem's own fields (the feeds' shared
Problem, sources/feed_problems.py: `message` in English, `message_sv` in Swedish).
"""

from __future__ import annotations

from dataclasses import dataclass

from sources.feed_problems import Problem
from sources.file_limits import ascii_digits, foreign_digits, printable
from sources.partner_submissions.schema import FIRST_YEAR, START_YEAR_HORIZON, Column, Kind, Sheet


@dataclass(frozen=True)
class Msg:
    """A located-nowhere message: the code, the two texts and what was expected."""

    code: str
    sv: str
    en: str
    expected: str = ""


def located(
    msg: Msg,
    file: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    column_letter: str | None = None,
    value: str | None = None,
) -> Problem:
    """The message at its place: the sheet's Swedish name, the row as Excel shows it (a CSV's line),
    the Swedish heading and its Excel column letter, the value as the user wrote it."""
    return Problem(
        file,
        row,
        column,
        value,
        msg.code,
        msg.en,
        msg.expected,
        sheet=sheet,
        column_letter=column_letter,
        message_sv=msg.sv,
    )


# --------------------------------------------------------------------------- formatting helpers


def num_sv(x: float) -> str:
    """12.5 -> '12,5', 2000 -> '2 000' (Swedish)."""
    return num_en(x).replace(",", " ").replace(".", ",")


def num_en(x: float) -> str:
    text = f"{x:,.1f}" if isinstance(x, float) and not float(x).is_integer() else f"{int(x):,}"
    return text


def size_sv(n_bytes: int) -> str:
    return size_en(n_bytes).replace(".", ",")


def size_en(n_bytes: int) -> str:
    """1.0 kB below a megabyte, else 12.3 MB (binary units, one decimal)."""
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.1f} kB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"


def dec_sv(x: float) -> str:
    """A number as the value of a cell, Swedish: -1.5 -> '-1,5'."""
    return dec_en(x).replace(".", ",")


def dec_en(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def quoted_list(items) -> str:
    return ", ".join(f"'{i}'" for i in items)


def plain_list(items) -> str:
    return ", ".join(str(i) for i in items)


EXAMPLE_NAME = "ssab_2025.xlsx"
EXPECTED_NAME = (
    f"ett enkelt filnamn utan sökväg, t.ex. {EXAMPLE_NAME} / a plain file name without a path, "
    f"e.g. {EXAMPLE_NAME}"
)


# --------------------------------------------------------------------------- the file


def unsafe_file_name(name: str, reason: str) -> Msg:
    texts = {
        "traversal": (
            f"Filnamnet '{name}' innehåller '..' och kan peka ut ur inkorgen. "
            f"Ge filen ett enkelt namn, t.ex. {EXAMPLE_NAME}.",
            f"The file name '{name}' contains '..' and could point outside the inbox. "
            f"Give the file a plain name, e.g. {EXAMPLE_NAME}.",
        ),
        "absolute": (
            f"Filnamnet '{name}' är en absolut sökväg. Ange bara filens namn, t.ex. "
            f"{EXAMPLE_NAME}.",
            f"The file name '{name}' is an absolute path. Give only the file's name, "
            f"e.g. {EXAMPLE_NAME}.",
        ),
        "backslash": (
            f"Filnamnet '{name}' innehåller ett omvänt snedstreck (\\). "
            f"Ge filen ett enkelt namn, t.ex. {EXAMPLE_NAME}.",
            f"The file name '{name}' contains a backslash (\\). "
            f"Give the file a plain name, e.g. {EXAMPLE_NAME}.",
        ),
        "control": (
            f"Filnamnet {name!r} innehåller ett NUL- eller styrtecken. "
            f"Ge filen ett enkelt namn, t.ex. {EXAMPLE_NAME}.",
            f"The file name {name!r} contains a NUL or control character. "
            f"Give the file a plain name, e.g. {EXAMPLE_NAME}.",
        ),
        "leading_dot": (
            f"Filnamnet '{name}' börjar med en punkt (en dold fil eller sökväg). "
            f"Ge filen ett enkelt namn, t.ex. {EXAMPLE_NAME}.",
            f"The file name '{name}' starts with a dot (a hidden file or a path). "
            f"Give the file a plain name, e.g. {EXAMPLE_NAME}.",
        ),
        "empty": ("Filnamnet är tomt.", "The file name is empty."),
        "outside": (
            f"Filen '{name}' pekar ut ur inkorgen (via en symbolisk länk) och läses inte.",
            f"The file '{name}' points outside the inbox (through a symbolic link) and is not "
            "read.",
        ),
    }
    sv, en = texts[reason]
    return Msg("unsafe_file_name", sv, en, EXPECTED_NAME)


def file_not_found(name: str) -> Msg:
    return Msg(
        "file_not_found",
        f"Filen '{name}' finns inte.",
        f"The file '{name}' does not exist.",
        "en befintlig fil / an existing file",
    )


def unsupported_file_type(suffix: str) -> Msg:
    shown = suffix or "(ingen)"
    shown_en = suffix or "(none)"
    return Msg(
        "unsupported_file_type",
        f"Filtypen '{shown}' stöds inte. Spara filen som Excel-arbetsbok (.xlsx) eller som "
        f"CSV (.csv) enligt mallen.",
        f"The file type '{shown_en}' is not supported. Save the file as an Excel workbook "
        "(.xlsx) or as CSV (.csv) following the template.",
        "en .xlsx- eller .csv-fil / an .xlsx or .csv file",
    )


def empty_file() -> Msg:
    return Msg(
        "empty_file",
        "Filen är tom. Fyll i mallen och skicka den igen.",
        "The file is empty. Fill in the template and send it again.",
        "en ifylld mall / a filled-in template",
    )


def file_too_large(size: int, limit: int) -> Msg:
    return Msg(
        "file_too_large",
        f"Filen är för stor: {size_sv(size)} (högst {size_sv(limit)}). "
        f"Ta bort bilder och blad som inte hör till mallen, eller dela upp filen.",
        f"The file is too large: {size_en(size)} (at most {size_en(limit)}). "
        f"Remove pictures and sheets that are not part of the template, or split the file.",
        f"högst {size_sv(limit)} / at most {size_en(limit)}",
    )


XLSX_EXPECTED = "en Excel-arbetsbok (.xlsx) / an Excel workbook (.xlsx)"


def not_xlsx(reason: str) -> Msg:
    texts = {
        "xls": (
            "Filen heter .xlsx men är i det gamla Excel-formatet (.xls). Öppna den i Excel och "
            "välj Spara som → Excel-arbetsbok (*.xlsx).",
            "The file is named .xlsx but is in the old Excel format (.xls). Open it in Excel and "
            "choose Save As → Excel Workbook (*.xlsx).",
        ),
        "not_zip": (
            "Filen heter .xlsx men är ingen Excel-arbetsbok. Öppna den i Excel och välj "
            "Spara som → Excel-arbetsbok (*.xlsx).",
            "The file is named .xlsx but is not an Excel workbook. Open it in Excel and choose "
            "Save As → Excel Workbook (*.xlsx).",
        ),
        "no_workbook": (
            "Filen heter .xlsx och är en zip-fil, men ingen Excel-arbetsbok (xl/workbook.xml "
            "saknas). Öppna den i Excel och välj Spara som → Excel-arbetsbok (*.xlsx).",
            "The file is named .xlsx and is a zip file, but not an Excel workbook (xl/workbook.xml "
            "is missing). Open it in Excel and choose Save As → Excel Workbook (*.xlsx).",
        ),
    }
    sv, en = texts[reason]
    return Msg("not_xlsx", sv, en, XLSX_EXPECTED)


def unreadable_xlsx(error: str) -> Msg:
    return Msg(
        "unreadable_xlsx",
        f"Excel-filen kunde inte läsas ({error}). Öppna den i Excel, spara den igen och skicka "
        "den på nytt.",
        f"The Excel file could not be read ({error}). Open it in Excel, save it again and send "
        "it again.",
        XLSX_EXPECTED,
    )


def xlsx_too_many_entries(count: int, limit: int) -> Msg:
    return Msg(
        "xlsx_too_many_entries",
        f"Excel-filen består av {num_sv(count)} delar (högst {num_sv(limit)}). Den är inte en "
        "vanlig ifylld mall; använd mallen och ta bort bilder och extra blad.",
        f"The Excel file consists of {num_en(count)} parts (at most {num_en(limit)}). It is not an "
        f"ordinary filled-in template; use the template and remove pictures and extra sheets.",
        f"högst {num_sv(limit)} delar / at most {num_en(limit)} parts",
    )


def xlsx_too_large_uncompressed(size: int, limit: int) -> Msg:
    return Msg(
        "xlsx_too_large_uncompressed",
        f"Excel-filen packas upp till {size_sv(size)} (högst {size_sv(limit)}). Ta bort "
        f"bilder, extra blad och tomma formaterade rader, eller dela upp filen.",
        f"The Excel file unpacks to {size_en(size)} (at most {size_en(limit)}). Remove "
        f"pictures, extra sheets and empty formatted rows, or split the file.",
        f"högst {size_sv(limit)} uppackat / at most {size_en(limit)} unpacked",
    )


def xlsx_compression_ratio(part: str, ratio: float, limit: float) -> Msg:
    return Msg(
        "xlsx_compression_ratio",
        f"Excel-filens del '{part}' packas upp till {num_sv(round(ratio))} gånger sin packade "
        f"storlek (högst {num_sv(round(limit))}). Så packas bara en konstruerad fil (en "
        "zip-bomb). Spara mallen på nytt i Excel och skicka den igen.",
        f"The Excel file's part '{part}' unpacks to {num_en(round(ratio))} times its packed size "
        f"(at most {num_en(round(limit))}). Only a crafted file (a zip bomb) packs like that. "
        "Save the template again in Excel and send it again.",
        f"högst {num_sv(round(limit))} gånger / at most {num_en(round(limit))} times",
    )


def xlsx_part_too_large(part: str, size: int, limit: int) -> Msg:
    return Msg(
        "xlsx_part_too_large",
        f"Excel-filens del '{part}' är {size_sv(size)} uppackad (högst {size_sv(limit)}). Ta bort "
        f"formatering, bilder och extra blad, eller spara mallen på nytt i Excel.",
        f"The Excel file's part '{part}' is {size_en(size)} unpacked (at most {size_en(limit)}). "
        "Remove formatting, pictures and extra sheets, or save the template again in Excel.",
        f"högst {size_sv(limit)} per del / at most {size_en(limit)} per part",
    )


# What Excel cannot write (sources/file_limits.py checks each worksheet for these): sv, en.
_BAD_WORKSHEET = {
    "row_number": (
        "ett radnummer efter Excels sista rad ({sv})",
        "a row number beyond Excel's last row ({en})",
    ),
    "cells_in_row": (
        "en rad med fler än {sv} celler, Excels sista kolumn",
        "a row with more than {en} cells, Excel's last column",
    ),
    "elements_in_row": ("en rad med fler än {sv} element", "a row with more than {en} elements"),
    "cell_chars": (
        "en cell med fler än {sv} tecken, Excels gräns",
        "a cell with more than {en} characters, Excel's limit",
    ),
    "elements_outside_rows": (
        "fler än {sv} element utanför raderna",
        "more than {en} elements outside its rows",
    ),
    "doctype": (
        "en dokumenttypdeklaration (entiteter), som Excel aldrig skriver",
        "a document type declaration (entities), which Excel never writes",
    ),
}


def xlsx_bad_worksheet(part: str | None, reason: str, limit: float | None) -> Msg:
    sv, en = _BAD_WORKSHEET.get(reason, (reason, reason))
    figures = {"sv": num_sv(int(limit or 0)), "en": num_en(int(limit or 0))}
    return Msg(
        "xlsx_bad_worksheet",
        f"Excel-filens blad '{part}' kan inte vara skrivet av Excel: det har "
        f"{sv.format(**figures)}. Spara mallen på nytt i Excel och skicka den igen.",
        f"The Excel file's sheet '{part}' cannot have been written by Excel: it has "
        f"{en.format(**figures)}. Save the template again in Excel and send it again.",
        XLSX_EXPECTED,
    )


CSV_EXPECTED = (
    "en textfil i UTF-8 eller Windows-1252, fält åtskilda med semikolon / a text file in UTF-8 "
    "or Windows-1252, fields separated by semicolons"
)


def not_csv(reason: str) -> Msg:
    texts = {
        "xlsx": (
            "Filen heter .csv men är en Excel-arbetsbok. Byt filändelsen till .xlsx, eller spara "
            "den i Excel som CSV (semikolonavgränsad) (*.csv).",
            "The file is named .csv but is an Excel workbook. Change the extension to .xlsx, or "
            "save it in Excel as CSV (semicolon delimited) (*.csv).",
        ),
        "binary": (
            "Filen heter .csv men innehåller binära data, inte text. Spara den i Excel som "
            "CSV (semikolonavgränsad) (*.csv).",
            "The file is named .csv but contains binary data, not text. Save it in Excel as "
            "CSV (semicolon delimited) (*.csv).",
        ),
        "encoding": (
            "Filen kan inte läsas som text i UTF-8 eller Windows-1252. Spara den i Excel som "
            "CSV UTF-8 (*.csv).",
            "The file cannot be read as text in UTF-8 or Windows-1252. Save it in Excel as "
            "CSV UTF-8 (*.csv).",
        ),
    }
    sv, en = texts[reason]
    return Msg("not_csv", sv, en, CSV_EXPECTED)


def unsupported_encoding(name: str) -> Msg:
    return Msg(
        "unsupported_encoding",
        f"Filen är kodad som {name}, vilket inte läses. Spara den i Excel som CSV UTF-8 (*.csv).",
        f"The file is encoded as {name}, which is not read. Save it in Excel as CSV UTF-8 (*.csv).",
        CSV_EXPECTED,
    )


def too_many_fields(count: int, limit: int) -> Msg:
    return Msg(
        "too_many_columns",
        f"Raden har {num_sv(count)} fält (högst {num_sv(limit)}). Mallens avsnitt har färre "
        "kolumner: ta bort de extra fälten.",
        f"The line has {num_en(count)} fields (at most {num_en(limit)}). The template's sections "
        "have fewer columns: delete the extra fields.",
        f"högst {num_sv(limit)} fält / at most {num_en(limit)} fields",
    )


def field_too_long(limit: int) -> Msg:
    return Msg(
        "field_too_long",
        f"Fältet är längre än {num_sv(limit)} tecken. Korta texten.",
        f"The field is longer than {num_en(limit)} characters. Shorten the text.",
        f"högst {num_sv(limit)} tecken / at most {num_en(limit)} characters",
    )


def unreadable_csv(detail: str) -> Msg:
    return Msg(
        "unreadable_csv",
        f'CSV-filen kunde inte läsas ({detail}). Kontrollera citattecknen (") och spara filen '
        "på nytt i Excel som CSV (semikolonavgränsad) (*.csv).",
        f'The CSV file could not be read ({detail}). Check the quotation marks (") and save the '
        "file again from Excel as CSV (semicolon delimited) (*.csv).",
        CSV_EXPECTED,
    )


def wrong_separator(found: str) -> Msg:
    sv_name, en_name = {",": ("kommatecken (,)", "commas (,)"), "\t": ("tabbtecken", "tabs")}[found]
    return Msg(
        "wrong_separator",
        f"Filen använder {sv_name} som fältavgränsare. Mallen använder semikolon (;): spara i "
        "Excel som CSV (semikolonavgränsad), eller använd Excel-mallen (.xlsx).",
        f"The file separates fields with {en_name}. The template uses semicolons (;): save from "
        "Excel as CSV (semicolon delimited), or use the Excel template (.xlsx).",
        "semikolon (;) mellan fälten / semicolons (;) between fields",
    )


# --------------------------------------------------------------------------- sheets and headings


def _unit(csv: bool) -> tuple[str, str, str, str]:
    """(sheet word sv, en, 'bladet' / 'avsnittet')"""
    return (
        ("avsnittet", "section", "Avsnittet", "Section")
        if csv
        else ("bladet", "sheet", "Bladet", "Sheet")
    )


def missing_sheet(sheet: Sheet, found: list[str], csv: bool) -> Msg:
    if csv:
        heading_line = ";".join([sheet.name] + [c.heading for c in sheet.columns])
        return Msg(
            "missing_sheet",
            f"Avsnittet '{sheet.name}' saknas: ingen rad börjar med '{sheet.name}'. Lägg till "
            f"rubrikraden {heading_line}",
            f"The section '{sheet.name}' ({sheet.title_en}) is missing: no line starts with "
            f"'{sheet.name}'. Add the heading line {heading_line}",
            f"avsnittet '{sheet.name}' / the section '{sheet.name}'",
        )
    return Msg(
        "missing_sheet",
        f"Bladet '{sheet.name}' saknas. Arbetsboken har bladen {quoted_list(found) or '(inga)'}. "
        f"Använd mallen och behåll bladens namn.",
        f"The sheet '{sheet.name}' ({sheet.title_en}) is missing. The workbook has the sheets "
        f"{quoted_list(found) or '(none)'}. Use the template and keep the sheet names.",
        f"bladet '{sheet.name}' / the sheet '{sheet.name}'",
    )


def renamed_sheet(sheet: Sheet, found: str, csv: bool) -> Msg:
    if csv:
        return Msg(
            "renamed_sheet",
            f"Avsnittet heter '{found}' men ska heta '{sheet.name}'. Skriv '{sheet.name}' i "
            "första fältet på avsnittets rader.",
            f"The section is called '{found}' but must be called '{sheet.name}'. Write "
            f"'{sheet.name}' in the first field of the section's lines.",
            f"avsnittet '{sheet.name}' / the section '{sheet.name}'",
        )
    return Msg(
        "renamed_sheet",
        f"Bladet heter '{found}' men ska heta '{sheet.name}'. Byt namn på bladet till "
        f"'{sheet.name}'.",
        f"The sheet is called '{found}' but must be called '{sheet.name}' ({sheet.title_en}). "
        f"Rename the sheet to '{sheet.name}'.",
        f"bladet '{sheet.name}' / the sheet '{sheet.name}'",
    )


def unknown_sheet(name: str, known: list[str], csv: bool, lines: int = 0) -> Msg:
    expected = f"ett av: {plain_list(known)} / one of: {plain_list(known)}"
    if csv and not name:
        return Msg(
            "unknown_sheet",
            f"{lines} rad(er) har ett tomt första fält. Första fältet ska vara avsnittets namn, "
            f"ett av: {plain_list(known)}.",
            f"{lines} line(s) have an empty first field. The first field must be the section's "
            f"name, one of: {plain_list(known)}.",
            expected,
        )
    if csv:
        return Msg(
            "unknown_sheet",
            f"{lines} rad(er) börjar med '{name}', som inte är ett avsnitt i mallen. Första "
            f"fältet ska vara ett av: {plain_list(known)}.",
            f"{lines} line(s) start with '{name}', which is not a section of the template. The "
            f"first field must be one of: {plain_list(known)}.",
            expected,
        )
    return Msg(
        "unknown_sheet",
        f"Bladet '{name}' finns inte i mallen och läses inte. Flytta uppgifterna till rätt blad "
        "och ta bort bladet.",
        f"The sheet '{name}' is not part of the template and is not read. Move its contents to "
        "the right sheet and delete it.",
        expected,
    )


def missing_header_row(sheet: Sheet, csv: bool) -> Msg:
    headings = plain_list(c.heading for c in sheet.columns)
    if csv:
        return Msg(
            "missing_header_row",
            f"Avsnittet '{sheet.name}' saknar rubrikrad. Den första raden som börjar med "
            f"'{sheet.name}' ska ha rubrikerna: {headings}.",
            f"The section '{sheet.name}' has no heading line. The first line starting with "
            f"'{sheet.name}' must have the headings: {headings}.",
            f"rubrikerna {headings} / the headings {headings}",
        )
    return Msg(
        "missing_header_row",
        f"Bladet '{sheet.name}' saknar rubrikrad. Rad 1 ska ha rubrikerna: {headings} (som i "
        "mallen).",
        f"The sheet '{sheet.name}' has no heading row. Row 1 must have the headings: {headings} "
        f"(as in the template).",
        f"rubrikerna {headings} / the headings {headings}",
    )


def missing_column(column: Column, letter: str, found: list[tuple[str, str]]) -> Msg:
    shown = ", ".join(f"{at} '{h}'" for at, h in found) or "(inga)"
    shown_en = ", ".join(f"{at} '{h}'" for at, h in found) or "(none)"
    return Msg(
        "missing_column",
        f"Kolumnen '{column.heading}' saknas (i mallen står den i kolumn {letter}). Rubrikraden "
        f"har: {shown}. Lägg tillbaka kolumnen med rubriken '{column.heading}'.",
        f"The column '{column.heading}' is missing (the template has it in column {letter}). The "
        f"heading row has: {shown_en}. Put the column back with the heading '{column.heading}'.",
        f"rubriken '{column.heading}' / the heading '{column.heading}'",
    )


def renamed_column(column: Column, letter: str, found: str) -> Msg:
    return Msg(
        "renamed_column",
        f"I kolumn {letter} står rubriken '{found}', men mallen har '{column.heading}' här. Ändra "
        f"rubriken tillbaka till '{column.heading}'.",
        f"Column {letter} has the heading '{found}', but the template has '{column.heading}' "
        f"there. Change the heading back to '{column.heading}'.",
        f"rubriken '{column.heading}' / the heading '{column.heading}'",
    )


def duplicate_column(heading: str, first_letter: str, letter: str) -> Msg:
    return Msg(
        "duplicate_column",
        f"Rubriken '{heading}' finns i både kolumn {first_letter} och kolumn {letter}. Ta bort "
        "den ena.",
        f"The heading '{heading}' is in both column {first_letter} and column {letter}. Delete "
        "one of them.",
        f"rubriken '{heading}' en gång / the heading '{heading}' once",
    )


def unknown_column(sheet: Sheet, heading: str | None) -> Msg:
    known = plain_list(c.heading for c in sheet.columns)
    expected = f"bara mallens kolumner: {known} / only the template's columns: {known}"
    if not heading:
        return Msg(
            "unknown_column",
            "Kolumnen saknar rubrik men har värden. Flytta värdena till rätt kolumn i mallen "
            "(eller till 'Kommentar') och töm kolumnen.",
            "The column has no heading but has values. Move the values to the right column of the "
            "template (or to 'Kommentar', the comment) and clear the column.",
            expected,
        )
    return Msg(
        "unknown_column",
        f"Kolumnen '{heading}' finns inte i mallen och läses inte. Ta bort den, eller flytta "
        "innehållet till rätt kolumn (t.ex. 'Kommentar').",
        f"The column '{heading}' is not part of the template and is not read. Delete it, or move "
        "its contents to the right column (e.g. 'Kommentar', the comment).",
        expected,
    )


# Unit words a heading, a unit cell or a value may carry, mapped to the template's unit.
# word -> (the template unit family, factor the user must apply, sv verb, en verb)
UNIT_CONVERSIONS = {
    "kg": ("t", "dela med 1000", "divide by 1000"),
    "kilo": ("t", "dela med 1000", "divide by 1000"),
    "kilogram": ("t", "dela med 1000", "divide by 1000"),
    "g": ("t", "dela med 1 000 000", "divide by 1,000,000"),
    "kwh": ("MWh", "dela med 1000", "divide by 1000"),
    "gwh": ("MWh", "multiplicera med 1000", "multiply by 1000"),
    "tkr": ("SEK", "multiplicera med 1000", "multiply by 1000"),
    "ksek": ("SEK", "multiplicera med 1000", "multiply by 1000"),
    "mkr": ("SEK", "multiplicera med 1 000 000", "multiply by 1,000,000"),
    "msek": ("SEK", "multiplicera med 1 000 000", "multiply by 1,000,000"),
}


def wrong_unit(column: Column, word: str, where: str, found: str) -> Msg:
    """where: 'heading' (found is the heading), 'unit_column' (found is the unit cell), 'value'."""
    _, verb_sv, verb_en = UNIT_CONVERSIONS[word]
    code = "unit_kg" if UNIT_CONVERSIONS[word][0] == "t" else "wrong_unit"
    unit = column.unit or ""
    head = column.heading
    if where == "heading":
        sv = (
            f"Rubriken '{found}' anger enheten {word}, men '{head}' ska anges i {unit}. Räkna om "
            f"värdena ({verb_sv}) och ändra rubriken till '{head}'. Värdena räknas inte om "
            "automatiskt."
        )
        en = (
            f"The heading '{found}' gives the unit {word}, but '{head}' must be in {unit}. "
            f"Convert the values ({verb_en}) and change the heading to '{head}'. Values are "
            "never converted automatically."
        )
    elif where == "unit_column":
        sv = (
            f"Enheten är '{found}', men '{head}' ska anges i {unit}. Räkna om värdet "
            f"({verb_sv}), skriv det i kolumnen '{head}' och ta bort enhetskolumnen. Värdena "
            "räknas inte om automatiskt."
        )
        en = (
            f"The unit is '{found}', but '{head}' must be in {unit}. Convert the value "
            f"({verb_en}), write it in the column '{head}' and delete the unit column. Values "
            "are never converted automatically."
        )
    else:
        sv = (
            f"Värdet '{found}' är angivet i {word}, men '{head}' ska anges i {unit}. Räkna om "
            f"({verb_sv}) och skriv bara talet, utan enhet. Värdena räknas inte om automatiskt."
        )
        en = (
            f"The value '{found}' is given in {word}, but '{head}' must be in {unit}. Convert it "
            f"({verb_en}) and write only the number, without a unit. Values are never converted "
            "automatically."
        )
    return Msg(code, sv, en, f"ett tal i {unit} / a number in {unit}")


def too_many_rows(sheet: Sheet, limit: int) -> Msg:
    return Msg(
        "too_many_rows",
        f"'{sheet.name}' har fler än {num_sv(limit)} rader med uppgifter. Sammanfatta "
        "uppgifterna (t.ex. per kategori) eller dela upp filen.",
        f"'{sheet.name}' has more than {num_en(limit)} rows of data. Summarise the figures (e.g. "
        "per category) or split the file.",
        f"högst {num_sv(limit)} rader / at most {num_en(limit)} rows",
    )


def no_rows(sheet: Sheet) -> Msg:
    if sheet.single_row:
        return Msg(
            "no_rows",
            f"'{sheet.name}' har ingen rad med uppgifter. Fyll i rad 2 (partner, rapportår, "
            "kontaktperson, e-post, datum).",
            f"'{sheet.name}' has no row of data. Fill in row 2 (partner, reporting year, contact "
            "person, e-mail, date).",
            "en ifylld rad / one filled-in row",
        )
    return Msg(
        "no_rows",
        f"'{sheet.name}' har inga rader med uppgifter. Rapportera minst en rad.",
        f"'{sheet.name}' ({sheet.title_en}) has no rows of data. Report at least one row.",
        "minst en ifylld rad / at least one filled-in row",
    )


def too_many_problems(limit: int) -> Msg:
    return Msg(
        "too_many_problems",
        f"Fler än {num_sv(limit)} problem: bara de {num_sv(limit)} första visas. Rätta dem (ofta "
        "har de en gemensam orsak, t.ex. en kolumn eller en enhet) och kontrollera filen igen.",
        f"More than {num_en(limit)} problems: only the first {num_en(limit)} are shown. Fix them "
        "(they often share one cause, e.g. a column or a unit) and check the file again.",
        f"högst {num_sv(limit)} problem / at most {num_en(limit)} problems",
    )


def extra_organisation_row(first_row: int) -> Msg:
    return Msg(
        "extra_organisation_row",
        f"'Organisation' ska ha en enda rad med uppgifter (rad {first_row}), men den här raden "
        "har också värden. Ta bort raden; en fil gäller en partner och ett år.",
        f"'Organisation' must have one single row of data (row {first_row}), but this row has "
        "values too. Delete the row; one file is for one partner and one year.",
        "en enda rad / one single row",
    )


# --------------------------------------------------------------------------- cells


def expected_for(column: Column, today_year: int) -> str:
    unit_sv = f" i {column.unit}" if column.unit else ""
    unit_en = f" in {column.unit}" if column.unit else ""
    req = "" if column.required else " (eller tomt / or empty)"
    if column.key == "partner_id":
        return "ett partner-id ur partnerregistret / a partner id from the partner registry"
    if column.kind is Kind.YEAR:
        last = today_year if not column.future_years else today_year + START_YEAR_HORIZON
        return f"ett årtal {FIRST_YEAR}–{last} / a year {FIRST_YEAR}–{last}{req}"
    if column.kind is Kind.INTEGER and column.allowed:
        return f"ett av {plain_list(column.allowed)} / one of {plain_list(column.allowed)}{req}"
    if column.kind in (Kind.DECIMAL, Kind.INTEGER):
        low = "" if column.minimum is None else f" ≥ {num_en(column.minimum)}"
        return f"ett tal{low}{unit_sv} / a number{low}{unit_en}{req}"
    if column.kind is Kind.CHOICE:
        return f"ett av: {plain_list(column.allowed)} / one of: {plain_list(column.allowed)}{req}"
    if column.kind is Kind.YES_NO:
        return f"ja eller nej / ja (yes) or nej (no){req}"
    if column.kind is Kind.DATE:
        return f"ett datum ÅÅÅÅ-MM-DD / a date YYYY-MM-DD{req}"
    if column.kind is Kind.EMAIL:
        return (
            f"en e-postadress, t.ex. namn@exempel.se / an e-mail address, e.g. name@example.se{req}"
        )
    return f"text{req}" if not column.required else "text (obligatorisk) / text (required)"


def missing_value(column: Column) -> Msg:
    return Msg(
        "missing_value",
        f"Värde saknas: '{column.heading}' måste fyllas i.",
        f"Missing value: '{column.heading}' is required.",
    )


def formula(text: str) -> Msg:
    return Msg(
        "formula",
        f"Cellen innehåller formeln '{text}'. Formler räknas inte ut vid inläsningen; skriv in "
        "själva värdet (kopiera cellen och klistra in som värden).",
        f"The cell contains the formula '{text}'. Formulas are not evaluated when the file is "
        "read; type the value itself (copy the cell and paste as values).",
    )


def not_a_number(text: str) -> Msg:
    return Msg(
        "not_a_number",
        f"'{text}' är inte ett tal. Skriv bara ett tal, utan enhet eller annan text.",
        f"'{text}' is not a number. Write only a number, without a unit or other text.",
    )


def non_ascii_digits(text: str) -> Msg:
    script = foreign_digits(text) or "non-ASCII"
    written = ascii_digits(text)
    return Msg(
        "non_ascii_digits",
        f"'{text}' är skrivet med andra siffror än 0–9 ({script}). Skriv det med siffrorna 0–9: "
        f"{written}.",
        f"'{text}' is written with digits other than 0–9 ({script}). Write it with the digits "
        f"0–9: {written}.",
        "siffrorna 0–9 / the digits 0–9",
    )


def not_finite(text: str) -> Msg:
    return Msg(
        "not_finite",
        f"'{text}' är inte ett ändligt tal. Skriv talet med siffror.",
        f"'{text}' is not a finite number. Write the number in digits.",
    )


def unsafe_text(text: str) -> Msg:
    return Msg(
        "unsafe_text",
        f"Texten '{printable(text)}' innehåller ett styrtecken eller ett osynligt tecken. Skriv "
        "bara vanlig text.",
        f"The text '{printable(text)}' contains a control or invisible character. Write plain "
        "text only.",
        "vanlig text / plain text",
    )


def number_as_text(text: str) -> Msg:
    return Msg(
        "number_as_text",
        f"'{text}' är sparat som text, inte som ett tal. Ändra cellens format till Tal eller "
        "Allmänt och skriv in talet igen.",
        f"'{text}' is stored as text, not as a number. Change the cell's format to Number or "
        "General and type the number again.",
    )


def decimal_comma_in_xlsx(text: str) -> Msg:
    point = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    return Msg(
        "decimal_comma",
        f"'{text}' är sparat som text (med decimalkomma), inte som ett tal. Ändra cellens format "
        f"till Tal eller Allmänt och skriv in talet igen: {text} i svenskt Excel, {point} i "
        "engelskt Excel.",
        f"'{text}' is stored as text (with a decimal comma), not as a number. Change the cell's "
        f"format to Number or General and type the number again: {text} in Swedish Excel, "
        f"{point} in English Excel.",
    )


def decimal_point_in_csv(text: str) -> Msg:
    comma = text.replace(".", ",")
    return Msg(
        "decimal_point",
        f"'{text}' har decimalpunkt. I CSV-filen skrivs decimaltal med decimalkomma: {comma} "
        "(och inga tusentalspunkter).",
        f"'{text}' has a decimal point. In the CSV file decimals are written with a decimal "
        f"comma: {comma} (and no thousands points).",
    )


def not_a_whole_number(text: str) -> Msg:
    return Msg(
        "not_a_whole_number", f"'{text}' är inte ett heltal.", f"'{text}' is not a whole number."
    )


def negative_value(number: float, column: Column) -> Msg:
    hint_sv = column.negative_hint_sv or "Ange ett tal som är 0 eller större."
    hint_en = column.negative_hint_en or "Give a number that is 0 or more."
    return Msg(
        "negative_value",
        f"'{column.heading}' får inte vara negativ ({dec_sv(number)}). {hint_sv}",
        f"'{column.heading}' must not be negative ({dec_en(number)}). {hint_en}",
    )


def invalid_choice(text: str, column: Column) -> Msg:
    allowed = plain_list(column.allowed)
    return Msg(
        "invalid_choice",
        f"'{text}' är inte ett tillåtet värde för '{column.heading}'. Välj ett av: {allowed}.",
        f"'{text}' is not an allowed value for '{column.heading}'. Choose one of: {allowed}.",
    )


def invalid_date(text: str) -> Msg:
    return Msg(
        "invalid_date",
        f"'{text}' är inte ett datum i formen ÅÅÅÅ-MM-DD. Skriv t.ex. 2026-03-31.",
        f"'{text}' is not a date in the form YYYY-MM-DD. Write e.g. 2026-03-31.",
    )


def date_in_future(text: str, today: str) -> Msg:
    return Msg(
        "date_in_future",
        f"Datumet {text} ligger efter dagens datum ({today}).",
        f"The date {text} is after today's date ({today}).",
    )


def invalid_email(text: str) -> Msg:
    return Msg(
        "invalid_email",
        f"'{text}' är ingen giltig e-postadress. Skriv t.ex. namn@foretag.se.",
        f"'{text}' is not a valid e-mail address. Write e.g. name@company.se.",
    )


def unknown_partner(text: str, partners: list[str]) -> Msg:
    return Msg(
        "unknown_partner",
        f"Partner-id '{text}' finns inte i partnerregistret. Använd id:t som står i mallen. "
        f"Giltiga id: {plain_list(partners)}.",
        f"The partner id '{text}' is not in the partner registry. Use the id pre-filled in the "
        f"template. Valid ids: {plain_list(partners)}.",
    )


def year_in_future(year: int, today_year: int) -> Msg:
    return Msg(
        "year_in_future",
        f"Rapportåret {year} ligger i framtiden (i år är det {today_year}). Rapportera ett år "
        "som har börjat, oftast förra året.",
        f"The reporting year {year} is in the future (this year is {today_year}). Report a year "
        "that has begun, usually last year.",
    )


def year_before_1990(year: int) -> Msg:
    return Msg(
        "year_before_1990",
        f"Året {year} ligger före 1990, det första året i Borlänges utsläppsstatistik.",
        f"The year {year} is before 1990, the first year of Borlänge's emission statistics.",
    )


def year_out_of_range(year: int, last: int) -> Msg:
    return Msg(
        "year_out_of_range",
        f"Året {year} ligger för långt fram; ange ett år senast {last}.",
        f"The year {year} is too far ahead; give a year no later than {last}.",
    )


def duplicate_row(first_row: int, keys: list[Column], values: list[str]) -> Msg:
    names = (
        " och ".join([", ".join(f"'{c.heading}'" for c in keys[:-1]), f"'{keys[-1].heading}'"])
        if len(keys) > 1
        else f"'{keys[0].heading}'"
    )
    names_en = (
        " and ".join([", ".join(f"'{c.heading}'" for c in keys[:-1]), f"'{keys[-1].heading}'"])
        if len(keys) > 1
        else f"'{keys[0].heading}'"
    )
    shown = ", ".join(values)
    return Msg(
        "duplicate_row",
        f"Raden är en dubblett av rad {first_row}: samma {names} ({shown}). Slå ihop raderna "
        "eller ändra den ena.",
        f"The row duplicates row {first_row}: the same {names_en} ({shown}). Merge the rows or "
        "change one of them.",
        f"unika värden i {names} / unique values of {names_en}",
    )


def scope2_without_method(column: Column) -> Msg:
    return Msg(
        "scope2_without_method",
        f"Scope 2 kräver en metod: skriv i '{column.heading}' om siffran är marknadsbaserad eller "
        f"platsbaserad (och gärna vilken emissionsfaktor som använts).",
        f"Scope 2 requires a method: write in '{column.heading}' whether the figure is "
        "market-based (marknadsbaserad) or location-based (platsbaserad), ideally with the "
        "emission factor used.",
        "marknadsbaserad eller platsbaserad / market-based or location-based",
    )


# --------------------------------------------------------------------------- the plan's columns


def missing_plan_value(column: Column, activity: str) -> Msg:
    return Msg(
        "missing_plan_value",
        f"Värde saknas: en åtgärd som ändrar aktiviteten '{activity}' behöver '{column.heading}'.",
        f"Missing value: an action that changes the activity '{activity}' needs "
        f"'{column.heading}'.",
    )


def plan_value_without_activity(column: Column, activity_heading: str) -> Msg:
    return Msg(
        "plan_value_without_activity",
        f"'{column.heading}' är ifylld men '{activity_heading}' är tom: ange vilken aktivitet "
        f"åtgärden ändrar, eller lämna scenariokolumnerna tomma.",
        f"'{column.heading}' is filled in but '{activity_heading}' is empty: give the activity the "
        f"action changes, or leave the scenario columns empty.",
        f"ett aktivitets-id i '{activity_heading}' / an activity id in '{activity_heading}'",
    )


def effect_out_of_order(low: float, central: float, high: float) -> Msg:
    return Msg(
        "effect_range_order",
        f"Effekt central ({num_sv(central)}) ligger inte mellan låg ({num_sv(low)}) och hög "
        f"({num_sv(high)}).",
        f"The central effect ({num_en(central)}) is not between low ({num_en(low)}) and high "
        f"({num_en(high)}).",
        "låg ≤ central ≤ hög (eller omvänt) / low ≤ central ≤ high (or the reverse)",
    )


def effect_out_of_range(column: Column, change: str, value: float) -> Msg:
    if change == "bränslebyte":
        return Msg(
            "effect_out_of_range",
            f"'{column.heading}' är {num_sv(value)}: "
            "ett bränslebyte flyttar en andel mellan 0 och 1.",
            f"'{column.heading}' is {num_en(value)}: a fuel switch moves a share between 0 and 1.",
            "en andel 0–1 / a share 0–1",
        )
    return Msg(
        "effect_out_of_range",
        f"'{column.heading}' är {num_sv(value)}: en relativ minskning kan inte vara större än "
        f"hela aktiviteten (-1 = 100 %).",
        f"'{column.heading}' is {num_en(value)}: a relative cut cannot be more than the whole "
        f"activity (-1 = 100 %).",
        "ett tal ≥ -1 / a number ≥ -1",
    )


def end_before_start(column: Column, start: int, end: int) -> Msg:
    return Msg(
        "end_before_start",
        f"'{column.heading}' ({end}) är före startåret ({start}).",
        f"'{column.heading}' ({end}) is before the start year ({start}).",
        f"ett årtal ≥ {start} / a year ≥ {start}",
    )


def missing_status_reason(column: Column) -> Msg:
    return Msg(
        "missing_status_reason",
        f"En avbruten åtgärd behöver ett skäl i '{column.heading}'.",
        f"A cancelled (avbruten) action needs a reason in '{column.heading}'.",
    )


def kpi_without_reference(column: Column, kind: str) -> Msg:
    return Msg(
        "kpi_without_reference",
        f"Indikatortypen är {kind} men '{column.heading}' är tom: ange Kolada-id, kundkategori "
        f"eller namnet på siffran.",
        f"The indicator kind is {kind} but '{column.heading}' is empty: give the Kolada id, the "
        f"customer category or the figure's name.",
    )


def above_maximum(column: Column, maximum: float, value: float) -> Msg:
    return Msg(
        "above_maximum",
        f"'{column.heading}' är {num_sv(value)}: högst {num_sv(maximum)}.",
        f"'{column.heading}' is {num_en(value)}: at most {num_en(maximum)}.",
        f"högst {num_sv(maximum)} / at most {num_en(maximum)}",
    )


def invalid_gpc_ref(text: str) -> Msg:
    return Msg(
        "invalid_gpc_ref",
        f"'{text}' är ingen GPC-referens: skriv t.ex. I.3.1 eller II.1.1.",
        f"'{text}' is not a GPC reference: write e.g. I.3.1 or II.1.1.",
        "I.3.1, II.1.1 …",
    )
