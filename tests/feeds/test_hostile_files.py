"""Hostile files against both feeds' validators: every one is refused with its own problem code,
the report says where (file, row, column), and the validator stays in bounded memory.

Every file is built here, in a temporary directory (no binary fixtures). The limits are the
shared ones (sources/file_limits.py); the energy feed's own checks are in test_energy_feed.py.
The last tests run `borlange validate energy|partners FILE` in a subprocess per hostile file
and assert its exit code and its peak resident memory (run with -s to see the figures).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from sources import consumption, smhi
from sources.energy_feed import parse as energy_parse
from sources.energy_feed.validate import Limits, load_feed, load_feed_bytes
from sources.file_limits import FileLimits, check_xlsx_archive, sniff_encoding
from sources.partner_submissions import format_report
from tests.helpers import ENERGY_FIXTURES as FIXTURES
from tests.helpers import REPO
from tests.helpers import energy_fixture_maker as make_fixtures
from tests.helpers import only_problem as only
from tests.partners.test_submissions import check, csv_report, csv_text, filled_workbook

BORLANGE_CLI = Path(sys.executable).with_name("borlange")
PEAK_MB = 500
MIB = 1024 * 1024
HEADER_ROW = 4  # energy CSVs built here: banner, Källa, Period, header, then the months


MF = make_fixtures()


def energy_text(
    networks=("Borlänge",), months=range(3), period=("2025-01", "2025-03"), **kwargs
) -> str:
    return MF.csv_text(MF.year_rows(networks=networks, months=months), period=period, **kwargs)


def energy_file(
    tmp_path: Path, text: str, name: str = "report.csv", encoding: str = "utf-8"
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def one(feed, code: str):
    found = [p for p in feed.problems if p.code == code]
    assert found, [(p.code, p.row, p.column, p.message) for p in feed.problems]
    return found[0]


# --------------------------------------------------------------------------- xlsx builders

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml"'
    b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml"'
    b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    b'Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="Rapport" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    b'Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"
SST_OPEN = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def workbook_bytes(
    sheet=(SHEET_OPEN, b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_CLOSE),
    strings=(SST_OPEN, b"<si><t>x</t></si></sst>"),
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal workbook openpyxl reads; `sheet` and `strings` are chunks, streamed into the
    zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            *(extra or {}).items(),
        ):
            archive.writestr(name, content)
        for name, chunks in (
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings),
        ):
            with archive.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def zip_bomb(megabytes: int) -> bytes:
    """A worksheet of `megabytes` MiB of spaces: packs to about a thousandth of that."""
    return workbook_bytes(sheet=(SHEET_OPEN, *(b" " * MIB for _ in range(megabytes)), SHEET_CLOSE))


def many_entries(count: int) -> bytes:
    return workbook_bytes(extra={f"xl/media/image{i}.png": b"x" for i in range(count)})


def shared_strings_bomb(count: int) -> bytes:
    """Millions of distinct small strings: packs only ~9 times, so only the part's own cap stops it
    (openpyxl keeps every shared string in memory)."""

    def strings():
        yield SST_OPEN
        for start in range(0, count, 100_000):
            yield b"".join(
                b"<si><t>%d</t></si>" % i for i in range(start, min(count, start + 100_000))
            )
        yield b"</sst>"

    return workbook_bytes(strings=strings())


def giant_row(cells: int) -> bytes:
    """One row of `cells` cells: openpyxl builds a whole row at once."""

    def sheet():
        yield SHEET_OPEN + b'<row r="1">'
        for start in range(0, cells, 100_000):
            yield b"".join(
                b'<c r="A%d"><v>%d</v></c>' % (i, i)
                for i in range(start, min(cells, start + 100_000))
            )
        yield b"</row>" + SHEET_CLOSE

    return workbook_bytes(sheet=sheet())


def row_beyond_excel() -> bytes:
    """A second row numbered 999 999 999: openpyxl pads every missing row up to it."""
    return workbook_bytes(
        sheet=(
            SHEET_OPEN,
            b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
            b'<row r="999999999"><c r="A999999999"><v>1</v></c></row>',
            SHEET_CLOSE,
        )
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs_in_strings() -> bytes:
    return workbook_bytes(strings=(BILLION_LAUGHS, SST_OPEN, b"<si><t>&lol9;</t></si></sst>"))


def billion_laughs_in_sheet() -> bytes:
    return workbook_bytes(
        sheet=(
            BILLION_LAUGHS,
            SHEET_OPEN,
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
            SHEET_CLOSE,
        )
    )


def patched_cell(
    xlsx: bytes, ref: str, value: bytes, part: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """The workbook with the cell `ref` of a worksheet replaced by a number cell holding `value` as
    written in the XML (openpyxl itself never writes NaN or 1E999)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data, count = re.subn(
                    rb'<c r="%s"[^>]*>.*?</c>' % ref.encode(),
                    b'<c r="%s"><v>%s</v></c>' % (ref.encode(), value),
                    data,
                )
                assert count == 1
            target.writestr(info, data)
    return buffer.getvalue()


