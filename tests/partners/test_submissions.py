"""Partner submissions: one schema drives the template and the validator.

Every error class with its exact message (Swedish and English), a file with several problems
reporting all of them, the CLI (exit codes and output) and the round trip: the generated
template, filled programmatically with valid values (formula- and SQL-looking text included),
validates and parses back to exactly the values written, for both the xlsx and the csv.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines import cli
from sources.file_limits import DEFAULT_LIMITS
from sources.partner_submissions import (
    SHEET_BY_KEY,
    SHEETS,
    Limits,
    build_workbook,
    format_report,
    load_partners,
    template_csv_text,
    validate_file,
    validate_submission,
    write_template,
)
from sources.partner_submissions import tables as tables_module
from sources.partner_submissions import validate as validate_module
from tests.helpers import REPO
from tests.helpers import SUBMISSION_FIXTURES as FIXTURES


def borlange_partners(argv: list[str]) -> int:
    return cli.main(["partners", *argv])


TODAY = date(2026, 6, 1)
PARTNERS = set(load_partners())
FORMULA_LIKE = "=cmd|' /C calc'!A0"
SQL_LIKE = "'; drop table x; --"

ORGANISATION = {
    "partner_id": "ssab",
    "reporting_year": 2025,
    "contact_name": "Anna Andersson",
    "contact_email": "anna.andersson@example.com",
    "submitted_date": date(2026, 3, 31),
}
EMISSIONS = [
    {
        "scope": 1,
        "category": "Fordon",
        "tonnes_co2e": 12.5,
        "method": "Bränsle × emissionsfaktor",
        "inside_territory": True,
        "comment": FORMULA_LIKE,
    },
    {
        "scope": 2,
        "category": "El",
        "tonnes_co2e": 1234.75,
        "method": "marknadsbaserad",
        "inside_territory": True,
        "comment": None,
    },
    {
        "scope": 3,
        "category": "Tjänsteresor",
        "tonnes_co2e": 0.0,
        "method": None,
        "inside_territory": False,
        "comment": SQL_LIKE,
    },
]
ENERGY = [
    {"energy_carrier": "fjärrvärme", "mwh": 850.0, "supplier": "Borlänge Energi", "comment": None},
    {"energy_carrier": "HVO", "mwh": 12.25, "supplier": SQL_LIKE, "comment": "=1+1"},
]
ACTIONS = [
    {
        "action_id": "A1",
        "title": "HVO i lastbilar",
        "status": "pågående",
        "start_year": 2024,
        "investment_sek": 1500000.0,
        "expected_annual_reduction_t": 120.0,
        "realised_reduction_t": 35.5,
        "comment": None,
    },
    {
        "action_id": "A2",
        "title": FORMULA_LIKE,
        "status": "planerad",
        "start_year": 2027,
        "investment_sek": 0.0,
        "expected_annual_reduction_t": 8.5,
        "realised_reduction_t": None,
        "comment": SQL_LIKE,
    },
]
REMOVALS = [
    {
        "removal_type": "biokol",
        "tonnes_co2": 4.2,
        "method": "EBC-certifierad biokol",
        "permanence": "100–1000 år",
        "comment": None,
    },
]
VALID = {
    "organisation": [ORGANISATION],
    "emissions": EMISSIONS,
    "energy": ENERGY,
    "actions": ACTIONS,
    "removals": REMOVALS,
}


# --------------------------------------------------------------------------- helpers


def set_cell(cell, value) -> None:
    """As a person would type it: ja/nej for booleans; text stays text even when it starts with
    '='."""
    if isinstance(value, bool):
        value = "ja" if value else "nej"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def put_rows(ws, key: str, records: list[dict], first_row: int = 2) -> None:
    for row, record in enumerate(records, start=first_row):
        for col, column in enumerate(SHEET_BY_KEY[key].columns, start=1):
            set_cell(ws.cell(row=row, column=col), record.get(column.key))


def filled_workbook(records: dict = VALID) -> openpyxl.Workbook:
    workbook = build_workbook("ssab", 2025, "SSAB (Domnarvet)")
    for sheet in SHEETS:
        put_rows(workbook[sheet.name], sheet.key, records.get(sheet.key, []))
    return workbook


def check(root: Path, name: str, *, limits: Limits = DEFAULT_LIMITS, partners: set[str] = PARTNERS):
    return validate_submission(name, root=root, partners=partners, today=TODAY, limits=limits)


def xlsx_report(
    tmp_path: Path, edit=None, records: dict = VALID, name: str = "ssab_2025.xlsx", **kwargs
):
    workbook = filled_workbook(records)
    if edit is not None:
        edit(workbook)
    workbook.save(tmp_path / name)
    return check(tmp_path, name, **kwargs)


def csv_field(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def csv_record(sheet_name: str, fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([sheet_name, *fields])
    return buffer.getvalue()


def fill_csv_template(template: str, records: dict = VALID) -> str:
    """The template text with a record line under each section's heading line (Organisation
    replaced)."""
    out = []
    for line in template.splitlines(keepends=True):
        if line.startswith("Organisation;ssab;"):
            continue  # the pre-filled record, replaced by the full one below
        out.append(line)
        for sheet in SHEETS:
            if line.startswith(f"{sheet.name};{sheet.columns[0].heading};"):
                out += [
                    csv_record(sheet.name, [csv_field(r.get(c.key)) for c in sheet.columns])
                    for r in records.get(sheet.key, [])
                ]
    return "".join(out)


def csv_text(records: dict = VALID) -> str:
    return fill_csv_template(template_csv_text("ssab", 2025), records)


def csv_report(
    tmp_path: Path, text: str, name: str = "ssab_2025.csv", encoding: str = "utf-8-sig", **kwargs
):
    (tmp_path / name).write_bytes(text.encode(encoding))
    return check(tmp_path, name, **kwargs)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def the(report, code: str):
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, [(p.code, p.sheet, p.row, p.message) for p in report.problems]
    return found[0]


def only(report, code: str):
    assert [p.code for p in report.problems] == [code], [
        (p.code, p.message) for p in report.problems
    ]
    return report.problems[0]


def where(problem) -> tuple:
    return problem.sheet, problem.row, problem.column, problem.column_letter, problem.value


def assert_parsed_as_written(submission) -> None:
    assert (submission.partner_id, submission.year) == ("ssab", 2025)
    assert submission.organisation == ORGANISATION
    for key in ("emissions", "energy", "actions", "removals"):
        frame = submission.frames[key]
        assert frame.columns == SHEET_BY_KEY[key].keys
        # the plan's columns (left empty here) come back as nulls
        written = [{k: record.get(k) for k in SHEET_BY_KEY[key].keys} for record in VALID[key]]
        assert frame.to_dicts() == written, key
    assert submission.emissions["comment"].to_list() == [FORMULA_LIKE, None, SQL_LIKE]
    assert submission.actions["title"].to_list() == ["HVO i lastbilar", FORMULA_LIKE]
    assert dict(submission.emissions.schema) == {
        "scope": pl.Int64,
        "category": pl.String,
        "tonnes_co2e": pl.Float64,
        "method": pl.String,
        "inside_territory": pl.Boolean,
        "comment": pl.String,
    }
    assert submission.energy.schema["energy_carrier"] == pl.Enum(
        ["el", "fjärrvärme", "diesel", "bensin", "HVO", "biogas", "eldningsolja", "annat"]
    )
    assert submission.actions.schema["start_year"] == pl.Int64
    assert submission.actions.schema["status"] == pl.Enum(
        ["planerad", "beslutad", "pågående", "genomförd", "avbruten"]
    )
    assert submission.removals.schema["permanence"] == pl.Enum(
        ["under 100 år", "100–1000 år", "över 1000 år"]
    )


# --------------------------------------------------------------------------- the template


def test_cli_template_writes_the_workbook_and_the_csv_from_the_schema(tmp_path, capsys):
    assert (
        borlange_partners(
            ["template", "--partner", "ssab", "--year", "2025", "--out", str(tmp_path)]
        )
        == 0
    )
    assert capsys.readouterr().out.split() == [
        str(tmp_path / "ssab_2025.xlsx"),
        str(tmp_path / "ssab_2025.csv"),
    ]

    workbook = openpyxl.load_workbook(tmp_path / "ssab_2025.xlsx")
    assert workbook.sheetnames == [
        "Instruktioner",
        "Organisation",
        "Utsläpp",
        "Energi",
        "Åtgärder",
        "Kolupptag",
    ]
    instructions = [c.value for c in workbook["Instruktioner"]["A"] if c.value]
    assert instructions[0] == "Klimatneutrala Borlänge 2030 – inrapportering"
    assert (
        "English" in instructions
        and "Partner: SSAB (Domnarvet) – ssab   ·   Rapportår: 2025" in instructions
    )
    for sheet in SHEETS:
        ws = workbook[sheet.name]
        assert [c.value for c in ws[1]] == [c.heading for c in sheet.columns]
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            assert column.help_sv in cell.comment.text and column.help_en in cell.comment.text
    assert [c.value for c in workbook["Organisation"][2]][:2] == ["ssab", 2025]
    assert "Utsläpp (t CO2e)" in [c.value for c in workbook["Utsläpp"][1]]
    assert "Energianvändning (MWh)" in [c.value for c in workbook["Energi"][1]]
    assert "Investering (SEK)" in [c.value for c in workbook["Åtgärder"][1]]

    def validations(name):
        return {
            str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
            for dv in workbook[name].data_validations.dataValidation
        }

    emissions = validations("Utsläpp")
    assert emissions["A2:A501"] == ("list", None, '"1,2,3"', None)
    assert emissions["C2:C501"] == ("decimal", "greaterThanOrEqual", "0", None)
    assert emissions["E2:E501"] == ("list", None, '"ja,nej"', None)
    assert (
        validations("Energi")["A2:A501"][2]
        == '"el,fjärrvärme,diesel,bensin,HVO,biogas,eldningsolja,annat"'
    )
    actions = validations("Åtgärder")
    assert actions["C2:C501"][2] == '"planerad,beslutad,pågående,genomförd,avbruten"'
    assert actions["D2:D501"] == ("whole", "between", "1990", "2100")
    assert actions["E2:E501"] == ("decimal", "greaterThanOrEqual", "0", None)
    assert validations("Kolupptag")["D2:D501"][2] == '"under 100 år,100–1000 år,över 1000 år"'
    assert validations("Organisation")["B2"] == ("whole", "between", "1990", "2100")
    assert all(
        len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
        for ws in workbook.worksheets
        for dv in ws.data_validations.dataValidation
    )

    raw = (tmp_path / "ssab_2025.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel shows å, ä, ö right
    lines = raw.decode("utf-8-sig").splitlines()
    for sheet in SHEETS:
        assert ";".join([sheet.name] + [c.heading for c in sheet.columns]) in lines
    assert "Organisation;ssab;2025;;;" in lines
    assert all(
        line.startswith("# ")
        for line in lines[
            : lines.index("Organisation;Partner-id;Rapportår;Kontaktperson;E-post;Inlämningsdatum")
        ]
    )


def test_cli_template_refuses_an_unknown_partner_and_a_future_year(tmp_path, capsys):
    assert (
        borlange_partners(
            ["template", "--partner", "volvo", "--year", "2025", "--out", str(tmp_path)]
        )
        == 2
    )
    assert "unknown partner 'volvo'" in capsys.readouterr().err
    assert (
        borlange_partners(
            ["template", "--partner", "ssab", "--year", "2999", "--out", str(tmp_path)]
        )
        == 2
    )
    assert "year 2999 must be between 1990 and" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- the round trip


def test_round_trip_xlsx_the_filled_template_parses_to_the_values_written(tmp_path):
    xlsx, _ = write_template("ssab", 2025, tmp_path)
    workbook = openpyxl.load_workbook(xlsx)
    for sheet in SHEETS:
        put_rows(workbook[sheet.name], sheet.key, VALID[sheet.key])
    workbook.save(xlsx)
    report = check(tmp_path, xlsx.name)
    assert report.ok, format_report(report)
    assert report.problems == []
    assert_parsed_as_written(report.submission)
    assert report.submission.file_format == "xlsx" and len(report.submission.sha256) == 64


def test_round_trip_csv_the_filled_template_parses_to_the_values_written(tmp_path):
    _, csv_path = write_template("ssab", 2025, tmp_path)
    text = fill_csv_template(csv_path.read_text(encoding="utf-8-sig"))
    assert f'"{SQL_LIKE}"' in text  # it holds a ';', so it is quoted
    csv_path.write_text(text, encoding="utf-8-sig")
    report = check(tmp_path, csv_path.name)
    assert report.ok, format_report(report)
    assert_parsed_as_written(report.submission)
    assert report.submission.file_format == "csv"


def test_a_csv_saved_by_excel_in_windows_1252_reads_the_same(tmp_path):
    report = csv_report(tmp_path, csv_text(), encoding="cp1252")
    assert report.ok, format_report(report)
    assert_parsed_as_written(report.submission)


def test_the_committed_csv_example_is_valid():
    report = validate_submission("ikea_2025.csv", root=FIXTURES, partners=PARTNERS, today=TODAY)
    assert report.ok, format_report(report)
    assert report.submission.energy["mwh"].to_list() == [1250.5]  # "1 250,5": thousands by a space
    assert report.submission.emissions["tonnes_co2e"].to_list() == [41.5, 12.25, 3.0]


# --------------------------------------------------------------------------- the command line


def test_cli_validate_exits_0_with_a_short_summary_for_a_valid_file(tmp_path, capsys):
    filled_workbook().save(tmp_path / "ssab_2025.xlsx")
    assert (
        borlange_partners(["validate", str(tmp_path / "ssab_2025.xlsx"), "--today", "2026-06-01"])
        == 0
    )
    assert capsys.readouterr().out == (
        "OK: ssab_2025.xlsx – ssab, rapportår / reporting year 2025. Inga problem / no problems.\n"
        "    Rader / rows: Utsläpp 3, Energi 2, Åtgärder 2, Kolupptag 1\n"
    )


def test_cli_validate_exits_1_and_prints_every_problem_in_both_languages(tmp_path, capsys):
    def edit(wb):
        wb["Utsläpp"]["C2"] = -5
        wb["Utsläpp"]["D3"] = None
        wb["Energi"]["A2"] = "kol"

    workbook = filled_workbook()
    edit(workbook)
    workbook.save(tmp_path / "ssab_2025.xlsx")
    assert (
        borlange_partners(["validate", str(tmp_path / "ssab_2025.xlsx"), "--today", "2026-06-01"])
        == 1
    )
    out = capsys.readouterr().out
    assert out.startswith("ssab_2025.xlsx: 3 problem hittades / 3 problems found\n\n")
    assert (
        "[1] Fil / file 'ssab_2025.xlsx', Blad / sheet 'Utsläpp', rad / row 2, kolumn / column C "
        "'Utsläpp (t CO2e)', värde / value '-5'\n    SV: 'Utsläpp (t CO2e)' får inte vara "
        "negativ (-5). Utsläpp kan inte vara negativa; rapportera kolupptag på bladet "
        "'Kolupptag'.\n    EN: 'Utsläpp (t CO2e)' must not be negative (-5). Emissions cannot be "
        "negative; report carbon removals on the sheet 'Kolupptag' (carbon removals).\n    "
        "Förväntat / expected: ett tal ≥ 0 i t CO2e / a number ≥ 0 in t CO2e\n    Kod / code: "
        "negative_value\n"
    ) in out
    assert (
        "[2] Fil / file 'ssab_2025.xlsx', Blad / sheet 'Utsläpp', rad / row 3, kolumn / column D "
        "'Metod'\n" in out
    )
    assert "    Kod / code: scope2_without_method\n" in out
    assert (
        "[3] Fil / file 'ssab_2025.xlsx', Blad / sheet 'Energi', rad / row 2, kolumn / column A "
        "'Energibärare', värde / value 'kol'\n"
    ) in out
    assert out.endswith(
        "Filen godtogs inte. Rätta problemen ovan och skicka filen igen. / "
        "The file was not accepted. Fix the problems above and send the file again.\n"
    )


def test_cli_validate_json_and_the_module_entry_point(tmp_path):
    (tmp_path / "ssab_2025.csv").write_text(
        csv_text().replace("12,5", "12.5"), encoding="utf-8-sig"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "partners",
            "validate",
            "--json",
            "--today",
            "2026-06-01",
            str(tmp_path / "ssab_2025.csv"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and [p["code"] for p in report["problems"]] == ["decimal_point"]
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "partners",
            "validate",
            "--today",
            "2026-06-01",
            str(FIXTURES / "ikea_2025.csv"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and ok.stdout.startswith("OK: ikea_2025.csv – ikea"), (
        ok.stdout + ok.stderr
    )


# ---------------------------------------------------------------------- organisation: partner, year


def test_unknown_partner(tmp_path):
    records = {**VALID, "organisation": [{**ORGANISATION, "partner_id": "volvo"}]}
    problem = only(
        xlsx_report(tmp_path, records=records, partners={"ssab", "ikea"}), "unknown_partner"
    )
    assert where(problem) == ("Organisation", 2, "Partner-id", "A", "volvo")
    assert problem.message_sv == (
        "Partner-id 'volvo' finns inte i partnerregistret. Använd id:t som står i "
        "mallen. Giltiga id: ikea, ssab."
    )
    assert problem.message == (
        "The partner id 'volvo' is not in the partner registry. Use the id pre-filled "
        "in the template. Valid ids: ikea, ssab."
    )
    assert (
        problem.expected
        == "ett partner-id ur partnerregistret / a partner id from the partner registry"
    )


def test_a_reporting_year_in_the_future(tmp_path):
    records = {**VALID, "organisation": [{**ORGANISATION, "reporting_year": 2027}]}
    problem = only(xlsx_report(tmp_path, records=records), "year_in_future")
    assert where(problem) == ("Organisation", 2, "Rapportår", "B", "2027")
    assert problem.message_sv == (
        "Rapportåret 2027 ligger i framtiden (i år är det 2026). Rapportera ett år som "
        "har börjat, oftast förra året."
    )
    assert problem.message == (
        "The reporting year 2027 is in the future (this year is 2026). Report a year "
        "that has begun, usually last year."
    )
    assert problem.expected == "ett årtal 1990–2026 / a year 1990–2026"
    this_year = {**VALID, "organisation": [{**ORGANISATION, "reporting_year": 2026}]}
    assert xlsx_report(tmp_path, records=this_year).ok


def test_a_year_before_1990(tmp_path):
    records = {
        **VALID,
        "organisation": [{**ORGANISATION, "reporting_year": 1989}],
        "actions": [{**ACTIONS[0], "start_year": 1985}],
    }
    report = xlsx_report(tmp_path, records=records)
    assert [p.code for p in report.problems] == ["year_before_1990", "year_before_1990"]
    first, second = report.problems
    assert where(first) == ("Organisation", 2, "Rapportår", "B", "1989")
    assert (
        first.message_sv
        == "Året 1989 ligger före 1990, det första året i Borlänges utsläppsstatistik."
    )
    assert (
        first.message
        == "The year 1989 is before 1990, the first year of Borlänge's emission statistics."
    )
    assert where(second) == ("Åtgärder", 2, "Startår", "D", "1985")


# --------------------------------------------------------------------------- sheets and columns


def test_a_missing_column_names_the_expected_heading_and_what_was_found(tmp_path):
    problem = only(xlsx_report(tmp_path, lambda wb: wb["Utsläpp"].delete_cols(4)), "missing_column")
    assert where(problem) == ("Utsläpp", 1, "Metod", "D", "Inom kommunen")
    assert problem.message_sv == (
        "Kolumnen 'Metod' saknas (i mallen står den i kolumn D). Rubrikraden har: A 'Scope', B "
        "'Kategori', C 'Utsläpp (t CO2e)', D 'Inom kommunen', E 'Kommentar'. Lägg tillbaka "
        "kolumnen med rubriken 'Metod'."
    )
    assert problem.message == (
        "The column 'Metod' is missing (the template has it in column D). The heading row has: A "
        "'Scope', B 'Kategori', C 'Utsläpp (t CO2e)', D 'Inom kommunen', E 'Kommentar'. Put the "
        "column back with the heading 'Metod'."
    )


def test_a_renamed_column(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["C1"] = "Utsläpp ton"

    problem = only(xlsx_report(tmp_path, edit), "renamed_column")
    assert where(problem) == ("Utsläpp", 1, "Utsläpp (t CO2e)", "C", "Utsläpp ton")
    assert problem.message_sv == (
        "I kolumn C står rubriken 'Utsläpp ton', men mallen har 'Utsläpp (t CO2e)' här. "
        "Ändra rubriken tillbaka till 'Utsläpp (t CO2e)'."
    )
    assert problem.message == (
        "Column C has the heading 'Utsläpp ton', but the template has 'Utsläpp (t CO2e)' "
        "there. Change the heading back to 'Utsläpp (t CO2e)'."
    )


def test_columns_are_found_by_heading_so_reordering_is_fine(tmp_path):
    def edit(wb):
        ws = wb["Energi"]
        for row in ws.iter_rows(min_row=1, max_row=3):
            row[0].value, row[1].value = row[1].value, row[0].value

    report = xlsx_report(tmp_path, edit)
    assert report.ok, format_report(report)
    assert report.submission.energy.to_dicts() == ENERGY


def test_a_missing_sheet(tmp_path):
    problem = only(xlsx_report(tmp_path, lambda wb: wb.remove(wb["Energi"])), "missing_sheet")
    assert where(problem) == ("Energi", None, None, None, None)
    assert problem.message_sv == (
        "Bladet 'Energi' saknas. Arbetsboken har bladen 'Instruktioner', 'Organisation', "
        "'Utsläpp', 'Åtgärder', 'Kolupptag'. Använd mallen och behåll bladens namn."
    )
    assert problem.message == (
        "The sheet 'Energi' (Energy use) is missing. The workbook has the sheets "
        "'Instruktioner', 'Organisation', 'Utsläpp', 'Åtgärder', 'Kolupptag'. Use the "
        "template and keep the sheet names."
    )


def test_a_wrongly_named_sheet_is_reported_and_still_checked(tmp_path):
    def edit(wb):
        wb["Utsläpp"].title = "Utslapp"
        wb["Utslapp"]["C3"] = -1

    report = xlsx_report(tmp_path, edit)
    assert [p.code for p in report.problems] == ["renamed_sheet", "negative_value"]
    renamed = report.problems[0]
    assert where(renamed) == ("Utslapp", None, None, None, "Utslapp")
    assert (
        renamed.message_sv
        == "Bladet heter 'Utslapp' men ska heta 'Utsläpp'. Byt namn på bladet till 'Utsläpp'."
    )
    assert renamed.message == (
        "The sheet is called 'Utslapp' but must be called 'Utsläpp' (Emissions). Rename "
        "the sheet to 'Utsläpp'."
    )
    assert where(report.problems[1]) == ("Utslapp", 3, "Utsläpp (t CO2e)", "C", "-1")


def test_an_extra_sheet_with_data_is_reported_and_an_empty_one_ignored(tmp_path):
    def edit(wb):
        wb.create_sheet("Blad2")
        wb.create_sheet("Blad1")["B4"] = "anteckning"

    problem = only(xlsx_report(tmp_path, edit), "unknown_sheet")
    assert where(problem) == ("Blad1", None, None, None, "Blad1")
    assert problem.message_sv == (
        "Bladet 'Blad1' finns inte i mallen och läses inte. Flytta uppgifterna till rätt "
        "blad och ta bort bladet."
    )


def test_a_missing_heading_row_and_foreign_duplicate_or_unheaded_columns(tmp_path):
    def edit(wb):
        for cell in wb["Energi"][1]:
            cell.value = None
        ws = wb["Utsläpp"]
        ws["G1"], ws["H1"], ws["J3"] = "Anteckning", "Kategori", "x"

    report = xlsx_report(tmp_path, edit)
    assert [p.code for p in report.problems] == [
        "unknown_column",
        "duplicate_column",
        "unknown_column",
        "missing_header_row",
    ]
    foreign, duplicate, unheaded, header = report.problems
    assert where(foreign) == ("Utsläpp", 1, "Anteckning", "G", "Anteckning")
    assert foreign.message_sv == (
        "Kolumnen 'Anteckning' finns inte i mallen och läses inte. Ta bort den, eller "
        "flytta innehållet till rätt kolumn (t.ex. 'Kommentar')."
    )
    assert (
        duplicate.message_sv
        == "Rubriken 'Kategori' finns i både kolumn B och kolumn H. Ta bort den ena."
    )
    assert where(unheaded) == ("Utsläpp", 3, None, "J", "x")
    assert header.message_sv == (
        "Bladet 'Energi' saknar rubrikrad. Rad 1 ska ha rubrikerna: Energibärare, "
        "Energianvändning (MWh), Leverantör, Kommentar (som i mallen)."
    )
    assert header.message == (
        "The sheet 'Energi' has no heading row. Row 1 must have the headings: "
        "Energibärare, Energianvändning (MWh), Leverantör, Kommentar (as in the template)."
    )


# --------------------------------------------------------------------------- number cells


def test_text_in_a_number_cell(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["C2"] = "tolv"

    problem = only(xlsx_report(tmp_path, edit), "not_a_number")
    assert where(problem) == ("Utsläpp", 2, "Utsläpp (t CO2e)", "C", "tolv")
    assert (
        problem.message_sv
        == "'tolv' är inte ett tal. Skriv bara ett tal, utan enhet eller annan text."
    )
    assert (
        problem.message
        == "'tolv' is not a number. Write only a number, without a unit or other text."
    )
    assert problem.expected == "ett tal ≥ 0 i t CO2e / a number ≥ 0 in t CO2e"


def test_a_formula_in_a_number_cell_is_reported_never_evaluated(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["C2"] = "=B2*1000"  # openpyxl writes it as a formula

    problem = only(xlsx_report(tmp_path, edit), "formula")
    assert where(problem) == ("Utsläpp", 2, "Utsläpp (t CO2e)", "C", "=B2*1000")
    assert problem.message_sv == (
        "Cellen innehåller formeln '=B2*1000'. Formler räknas inte ut vid inläsningen; "
        "skriv in själva värdet (kopiera cellen och klistra in som värden)."
    )
    assert problem.message == (
        "The cell contains the formula '=B2*1000'. Formulas are not evaluated when the "
        "file is read; type the value itself (copy the cell and paste as values)."
    )


def test_a_real_formula_in_a_text_cell_is_reported_but_formula_looking_text_is_data(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["F3"] = '=HYPERLINK("http://example.com")'  # a real formula this time

    problem = only(xlsx_report(tmp_path, edit), "formula")
    assert where(problem) == ("Utsläpp", 3, "Kommentar", "F", '=HYPERLINK("http://example.com")')


def test_a_decimal_comma_in_an_excel_number_cell_says_how_to_write_it(tmp_path):
    def edit(wb):
        set_cell(wb["Utsläpp"]["C2"], "12,5")
        set_cell(wb["Energi"]["B3"], "12.25")

    report = xlsx_report(tmp_path, edit)
    comma, as_text = the(report, "decimal_comma"), the(report, "number_as_text")
    assert where(comma) == ("Utsläpp", 2, "Utsläpp (t CO2e)", "C", "12,5")
    assert comma.message_sv == (
        "'12,5' är sparat som text (med decimalkomma), inte som ett tal. Ändra cellens "
        "format till Tal eller Allmänt och skriv in talet igen: 12,5 i svenskt Excel, 12.5 "
        "i engelskt Excel."
    )
    assert comma.message == (
        "'12,5' is stored as text (with a decimal comma), not as a number. Change the "
        "cell's format to Number or General and type the number again: 12,5 in Swedish "
        "Excel, 12.5 in English Excel."
    )
    assert where(as_text) == ("Energi", 3, "Energianvändning (MWh)", "B", "12.25")
    assert as_text.message_sv == (
        "'12.25' är sparat som text, inte som ett tal. Ändra cellens format till Tal "
        "eller Allmänt och skriv in talet igen."
    )


def test_a_decimal_point_in_the_csv_says_how_to_write_it(tmp_path):
    text = csv_text().replace(";12,5;", ";12.5;")
    problem = only(csv_report(tmp_path, text), "decimal_point")
    assert where(problem) == (
        "Utsläpp",
        line_of(text, "Utsläpp;1;Fordon"),
        "Utsläpp (t CO2e)",
        "D",
        "12.5",
    )
    assert problem.message_sv == (
        "'12.5' har decimalpunkt. I CSV-filen skrivs decimaltal med decimalkomma: 12,5 "
        "(och inga tusentalspunkter)."
    )
    assert problem.message == (
        "'12.5' has a decimal point. In the CSV file decimals are written with a decimal "
        "comma: 12,5 (and no thousands points)."
    )


def test_negative_emissions_and_negative_quantities(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["C2"] = -5
        wb["Energi"]["B2"] = -1.5
        wb["Åtgärder"]["E2"] = -100

    report = xlsx_report(tmp_path, edit)
    assert [p.code for p in report.problems] == ["negative_value"] * 3
    emissions, energy, investment = report.problems
    assert emissions.message_sv == (
        "'Utsläpp (t CO2e)' får inte vara negativ (-5). Utsläpp kan inte vara negativa; "
        "rapportera kolupptag på bladet 'Kolupptag'."
    )
    assert emissions.message == (
        "'Utsläpp (t CO2e)' must not be negative (-5). Emissions cannot be negative; "
        "report carbon removals on the sheet 'Kolupptag' (carbon removals)."
    )
    assert where(energy) == ("Energi", 2, "Energianvändning (MWh)", "B", "-1.5")
    assert (
        energy.message_sv
        == "'Energianvändning (MWh)' får inte vara negativ (-1,5). Ange ett tal som är 0 eller "
        "större."
    )
    assert (
        energy.message
        == "'Energianvändning (MWh)' must not be negative (-1.5). Give a number that is 0 or more."
    )
    assert where(investment) == ("Åtgärder", 2, "Investering (SEK)", "E", "-100")


def test_whole_numbers_choices_dates_emails_and_required_values(tmp_path):
    def edit(wb):
        wb["Åtgärder"]["D2"] = 2024.5
        wb["Åtgärder"]["D3"] = 2090
        set_cell(wb["Åtgärder"]["C2"], "klar")
        wb["Utsläpp"]["A2"] = 4
        set_cell(wb["Utsläpp"]["E3"], "kanske")
        wb["Utsläpp"]["B4"] = None
        set_cell(wb["Organisation"]["D2"], "anna.example.com")
        set_cell(wb["Organisation"]["E2"], "31/3/2026")

    report = xlsx_report(tmp_path, edit)
    got = {
        (p.sheet, p.row, p.column_letter): (p.code, p.message_sv, p.message)
        for p in report.problems
    }
    assert got == {
        ("Organisation", 2, "D"): (
            "invalid_email",
            "'anna.example.com' är ingen giltig e-postadress. Skriv t.ex. namn@foretag.se.",
            "'anna.example.com' is not a valid e-mail address. Write e.g. name@company.se.",
        ),
        ("Organisation", 2, "E"): (
            "invalid_date",
            "'31/3/2026' är inte ett datum i formen ÅÅÅÅ-MM-DD. Skriv t.ex. 2026-03-31.",
            "'31/3/2026' is not a date in the form YYYY-MM-DD. Write e.g. 2026-03-31.",
        ),
        ("Utsläpp", 2, "A"): (
            "invalid_choice",
            "'4' är inte ett tillåtet värde för 'Scope'. Välj ett av: 1, 2, 3.",
            "'4' is not an allowed value for 'Scope'. Choose one of: 1, 2, 3.",
        ),
        ("Utsläpp", 3, "E"): (
            "invalid_choice",
            "'kanske' är inte ett tillåtet värde för 'Inom kommunen'. Välj ett av: ja, nej.",
            "'kanske' is not an allowed value for 'Inom kommunen'. Choose one of: ja, nej.",
        ),
        ("Utsläpp", 4, "B"): (
            "missing_value",
            "Värde saknas: 'Kategori' måste fyllas i.",
            "Missing value: 'Kategori' is required.",
        ),
        ("Åtgärder", 2, "C"): (
            "invalid_choice",
            "'klar' är inte ett tillåtet värde för 'Status'. Välj ett av: "
            "planerad, beslutad, pågående, genomförd, avbruten.",
            "'klar' is not an allowed value for 'Status'. "
            "Choose one of: planerad, beslutad, pågående, genomförd, avbruten.",
        ),
        ("Åtgärder", 2, "D"): (
            "not_a_whole_number",
            "'2024.5' är inte ett heltal.",
            "'2024.5' is not a whole number.",
        ),
        ("Åtgärder", 3, "D"): (
            "year_out_of_range",
            "Året 2090 ligger för långt fram; ange ett år senast 2076.",
            "The year 2090 is too far ahead; give a year no later than 2076.",
        ),
    }
    assert len(report.problems) == len(got)


def test_a_submission_date_after_today(tmp_path):
    records = {**VALID, "organisation": [{**ORGANISATION, "submitted_date": date(2026, 6, 2)}]}
    problem = only(xlsx_report(tmp_path, records=records), "date_in_future")
    assert problem.message_sv == "Datumet 2026-06-02 ligger efter dagens datum (2026-06-01)."
    assert problem.message == "The date 2026-06-02 is after today's date (2026-06-01)."


def test_choices_ignore_case_and_dash_style_and_return_the_template_spelling(tmp_path):
    records = {
        **VALID,
        "energy": [{**ENERGY[0], "energy_carrier": "Fjärrvärme"}],
        "removals": [{**REMOVALS[0], "permanence": "100-1000 år"}],
    }
    report = xlsx_report(tmp_path, records=records)
    assert report.ok, format_report(report)
    assert report.submission.energy["energy_carrier"].to_list() == ["fjärrvärme"]
    assert report.submission.removals["permanence"].to_list() == ["100–1000 år"]


# --------------------------------------------------------------------------- rows


def test_duplicate_rows_name_both_rows(tmp_path):
    records = {
        **VALID,
        "emissions": EMISSIONS
        + [{**EMISSIONS[0], "category": "fordon", "tonnes_co2e": 3.0, "comment": None}],
        "actions": ACTIONS + [{**ACTIONS[1], "title": "Annan åtgärd", "action_id": "A1"}],
    }
    report = xlsx_report(tmp_path, records=records)
    assert [p.code for p in report.problems] == ["duplicate_row", "duplicate_row"]
    emissions, actions = report.problems
    assert where(emissions) == (
        "Utsläpp",
        5,
        None,
        None,
        "1 | fordon | Bränsle × emissionsfaktor | ja",
    )
    assert emissions.message_sv == (
        "Raden är en dubblett av rad 2: samma 'Scope', 'Kategori', 'Metod' och 'Inom "
        "kommunen' (1, fordon, Bränsle × emissionsfaktor, ja). Slå ihop raderna eller "
        "ändra den ena."
    )
    assert emissions.message == (
        "The row duplicates row 2: the same 'Scope', 'Kategori', 'Metod' and 'Inom "
        "kommunen' (1, fordon, Bränsle × emissionsfaktor, ja). Merge the rows or change "
        "one of them."
    )
    assert where(actions) == ("Åtgärder", 4, None, None, "A1")
    assert actions.message_sv == (
        "Raden är en dubblett av rad 2: samma 'Åtgärds-id' (A1). Slå ihop raderna eller "
        "ändra den ena."
    )


def test_scope_2_without_a_method(tmp_path):
    records = {**VALID, "emissions": [EMISSIONS[0], {**EMISSIONS[1], "method": None}, EMISSIONS[2]]}
    problem = only(xlsx_report(tmp_path, records=records), "scope2_without_method")
    assert where(problem) == ("Utsläpp", 3, "Metod", "D", None)
    assert problem.message_sv == (
        "Scope 2 kräver en metod: skriv i 'Metod' om siffran är marknadsbaserad eller "
        "platsbaserad (och gärna vilken emissionsfaktor som använts)."
    )
    assert problem.message == (
        "Scope 2 requires a method: write in 'Metod' whether the figure is market-based "
        "(marknadsbaserad) or location-based (platsbaserad), ideally with the emission "
        "factor used."
    )


def test_an_empty_emissions_sheet_and_a_second_organisation_row(tmp_path):
    records = {
        **VALID,
        "emissions": [],
        "organisation": [ORGANISATION, {**ORGANISATION, "partner_id": "ikea"}],
    }
    report = xlsx_report(tmp_path, records=records)
    assert [p.code for p in report.problems] == ["extra_organisation_row", "no_rows"]
    extra, empty = report.problems
    assert where(extra)[:2] == ("Organisation", 3)
    assert extra.message_sv == (
        "'Organisation' ska ha en enda rad med uppgifter (rad 2), men den här raden har "
        "också värden. Ta bort raden; en fil gäller en partner och ett år."
    )
    assert where(empty)[:2] == ("Utsläpp", 2)
    assert empty.message_sv == "'Utsläpp' har inga rader med uppgifter. Rapportera minst en rad."
    assert empty.message == "'Utsläpp' (Emissions) has no rows of data. Report at least one row."


def test_too_many_rows(tmp_path):
    report = xlsx_report(tmp_path, limits=Limits(max_rows=2))
    problem = only(report, "too_many_rows")
    assert problem.sheet == "Utsläpp"
    assert problem.message_sv == (
        "'Utsläpp' har fler än 2 rader med uppgifter. Sammanfatta uppgifterna (t.ex. per "
        "kategori) eller dela upp filen."
    )


# --------------------------------------------------------------------------- units


def test_kg_in_a_heading_says_divide_by_1000_and_nothing_is_converted(tmp_path):
    def edit(wb):
        wb["Utsläpp"]["C1"] = "Utsläpp (kg CO2e)"

    problem = only(xlsx_report(tmp_path, edit), "unit_kg")
    assert where(problem) == ("Utsläpp", 1, "Utsläpp (kg CO2e)", "C", "Utsläpp (kg CO2e)")
    assert problem.message_sv == (
        "Rubriken 'Utsläpp (kg CO2e)' anger enheten kg, men 'Utsläpp (t CO2e)' ska anges i "
        "t CO2e. Räkna om värdena (dela med 1000) och ändra rubriken till 'Utsläpp (t CO2e)'. "
        "Värdena räknas inte om automatiskt."
    )
    assert problem.message == (
        "The heading 'Utsläpp (kg CO2e)' gives the unit kg, but 'Utsläpp (t CO2e)' must be "
        "in t CO2e. Convert the values (divide by 1000) and change the heading to "
        "'Utsläpp (t CO2e)'. Values are never converted automatically."
    )


def test_kg_in_a_unit_column_and_in_a_value(tmp_path):
    def edit(wb):
        ws = wb["Utsläpp"]
        ws["G1"], ws["G2"], ws["G3"], ws["G4"] = "Enhet", "kg", "t", "kg CO2e"
        set_cell(wb["Kolupptag"]["B2"], "1200 kg")

    report = xlsx_report(tmp_path, edit)
    assert [(p.code, p.sheet, p.row, p.column_letter) for p in report.problems] == [
        ("unit_kg", "Utsläpp", 2, "G"),
        ("unit_kg", "Utsläpp", 4, "G"),
        ("unit_kg", "Kolupptag", 2, "B"),
    ]
    column, _, value = report.problems
    assert column.column == "Enhet" and column.value == "kg"
    assert column.message_sv == (
        "Enheten är 'kg', men 'Utsläpp (t CO2e)' ska anges i t CO2e. Räkna om värdet (dela "
        "med 1000), skriv det i kolumnen 'Utsläpp (t CO2e)' och ta bort enhetskolumnen. "
        "Värdena räknas inte om automatiskt."
    )
    assert value.message_sv == (
        "Värdet '1200 kg' är angivet i kg, men 'Upptag (t CO2)' ska anges i t CO2. Räkna om "
        "(dela med 1000) och skriv bara talet, utan enhet. Värdena räknas inte om automatiskt."
    )
    assert value.message == (
        "The value '1200 kg' is given in kg, but 'Upptag (t CO2)' must be in t CO2. Convert "
        "it (divide by 1000) and write only the number, without a unit. Values are never "
        "converted automatically."
    )


def test_kg_in_a_csv_heading_and_kwh_for_energy(tmp_path):
    text = csv_text().replace(";Utsläpp (t CO2e);", ";Utsläpp (kg CO2e);").replace("(MWh)", "(kWh)")
    report = csv_report(tmp_path, text)
    assert [p.code for p in report.problems] == ["unit_kg", "wrong_unit"]
    kg, kwh = report.problems
    assert (kg.row, kg.column_letter) == (line_of(text, "Utsläpp;Scope;"), "D")
    assert kwh.message_sv == (
        "Rubriken 'Energianvändning (kWh)' anger enheten kwh, men 'Energianvändning (MWh)' "
        "ska anges i MWh. Räkna om värdena (dela med 1000) och ändra rubriken till "
        "'Energianvändning (MWh)'. Värdena räknas inte om automatiskt."
    )


# --------------------------------------------------------------------------- the file itself


def test_an_empty_file(tmp_path):
    for name, content in (
        ("ssab_2025.xlsx", b""),
        ("ssab_2025.csv", b""),
        ("blank.csv", b" \r\n\r\n"),
    ):
        (tmp_path / name).write_bytes(content)
        problem = only(check(tmp_path, name), "empty_file")
        assert where(problem) == (None, None, None, None, None)
        assert problem.message_sv == "Filen är tom. Fyll i mallen och skicka den igen."
        assert problem.message == "The file is empty. Fill in the template and send it again."


def test_an_xlsx_that_is_not_a_workbook(tmp_path):
    cases = {
        "text.xlsx": (
            b"Scope;Kategori\r\n1;Fordon\r\n",
            "Filen heter .xlsx men är ingen Excel-arbetsbok. Öppna "
            "den i Excel och välj Spara som → Excel-arbetsbok (*.xlsx).",
        ),
        "old.xlsx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "Filen heter .xlsx men är i det gamla Excel-formatet (.xls). Öppna den i Excel och "
            "välj Spara som → Excel-arbetsbok (*.xlsx).",
        ),
        "other.xlsx": (
            zip_bytes({"word/document.xml": b"<w/>"}),
            "Filen heter .xlsx och är en zip-fil, men ingen "
            "Excel-arbetsbok (xl/workbook.xml saknas). Öppna den i Excel och välj Spara som → "
            "Excel-arbetsbok (*.xlsx).",
        ),
    }
    for name, (content, message_sv) in cases.items():
        (tmp_path / name).write_bytes(content)
        problem = only(check(tmp_path, name), "not_xlsx")
        assert problem.message_sv == message_sv
    assert problem.message == (
        "The file is named .xlsx and is a zip file, but not an Excel workbook "
        "(xl/workbook.xml is missing). Open it in Excel and choose Save As → Excel "
        "Workbook (*.xlsx)."
    )
    (tmp_path / "broken.xlsx").write_bytes(zip_bytes({"xl/workbook.xml": b"not xml"}))
    assert only(check(tmp_path, "broken.xlsx"), "unreadable_xlsx").message.startswith(
        "The Excel file could not be read ("
    )


def test_a_csv_that_is_not_text(tmp_path):
    filled_workbook().save(tmp_path / "book.xlsx")
    (tmp_path / "book.csv").write_bytes((tmp_path / "book.xlsx").read_bytes())
    (tmp_path / "binary.csv").write_bytes(b"Organisation;ssab\x00\x01\x02\x03")
    (tmp_path / "undecodable.csv").write_bytes(
        b"Organisation;ssab\x81"
    )  # 0x81: neither UTF-8 nor cp1252
    assert only(check(tmp_path, "book.csv"), "not_csv").message_sv == (
        "Filen heter .csv men är en Excel-arbetsbok. Byt filändelsen till .xlsx, eller spara den "
        "i Excel som CSV (semikolonavgränsad) (*.csv)."
    )
    binary = only(check(tmp_path, "binary.csv"), "not_csv")
    assert binary.message_sv == (
        "Filen heter .csv men innehåller binära data, inte text. Spara den i Excel som "
        "CSV (semikolonavgränsad) (*.csv)."
    )
    assert binary.message == (
        "The file is named .csv but contains binary data, not text. Save it in Excel as "
        "CSV (semicolon delimited) (*.csv)."
    )
    assert only(check(tmp_path, "undecodable.csv"), "not_csv").message == (
        "The file cannot be read as text in UTF-8 or Windows-1252. Save it in Excel as CSV UTF-8 "
        "(*.csv)."
    )


def test_an_unsupported_extension_and_a_missing_file(tmp_path):
    (tmp_path / "ssab_2025.pdf").write_bytes(b"%PDF-1.4")
    problem = only(check(tmp_path, "ssab_2025.pdf"), "unsupported_file_type")
    assert problem.message_sv == (
        "Filtypen '.pdf' stöds inte. Spara filen som Excel-arbetsbok (.xlsx) eller som "
        "CSV (.csv) enligt mallen."
    )
    assert problem.message == (
        "The file type '.pdf' is not supported. Save the file as an Excel workbook (.xlsx) "
        "or as CSV (.csv) following the template."
    )
    assert (
        only(check(tmp_path, "nowhere.xlsx"), "file_not_found").message
        == "The file 'nowhere.xlsx' does not exist."
    )


def test_a_csv_with_commas_instead_of_semicolons(tmp_path):
    problem = only(csv_report(tmp_path, csv_text().replace(";", ",")), "wrong_separator")
    assert problem.message_sv == (
        "Filen använder kommatecken (,) som fältavgränsare. Mallen använder semikolon (;): "
        "spara i Excel som CSV (semikolonavgränsad), eller använd Excel-mallen (.xlsx)."
    )
    assert problem.message == (
        "The file separates fields with commas (,). The template uses semicolons (;): save "
        "from Excel as CSV (semicolon delimited), or use the Excel template (.xlsx)."
    )


def test_a_csv_with_a_missing_and_a_misnamed_section(tmp_path):
    text = "".join(
        line for line in csv_text().splitlines(keepends=True) if not line.startswith("Energi;")
    )
    text = text.replace("Kolupptag;", "Kolupptag 2025;")
    report = csv_report(tmp_path, text)
    assert [p.code for p in report.problems] == ["missing_sheet", "renamed_sheet"]
    missing, renamed = report.problems
    assert missing.message_sv == (
        "Avsnittet 'Energi' saknas: ingen rad börjar med 'Energi'. Lägg till rubrikraden "
        "Energi;Energibärare;Energianvändning (MWh);Leverantör;Kommentar"
    )
    assert renamed.message_sv == (
        "Avsnittet heter 'Kolupptag 2025' men ska heta 'Kolupptag'. Skriv 'Kolupptag' i "
        "första fältet på avsnittets rader."
    )
    assert renamed.row == line_of(text, "Kolupptag 2025;Typ av upptag")


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "big.csv").write_bytes(b"# " + b"x" * 4998)
    problem = only(check(tmp_path, "big.csv", limits=Limits(max_file_bytes=2048)), "file_too_large")
    assert problem.message_sv == (
        "Filen är för stor: 4,9 kB (högst 2,0 kB). Ta bort bilder och blad som inte hör "
        "till mallen, eller dela upp filen."
    )
    assert problem.message == (
        "The file is too large: 4.9 kB (at most 2.0 kB). Remove pictures and sheets that "
        "are not part of the template, or split the file."
    )
    assert (
        Limits().max_file_bytes == 10 * 1024 * 1024
        and Limits().max_uncompressed_bytes == 100 * 1024 * 1024
    )


def test_a_zip_bomb_and_too_many_entries_are_refused_before_openpyxl_opens_them(
    tmp_path, monkeypatch
):
    def must_not_open(*_args, **_kwargs):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(tables_module.openpyxl, "load_workbook", must_not_open)
    bomb = zip_bytes(
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (3 * 1024 * 1024)}
    )
    (tmp_path / "bomb.xlsx").write_bytes(bomb)
    assert len(bomb) < 20_000
    problem = only(
        check(tmp_path, "bomb.xlsx", limits=Limits(max_uncompressed_bytes=1024 * 1024)),
        "xlsx_too_large_uncompressed",
    )
    assert problem.message_sv == (
        "Excel-filen packas upp till 3,0 MB (högst 1,0 MB). Ta bort bilder, extra blad och "
        "tomma formaterade rader, eller dela upp filen."
    )
    assert problem.message == (
        "The Excel file unpacks to 3.0 MB (at most 1.0 MB). Remove pictures, extra sheets "
        "and empty formatted rows, or split the file."
    )
    many = zip_bytes(
        {"xl/workbook.xml": b"<workbook/>", **{f"xl/media/{i}.bin": b"x" for i in range(20)}}
    )
    (tmp_path / "many.xlsx").write_bytes(many)
    problem = only(
        check(tmp_path, "many.xlsx", limits=Limits(max_zip_entries=10)), "xlsx_too_many_entries"
    )
    assert problem.message_sv == (
        "Excel-filen består av 21 delar (högst 10). Den är inte en vanlig ifylld mall; "
        "använd mallen och ta bort bilder och extra blad."
    )


@pytest.mark.parametrize(
    "name, reason_sv",
    [
        ("../ssab_2025.xlsx", "innehåller '..' och kan peka ut ur inkorgen."),
        ("partners/../../ssab_2025.xlsx", "innehåller '..' och kan peka ut ur inkorgen."),
        (
            "/etc/ssab_2025.xlsx",
            "är en absolut sökväg. Ange bara filens namn, t.ex. ssab_2025.xlsx.",
        ),
        (
            "C:/inbox/ssab_2025.xlsx",
            "är en absolut sökväg. Ange bara filens namn, t.ex. ssab_2025.xlsx.",
        ),
        ("inbox\\ssab_2025.xlsx", "innehåller ett omvänt snedstreck (\\)."),
        (".ssab_2025.xlsx", "börjar med en punkt (en dold fil eller sökväg)."),
        ("./ssab_2025.xlsx", "börjar med en punkt (en dold fil eller sökväg)."),
    ],
)
def test_a_file_name_with_path_traversal_is_refused_before_the_file_is_touched(
    tmp_path, monkeypatch, name, reason_sv
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled_workbook().save(tmp_path / "ssab_2025.xlsx")  # a valid file IS there, outside the inbox

    def must_not_read(*_args, **_kwargs):
        raise AssertionError("the file must not be touched")

    monkeypatch.setattr(validate_module, "_read_bytes", must_not_read)
    problem = only(check(inbox, name), "unsafe_file_name")
    assert problem.file == name
    assert problem.message_sv.startswith(f"Filnamnet '{name}' {reason_sv}")
    assert problem.expected == (
        "ett enkelt filnamn utan sökväg, t.ex. ssab_2025.xlsx / a plain file name without a "
        "path, e.g. ssab_2025.xlsx"
    )


def test_a_nul_in_the_file_name_and_a_symlink_out_of_the_inbox(tmp_path):
    problem = only(check(tmp_path, "ssab\x00_2025.xlsx"), "unsafe_file_name")
    assert problem.message == (
        "The file name 'ssab\\x00_2025.xlsx' contains a NUL or control character. Give the "
        "file a plain name, e.g. ssab_2025.xlsx."
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filled_workbook().save(tmp_path / "outside.xlsx")
    os.symlink(tmp_path / "outside.xlsx", inbox / "ssab_2025.xlsx")
    problem = only(check(inbox, "ssab_2025.xlsx"), "unsafe_file_name")
    assert problem.message_sv == (
        "Filen 'ssab_2025.xlsx' pekar ut ur inkorgen (via en symbolisk länk) och läses inte."
    )


# ------------------------------------------------------------------------- several problems at once


def test_a_file_with_several_problems_reports_all_of_them_in_file_order(tmp_path):
    def edit(wb):
        set_cell(wb["Organisation"]["A2"], "volvo")
        wb["Organisation"]["B2"] = 2030
        set_cell(wb["Utsläpp"]["C2"], "12,5")
        wb["Utsläpp"]["C3"] = "=C2*2"
        wb["Utsläpp"]["D3"] = None
        wb["Utsläpp"]["C4"] = -3
        set_cell(wb["Energi"]["A3"], "kol")
        wb["Åtgärder"]["A3"] = "A1"
        wb["Kolupptag"]["B1"] = "Upptag (kg CO2)"

    report = xlsx_report(tmp_path, edit)
    assert not report.ok and report.submission is None
    assert [(p.code, p.sheet, p.row, p.column_letter) for p in report.problems] == [
        ("unknown_partner", "Organisation", 2, "A"),
        ("year_in_future", "Organisation", 2, "B"),
        ("decimal_comma", "Utsläpp", 2, "C"),
        ("formula", "Utsläpp", 3, "C"),
        ("scope2_without_method", "Utsläpp", 3, "D"),
        ("negative_value", "Utsläpp", 4, "C"),
        ("invalid_choice", "Energi", 3, "A"),
        ("duplicate_row", "Åtgärder", 3, None),
        ("unit_kg", "Kolupptag", 1, "B"),
    ]
    assert all(
        p.file == "ssab_2025.xlsx" and p.message_sv and p.message and p.expected
        for p in report.problems
    )
    text = format_report(report)
    assert text.count("\n    SV: ") == 9 and text.count("\n    EN: ") == 9 and "[9] " in text


def test_a_csv_with_several_problems_reports_all_of_them(tmp_path):
    text = (
        csv_text()
        .replace(";12,5;", ";tolv;")
        .replace(";1234,75;", ";-1234,75;")
        .replace(";850,0;", ";850.0;")
        .replace("anna.andersson@example.com", "anna")
        .replace(";4,2;", ";=2*3;")
    ) + ";2;El;1;;ja;\r\n"
    report = csv_report(tmp_path, text)
    assert [(p.code, p.column_letter) for p in report.problems] == [
        ("invalid_email", "E"),
        ("not_a_number", "D"),
        ("negative_value", "D"),
        ("decimal_point", "C"),
        ("formula", "C"),
        ("unknown_sheet", None),
    ]
    assert [p.row for p in report.problems] == [
        line_of(text, "Organisation;ssab"),
        line_of(text, "Utsläpp;1;"),
        line_of(text, "Utsläpp;2;"),
        line_of(text, "Energi;fjärrvärme"),
        line_of(text, "Kolupptag;biokol"),
        line_of(text, ";2;El"),
    ]
    negative = report.problems[2]
    assert (
        negative.value == "-1234,75"
        and "(-1234,75)" in negative.message_sv
        and "(-1234.75)" in negative.message
    )
    assert report.problems[-1].message_sv == (
        "1 rad(er) har ett tomt första fält. Första fältet ska vara avsnittets "
        "namn, ett av: Organisation, Utsläpp, Energi, Åtgärder, Kolupptag."
    )


def test_formula_and_sql_looking_text_is_data_and_is_returned_unchanged(tmp_path):
    hostile = [
        "=cmd|' /C calc'!A0",
        "'; drop table x; --",
        "@SUM(1+1)",
        "+1+1",
        "-2+3",
        '"; DELETE FROM t; --',
    ]
    records = {
        **VALID,
        "emissions": [
            {**EMISSIONS[0], "category": f"Fordon {i}", "comment": h} for i, h in enumerate(hostile)
        ],
    }
    for report in (xlsx_report(tmp_path, records=records), csv_report(tmp_path, csv_text(records))):
        assert report.ok, format_report(report)
        assert report.submission.emissions["comment"].to_list() == hostile


def test_validate_file_takes_a_trusted_absolute_path_and_scope_may_arrive_as_text(tmp_path):
    def edit(wb):
        set_cell(wb["Utsläpp"]["A3"], "2")  # picked from the list, stored as text by some programs

    workbook = filled_workbook()
    edit(workbook)
    workbook.save(tmp_path / "ssab_2025.xlsx")
    report = validate_file(tmp_path / "ssab_2025.xlsx", partners=PARTNERS, today=TODAY)
    assert report.ok, format_report(report)
    assert report.submission.emissions["scope"].to_list() == [1, 2, 3]
    assert only(
        check(tmp_path, str(tmp_path / "ssab_2025.xlsx")), "unsafe_file_name"
    ).message.startswith(f"The file name '{tmp_path / 'ssab_2025.xlsx'}' is an absolute path.")