def all_bad_cells(months: int, copies: int = 1) -> str:
    """Borlänge's months with every value 'n/a' (a file of nothing but problems)."""
    rows = [
        {**row, **{h: "n/a" for h in row if h not in ("Nät", "Månad")}}
        for row in MF.year_rows(networks=("Borlänge",), months=range(months)) * copies
    ]
    return MF.csv_text(rows, period=("2025-01", f"2025-{months:02d}"))


def all_bad_partner_cells(rows: int) -> str:
    """A valid submission, then `rows` lines of 'x' in every data section: 23 bad cells a line."""
    widths = {"Utsläpp": 6, "Energi": 4, "Åtgärder": 8, "Kolupptag": 5}
    return csv_text() + "".join(
        f"{section};" + ";".join(["x"] * width) + "\r\n"
        for section, width in widths.items()
        for _ in range(rows)
    )


# ------------------------------------------------------------------- the shared limits, energy feed


def test_defusedxml_is_installed_and_used_by_openpyxl():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_file_over_the_byte_limit(tmp_path):
    path = energy_file(tmp_path, energy_text())
    size = path.stat().st_size
    problem = only(load_feed(path, Limits(max_file_bytes=size - 1)), "file_too_large")
    assert (problem.file, problem.row, problem.column) == ("report.csv", None, None)
    assert problem.message == f"The file is larger than the limit of {(size - 1) / 1024:.1f} kB."
    assert load_feed(path, Limits(max_file_bytes=size)).ok


def test_an_empty_and_a_header_only_file(tmp_path):
    assert only(load_feed(energy_file(tmp_path, "", "empty.csv")), "empty_file").file == "empty.csv"
    header_only = "\r\n".join(energy_text().split("\r\n")[:HEADER_ROW]) + "\r\n"
    problem = only(load_feed(energy_file(tmp_path, header_only, "header.csv")), "no_rows")
    assert (problem.file, problem.row, problem.column) == ("header.csv", HEADER_ROW, "Nät")


def test_the_row_limit_stops_a_million_short_lines_before_the_byte_limit(tmp_path):
    text = energy_text() + "x;1\r\n" * 1_000_000
    path = energy_file(tmp_path, text, "million.csv")
    assert path.stat().st_size < Limits().max_file_bytes  # 5 MB: the row limit, not the byte limit
    problem = only(load_feed(path), "too_many_rows")
    assert (problem.row, problem.column) == (10_001, None)
    assert problem.message == "The file has more than 10,000 lines."


def test_too_many_fields_and_a_field_too_long(tmp_path):
    wide = energy_text().replace("Nät;Månad;", "Nät;Månad;" + ";x" * 60 + ";", 1)
    problem = only(load_feed(energy_file(tmp_path, wide, "wide.csv")), "too_many_columns")
    assert (problem.row, problem.column) == (HEADER_ROW, "AY")  # field 51
    long_source = energy_text().replace("Källa;SYNTHETIC", "Källa;" + "S" * 1_001, 1)
    problem = only(load_feed(energy_file(tmp_path, long_source, "long.csv")), "field_too_long")
    assert (problem.file, problem.row, problem.column) == ("long.csv", 2, "B")
    # An unterminated quote swallows the rest of the file into one field: the csv module's own
    # field limit (131 072 characters) stops it.
    open_quote = energy_text().replace("Källa;SYNTHETIC", 'Källa;"SYNTHETIC', 1) + "x" * 200_000
    problem = only(load_feed(energy_file(tmp_path, open_quote, "quote.csv")), "field_too_long")
    assert problem.row == 2


def test_a_cell_too_long_in_an_xlsx(tmp_path):
    book = openpyxl.load_workbook(FIXTURES / "good_2025_01.xlsx")
    book.active["B2"] = "S" * 1_001
    book.save(tmp_path / "long.xlsx")
    problem = only(load_feed(tmp_path / "long.xlsx"), "field_too_long")
    assert (problem.row, problem.column) == (2, "B")


@pytest.mark.parametrize(
    ("build", "code", "message"),
    [
        (
            lambda: zip_bomb(101),
            "xlsx_too_large_uncompressed",
            "The workbook unpacks to 101.0 MB (at most 100.0 MB).",
        ),
        (
            lambda: zip_bomb(20),
            "xlsx_compression_ratio",
            "The workbook's part 'xl/worksheets/sheet1.xml' unpacks to 1,0",
        ),
        (
            lambda: many_entries(1_001),
            "xlsx_too_many_entries",
            "The workbook consists of 1,007 parts (at most 1,000); it is not an ordinary workbook.",
        ),
        (
            lambda: shared_strings_bomb(300_000),
            "xlsx_part_too_large",
            "The workbook's part 'xl/sharedStrings.xml' is 6.2 MB unpacked (at most 4.0 MB).",
        ),
        (
            lambda: giant_row(20_000),
            "xlsx_bad_worksheet",
            "The worksheet 'xl/worksheets/sheet1.xml' cannot have been written by Excel: it has "
            "a row with more than 16,384 cells, Excel's last column.",
        ),
        (
            row_beyond_excel,
            "xlsx_bad_worksheet",
            "The worksheet 'xl/worksheets/sheet1.xml' cannot have been written by Excel: it has "
            "a row number beyond Excel's last row (1,048,576).",
        ),
        (
            billion_laughs_in_sheet,
            "xlsx_bad_worksheet",
            "The worksheet 'xl/worksheets/sheet1.xml' cannot have been written by Excel: it has "
            "a document type declaration (entities), which Excel never writes.",
        ),
        (
            billion_laughs_in_strings,
            "unreadable_file",
            "The workbook cannot be read (EntitiesForbidden).",
        ),
        (
            lambda: b"PK\x03\x04 not really a zip",
            "unreadable_file",
            "The file is named .xlsx but is not an Excel workbook: it is not a zip archive.",
        ),
    ],
    ids=[
        "zip_bomb",
        "ratio_bomb",
        "entries",
        "shared_strings",
        "giant_row",
        "row_beyond_excel",
        "dtd_in_sheet",
        "billion_laughs",
        "not_a_zip",
    ],
)
def test_hostile_workbooks_are_refused_before_openpyxl_builds_them(
    tmp_path, monkeypatch, build, code, message
):
    content = build()
    assert len(content) < 6 * MIB
    feed = load_feed_bytes("hostile.xlsx", content)
    problem = only(feed, code)
    assert problem.file == "hostile.xlsx" and problem.message.startswith(message), problem.message
    if (
        code != "unreadable_file"
    ):  # the guard refuses it: openpyxl never opens it (and the partner feed too)
        monkeypatch.setattr(
            openpyxl, "load_workbook", lambda *_a, **_k: pytest.fail("openpyxl opened it")
        )
        (tmp_path / "hostile.xlsx").write_bytes(content)
        assert [p.code for p in check(tmp_path, "hostile.xlsx").problems] == [code]


def test_a_giant_row_and_a_row_beyond_excel_are_located():
    assert only(load_feed_bytes("r.xlsx", giant_row(20_000)), "xlsx_bad_worksheet").row == 1
    assert (
        only(load_feed_bytes("r.xlsx", row_beyond_excel()), "xlsx_bad_worksheet").row == 999_999_999
    )


def test_a_large_part_posing_as_a_picture_is_capped():
    # A relationship may point openpyxl at any part as a worksheet: only xl/worksheets/*.xml is
    # streamed through the worksheet check, so every other part must be small.
    posing = b"".join(
        b"<c>%d</c>" % i for i in range(400_000)
    )  # 4.9 MB that packs only a few times
    problem = only(
        load_feed_bytes("picture.xlsx", workbook_bytes(extra={"xl/media/image1.png": posing})),
        "xlsx_part_too_large",
    )
    assert (
        problem.message
        == "The workbook's part 'xl/media/image1.png' is 4.9 MB unpacked (at most 4.0 MB)."
    )


def test_the_entry_count_is_read_from_the_end_record_before_zipfile_lists_the_entries(monkeypatch):
    content = many_entries(2_000)
    monkeypatch.setattr(
        zipfile, "ZipFile", lambda *_a, **_k: pytest.fail("zipfile listed the entries")
    )
    refusal = check_xlsx_archive(content, FileLimits())
    assert (refusal.code, refusal.found, refusal.limit) == ("xlsx_too_many_entries", 2_006, 1_000)


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("codec", "bom", "name"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16 LE"),
        ("utf-16-be", b"\xfe\xff", "UTF-16 BE"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32 LE"),
        ("utf-16-le", b"", "UTF-16 LE (no byte-order mark)"),
        ("utf-16-be", b"", "UTF-16 BE (no byte-order mark)"),
    ],
)
def test_utf16_and_utf32_are_named_and_refused_by_both_feeds(tmp_path, codec, bom, name):
    content = bom + energy_text().encode(codec)
    problem = only(load_feed_bytes("utf16.csv", content), "unsupported_encoding")
    assert (problem.file, problem.value) == ("utf16.csv", name)
    assert problem.message == f"The file is encoded as {name}, which is not read."
    (tmp_path / "ssab_2025.csv").write_bytes(bom + csv_text().encode(codec))
    [problem] = check(tmp_path, "ssab_2025.csv").problems
    assert problem.code == "unsupported_encoding"
    assert (
        problem.message
        == f"The file is encoded as {name}, which is not read. Save it in Excel as CSV UTF-8 "
        "(*.csv)."
    )


def test_the_encodings_read_today_are_still_read():
    text = energy_text()
    assert sniff_encoding(text.encode("utf-8")) == "utf-8-sig"
    assert sniff_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert sniff_encoding(text.encode("cp1252")) == "cp1252"
    assert load_feed_bytes("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8")).ok


def test_binary_bytes_in_a_csv():
    problem = only(load_feed_bytes("x.csv", b"N\xe4t;\x00\x01\x02\x03\x04\x05"), "unreadable_file")
    assert problem.message == "The file cannot be read as CSV: it contains binary data, not text."


# --------------------------------------------------------------------------- numbers and dates


def test_nan_and_infinity_in_a_csv(tmp_path):
    text = MF.replace_cell(energy_text(), "2025-01", "Köpt värme", "NaN")
    text = MF.replace_cell(text, "2025-02", "Köpt värme", "inf")
    text = MF.replace_cell(text, "2025-03", "Köpt värme", "1" + "0" * 400)  # a float cannot hold it
    feed = load_feed(energy_file(tmp_path, text))
    assert [(p.code, p.row, p.column) for p in feed.problems] == [
        ("not_a_number", 5, "Köpt värme"),
        ("not_a_number", 6, "Köpt värme"),
        ("not_finite", 7, "Köpt värme"),
    ]


def test_nan_and_infinity_in_an_xlsx(tmp_path):
    good = (FIXTURES / "good_2025_01.xlsx").read_bytes()
    infinite = patched_cell(good, "C5", b"1E999")  # float("1E999") is inf
    problem = only(load_feed_bytes("inf.xlsx", infinite), "not_finite")
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "inf.xlsx",
        5,
        "Värmeproduktion restavfall (MWh)",
        "inf",
    )
    # openpyxl itself cannot convert a NaN number cell: that is a problem at its row, not a
    # traceback.
    problem = only(load_feed_bytes("nan.xlsx", patched_cell(good, "C5", b"NaN")), "unreadable_file")
    assert (problem.row, problem.message) == (5, "The workbook cannot be read (ValueError).")
    # The partner feed: an infinite number is refused the same way.
    partner = patched_cell(_partner_xlsx(tmp_path), "C2", b"1E999", part="xl/worksheets/sheet3.xml")
    (tmp_path / "ssab_2025.xlsx").write_bytes(partner)
    [problem] = check(tmp_path, "ssab_2025.xlsx").problems
    assert (problem.code, problem.sheet, problem.row, problem.column_letter) == (
        "not_finite",
        "Utsläpp",
        2,
        "C",
    )


def _partner_xlsx(tmp_path: Path) -> bytes:
    filled_workbook().save(tmp_path / "source.xlsx")
    return (tmp_path / "source.xlsx").read_bytes()


def test_a_partner_csv_number_beyond_a_float(tmp_path):
    text = csv_text().replace(";12,5;", ";1" + "0" * 400 + ";", 1)
    problem = [p for p in csv_report(tmp_path, text).problems if p.code == "not_finite"]
    assert [(p.sheet, p.column) for p in problem] == [("Utsläpp", "Utsläpp (t CO2e)")]


@pytest.mark.parametrize(
    ("period", "code", "message"),
    [
        (
            ("0000-01", "0000-03"),
            "invalid_period",
            "The period '0000-01;0000-03' is not two months YYYY-MM, first before last.",
        ),
        (
            ("0001-01", "9999-12"),
            "invalid_period",
            "The period '0001-01;9999-12' is not within the years 2000–2100.",
        ),
        (
            ("2000-01", "2100-12"),
            "period_too_long",
            "The period '2000-01;2100-12' spans 1,212 months; a report covers "
            "at most 36. Split it into several files.",
        ),
    ],
)
def test_year_zero_and_a_period_of_centuries(tmp_path, period, code, message):
    text = energy_text(period=period)
    assert len(text.encode()) < 7_000  # the 6.6 KB file that once took 3.2 GB
    feed = load_feed(energy_file(tmp_path, text))
    problem = one(feed, code)
    assert (problem.row, problem.column, problem.message) == (3, "Period", message)


def test_a_month_in_year_zero_or_out_of_range(tmp_path):
    text = MF.replace_cell(energy_text(), "2025-01", "Månad", "0000-01")
    text = MF.replace_cell(text, "2025-02", "Månad", "1901-02")
    problems = [
        (p.code, p.row, p.value)
        for p in load_feed(energy_file(tmp_path, text)).problems
        if p.code == "invalid_month"
    ]
    assert problems == [("invalid_month", 5, "0000-01"), ("invalid_month", 6, "1901-02")]


def test_a_date_cell_past_year_9999_in_an_xlsx():
    book = openpyxl.load_workbook(FIXTURES / "good_2025_01.xlsx")
    book.active["B5"] = 1e9  # a serial day number far past 9999-12-31, shown as a date
    book.active["B5"].number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    problem = one(
        load_feed_bytes("date.xlsx", buffer.getvalue()), "invalid_month"
    )  # openpyxl: an error cell
    assert (problem.row, problem.column, problem.value) == (5, "Månad", "#VALUE!")


# ------------------------------------------------------------------------- free text and the report


def test_control_characters_in_free_text_are_refused_and_escaped(tmp_path):
    # ESC itself is binary in a CSV (refused whole); the 8-bit CSI (U+009B) is text to a decoder.
    text = energy_text().replace("Källa;SYNTHETIC", "Källa;\u009b2JSYNTHETIC", 1)
    problem = only(load_feed(energy_file(tmp_path, text)), "unsafe_text")
    assert (problem.row, problem.column, problem.value[:12]) == (2, "källa", "\\x9b2JSYNTHE")
    text = MF.replace_cell(
        energy_text(), "2025-01", "Nät", "Borl\u202eänge"
    )  # a right-to-left override
    problem = one(load_feed(energy_file(tmp_path, text)), "unknown_network")
    assert (problem.row, problem.value) == (5, "Borl\\u202eänge")
    # The partner feed: a text cell with an escape sequence, and its report printed escaped.
    records_text = csv_text().replace(";Fordon;", ";Ford\u009b31mon;", 1)
    report = csv_report(tmp_path, records_text)
    [problem] = report.problems
    assert (problem.code, problem.sheet, problem.column) == ("unsafe_text", "Utsläpp", "Kategori")
    assert "\u009b" not in format_report(report) and "Ford\\x9b31mon" in format_report(report)


def test_a_long_source_note(tmp_path):
    text = energy_text().replace(";".join(MF.SOURCE), "Källa;" + "S" * 250, 1)
    problem = only(load_feed(energy_file(tmp_path, text)), "unsafe_text")
    assert problem.message == (
        "The line 'källa' has text that is too long (250 characters) or holds control or "
        "invisible characters."
    )


def test_too_many_networks_and_too_many_problems(tmp_path):
    rows = [{**row, "Nät": f"Nät {i}"} for i, row in enumerate(MF.year_rows(months=range(1)) * 11)]
    text = MF.csv_text(rows, period=("2025-01", "2025-01"))
    feed = load_feed(energy_file(tmp_path, text))
    assert one(feed, "too_many_networks").message == (
        "The file names 22 networks; Borlänge Energi reports at most 20."
    )
    feed = load_feed(
        energy_file(tmp_path, all_bad_cells(months=3)), Limits(max_problems=20)
    )  # 78 bad cells
    assert len(feed.problems) == 21 and feed.problems[-1].code == "too_many_problems"
    report = csv_report(
        tmp_path, all_bad_partner_cells(2), limits=FileLimits(max_problems=20)
    )  # 46 bad cells
    assert len(report.problems) == 21 and report.problems[-1].code == "too_many_problems"
    assert report.problems[-1].message.startswith(
        "More than 20 problems: only the first 20 are shown."
    )


def test_no_exception_from_the_readers_escapes(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a reader's bug")

    monkeypatch.setattr(energy_parse, "to_long", broken)
    problem = only(load_feed_bytes("report.csv", energy_text().encode()), "unreadable_file")
    assert problem.message == "The file could not be validated (RuntimeError: a reader's bug)."


# ------------------------------------------------------------------------- the downloaded workbooks


def test_smhi_and_sei_workbooks_pass_the_same_guard(monkeypatch):
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *_a, **_k: pytest.fail("openpyxl opened a bomb")
    )
    bomb = zip_bomb(101)
    with pytest.raises(
        smhi.SmhiFormatError,
        match=r"bomb\.xlsx: The workbook unpacks to 101\.0 MB \(at most "
        r"100\.0 MB\)\. \(expected an \.xlsx workbook as SMHI exports",
    ):
        smhi.parse_smhi_excel(bomb, file_name="bomb.xlsx", sub="GGT", reference=None)
    with pytest.raises(
        consumption.SeiFormatError,
        match=r"not a workbook SEI shares: The workbook's part "
        r"'xl/worksheets/sheet1.xml' unpacks to",
    ):
        consumption.parse_sei_households(
            zip_bomb(20), file_name="Klimatkollen_data for 2023_shared April 2026.xlsx"
        )


# -------------------------------------------------------------- the command line, in bounded memory

PARTNER_ENERGY_HEADER = "Energi;Energibärare;Energianvändning (MWh);Leverantör;Kommentar\n"
# (name, content builder, feeds that read it, the problem code each reports)
HOSTILE = [
    (
        "zip_bomb.xlsx",
        lambda: zip_bomb(200),
        {"energy": "xlsx_too_large_uncompressed", "partners": "xlsx_too_large_uncompressed"},
    ),
    (
        "ratio_bomb.xlsx",
        lambda: zip_bomb(90),
        {"energy": "xlsx_compression_ratio", "partners": "xlsx_compression_ratio"},
    ),
    (
        "entries.xlsx",
        lambda: many_entries(50_000),
        {"energy": "xlsx_too_many_entries", "partners": "xlsx_too_many_entries"},
    ),
    (
        "shared_strings.xlsx",
        lambda: shared_strings_bomb(4_000_000),
        {"energy": "xlsx_part_too_large", "partners": "xlsx_part_too_large"},
    ),
    (
        "giant_row.xlsx",
        lambda: giant_row(1_000_000),
        {"energy": "xlsx_bad_worksheet", "partners": "xlsx_bad_worksheet"},
    ),
    (
        "row_beyond_excel.xlsx",
        row_beyond_excel,
        {"energy": "xlsx_bad_worksheet", "partners": "xlsx_bad_worksheet"},
    ),
    (
        "billion_laughs.xlsx",
        billion_laughs_in_strings,
        {"energy": "unreadable_file", "partners": "unreadable_xlsx"},
    ),
    (
        "million_rows.csv",
        lambda: (energy_text() + "x;1\r\n" * 1_000_000).encode(),
        {"energy": "too_many_rows"},
    ),
    (
        "million_partner_rows.csv",
        lambda: (PARTNER_ENERGY_HEADER + "Energi;el;1\n" * 800_000).encode(),
        {"partners": "too_many_rows"},
    ),
    (
        "wide.csv",
        lambda: b"N\xc3\xa4t" + b";x" * 2_000_000,
        {"energy": "too_many_columns", "partners": "too_many_columns"},
    ),
    (
        "open_quote.csv",
        lambda: b'Organisation;"' + b"x" * 5_000_000,
        {"energy": "field_too_long", "partners": "field_too_long"},
    ),
    (
        "utf16.csv",
        lambda: b"\xff\xfe" + energy_text().encode("utf-16-le"),
        {"energy": "unsupported_encoding", "partners": "unsupported_encoding"},
    ),
    (
        "too_large.csv",
        lambda: b"# " + b"x" * (11 * MIB),
        {"energy": "file_too_large", "partners": "file_too_large"},
    ),
    (
        "centuries.csv",
        lambda: energy_text(("Borlänge", "Ornäs"), range(12), ("0001-01", "9999-12")).encode(),
        {"energy": "invalid_period"},
    ),
    (
        "all_bad_cells.csv",
        lambda: all_bad_cells(months=12, copies=300).encode(),
        {"energy": "too_many_problems"},
    ),
    (
        "all_bad_partner_cells.csv",
        lambda: all_bad_partner_cells(9_000).encode(),
        {"partners": "too_many_problems"},
    ),
]
RUNS = [(name, feed) for name, _, feeds in HOSTILE for feed in feeds]

# One process imports the command line once, then forks a child per run that calls what the
# `borlange` script calls (pipelines.cli:main) and waits for it with os.wait4: the child's own
# peak RSS, from the same baseline as a fresh `borlange` (its imports), without paying the ~2 s
# Dagster import per file. test_the_borlange_command_itself checks the real command on two files.
MEASURER = """
import json, os, sys
from pipelines.cli import main
results = []
for feed, path, out in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1); os.dup2(fd, 2)
        try:
            code = main(["validate", feed, "--json", path])
        except SystemExit as stop:
            code = stop.code
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 2)
    _, status, usage = os.wait4(pid, 0)
    results.append([os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024])
print(json.dumps(results))
"""


def measure(runs: list[tuple[str, Path]]) -> list[tuple[int, float, str]]:
    """(exit code, peak RSS in MB, output) of `validate <feed> --json <path>` for each run."""
    jobs = [(feed, str(path), str(path) + f".{feed}.out") for feed, path in runs]
    done = subprocess.run(
        [sys.executable, "-c", MEASURER, json.dumps(jobs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return [
        (code, peak, Path(out).read_text(encoding="utf-8", errors="replace"))
        for (code, peak), (_, _, out) in zip(json.loads(done.stdout), jobs, strict=True)
    ]


def run_borlange(feed: str, path: Path) -> tuple[int, float, str]:
    """The real `borlange validate <feed> <path>`, started from a small intermediary process whose
    only child it is: RUSAGE_CHILDREN there is that child's peak (started from pytest, a child's
    figure would include pytest's own memory, copied at the fork)."""
    probe = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, "
        "text=True); print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss "
        "/ 1024); print(r.stdout + r.stderr, end='')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(BORLANGE_CLI), "validate", feed, "--json", str(path)],
        capture_output=True,
        text=True,
        cwd=path.parent,
    )
    first, _, output = done.stdout.partition("\n")
    code, peak = first.split()
    return int(code), float(peak), output


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for name, build, _ in HOSTILE:
        (folder / name).write_bytes(build())
    return folder


@pytest.fixture(scope="module")
def measured(hostile_folder):
    results = measure([(feed, hostile_folder / name) for name, feed in RUNS])
    return {
        run: (*result, (hostile_folder / run[0]).stat().st_size)
        for run, result in zip(RUNS, results, strict=True)
    }


@pytest.mark.parametrize(("name", "feed"), RUNS, ids=[f"{feed}-{name}" for name, feed in RUNS])
def test_the_validator_refuses_each_hostile_file_in_bounded_memory(measured, name, feed):
    code = next(feeds[feed] for n, _, feeds in HOSTILE if n == name)
    exit_code, peak_mb, output, _ = measured[(name, feed)]
    assert exit_code == 1, output[-2000:]
    assert f'"code": "{code}"' in output, output[-2000:]
    assert f'"file": "{name}"' in output
    assert "Traceback" not in output
    assert peak_mb < PEAK_MB, f"{feed} {name}: {peak_mb:.0f} MB"


@pytest.mark.parametrize(
    ("name", "feed"),
    [
        ("million_rows.csv", "energy"),
        ("wide.csv", "energy"),
        ("shared_strings.xlsx", "partners"),
        ("million_partner_rows.csv", "partners"),
    ],
)
def test_the_borlange_command_itself(hostile_folder, name, feed):
    code = next(feeds[feed] for n, _, feeds in HOSTILE if n == name)
    exit_code, peak_mb, output = run_borlange(feed, hostile_folder / name)
    assert exit_code == 1 and f'"code": "{code}"' in output, output[-2000:]
    assert peak_mb < PEAK_MB
    print(f"\nborlange validate {feed} {name}: exit {exit_code}, peak {peak_mb:.0f} MB")


def test_peak_memory_per_hostile_file(measured):
    """The figures, for the record (pytest -s shows them)."""
    lines = [f"{'file':28} {'bytes':>10}  {'feed':8} {'exit':>4} {'peak MB':>8}"]
    for (name, feed), (exit_code, peak_mb, _, size) in measured.items():
        lines.append(f"{name:28} {size:>10,}  {feed:8} {exit_code:>4} {peak_mb:>8.0f}")
    print("\n" + "\n".join(lines))
    assert max(peak for _, peak, _, _ in measured.values()) < PEAK_MB
