"""The limits and guards both file feeds share (partner submissions, Borlänge Energi's reports).

Plain Python, no Dagster. Every guard looks at the bytes before a parser does and never raises on
hostile input: it returns a `Refusal` (a code and the figures), which each feed words in its own
language (the partner feed in Swedish and English, the energy feed in English).

    limits = FileLimits()
    check_size(len(data), limits)            # empty, or over max_file_bytes
    check_xlsx(data, limits) # before openpyxl: the zip directory, then the worksheets' shape text,
    refusal = decode_text(data) # UTF-8 (BOM or not) or Windows-1252; UTF-16/32 named and refused
    reader = BoundedCsv(text, limits) # records, stopping at max_rows, max_columns, max_field_chars
    for line, fields in reader: ... reader.refusal # why it stopped early, or None

Why the xlsx guard has two steps: the zip directory (`check_xlsx_archive`) is read without
inflating anything and bounds what an archive can unpack to. openpyxl then parses every part
except the worksheets whole (styles, shared strings: ~25 bytes of memory per byte of small XML
elements), so every other part gets its own, smaller cap. The worksheets it streams, but it keeps
elements that are not in a row and builds a whole row at once, so `check_xlsx_worksheets` streams
each worksheet through expat first (memory: one chunk) and refuses shapes Excel cannot write.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

MIB = 1024 * 1024

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.xls, .doc)
WORKBOOK_PART = "xl/workbook.xml"
WORKSHEET_PARTS = re.compile(r"^xl/worksheets/[^/]+\.xml$")

# What Excel itself cannot write; a worksheet beyond these is not a workbook someone filled in.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
# Elements of a worksheet outside its rows (views, column widths, merged cells, validations...):
# a filled-in sheet has tens; openpyxl keeps them all in memory while it reads.
MAX_ELEMENTS_OUTSIDE_ROWS = 100_000
ELEMENTS_PER_CELL = 4  # <c>, <v> or <f>, <is><t>
# A compression ratio is judged only for an entry this large: small parts compress as they like.
RATIO_FLOOR_BYTES = 1 * MIB
SAMPLE_BYTES = 4096  # what the encoding sniffer looks at

# C0 control bytes that never occur in a text CSV (tab, LF, FF, CR and the DOS EOF 0x1A are
# allowed).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")
# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
)
# Characters allowed in free text besides the printable ones: the spaces Excel writes in numbers.
_TEXT_SPACES = frozenset({"\u00a0", "\u202f"})
_LINE_BREAKS = frozenset({"\n", "\r", "\t"})


@dataclass(frozen=True)
class FileLimits:
    """Guards against oversize and malicious files, shared by both feeds. The defaults suit a
    filled-in partner template and a year of monthly energy reports with room to spare."""

    max_file_bytes: int = 10 * MIB  # the file as sent
    max_uncompressed_bytes: int = 100 * MIB  # an xlsx: the sum of its zip entries' declared sizes
    max_zip_entries: int = 1000  # an xlsx: number of zip entries
    max_compression_ratio: float = (
        100.0  # an xlsx: one entry's unpacked / packed size (entries > 1 MiB)
    )
    max_part_bytes: int = 4 * MIB  # an xlsx: each part but the worksheets (see check_xlsx_archive)
    max_rows: int = 10_000  # rows: a sheet's data rows (partners), a file's lines (energy)
    max_columns: int = 50  # fields of a CSV line, columns read of a sheet
    max_field_chars: int = 1_000  # characters in one field or cell
    max_problems: int = 1_000  # problems listed per file; beyond them one too_many_problems


# The defaults as one shared value (FileLimits is frozen), for signatures that default to them.
DEFAULT_LIMITS = FileLimits()


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused before it is parsed. The feeds turn it into their own Problem."""

    code: str  # empty_file, file_too_large, not_xlsx, xlsx_*, not_text, unsupported_encoding,
    # undecodable, unreadable_csv, too_many_rows, too_many_columns, field_too_long
    reason: str = (
        ""  # the detail: 'xls', 'not_zip', 'no_workbook'; an encoding's name; a part's name
    )
    found: float | None = None  # the figure found (bytes, entries, ratio, rows, characters)
    limit: float | None = None  # the limit it broke
    row: int | None = None  # 1-based line or row where a reader stopped
    column: int | None = None  # 0-based field index there
    sheet: str | None = None  # an xlsx part, e.g. xl/worksheets/sheet1.xml


# --------------------------------------------------------------------------- size


def check_size(size: int, limits: FileLimits) -> Refusal | None:
    if size == 0:
        return Refusal("empty_file")
    if size > limits.max_file_bytes:
        return Refusal("file_too_large", found=size, limit=limits.max_file_bytes)
    return None


# --------------------------------------------------------------------------- xlsx


def check_xlsx(data: bytes, limits: FileLimits) -> Refusal | None:
    """Everything an xlsx must pass before openpyxl opens it: the archive, then its worksheets."""
    return check_xlsx_archive(data, limits) or check_xlsx_worksheets(data)


def check_xlsx_archive(data: bytes, limits: FileLimits) -> Refusal | None:
    """Magic bytes and the zip central directory: a real workbook, not too many entries, not a zip
    bomb.

    Nothing is inflated. The declared sizes are trustworthy enough: Python's zipfile (which
    openpyxl uses) stops inflating an entry at its declared size and fails on a CRC mismatch.
    """
    if data.startswith(OLE2_MAGIC):
        return Refusal("not_xlsx", "xls")
    if not data.startswith(ZIP_MAGIC):
        return Refusal("not_xlsx", "not_zip")
    declared = declared_entry_count(data)
    if declared is not None and declared > limits.max_zip_entries:
        return Refusal("xlsx_too_many_entries", found=declared, limit=limits.max_zip_entries)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        KeyError,
        IndexError,
    ):
        return Refusal("not_xlsx", "not_zip")
    if len(infos) > limits.max_zip_entries:
        return Refusal("xlsx_too_many_entries", found=len(infos), limit=limits.max_zip_entries)
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        return Refusal(
            "xlsx_too_large_uncompressed", found=total, limit=limits.max_uncompressed_bytes
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            return Refusal(
                "xlsx_compression_ratio",
                info.filename,
                found=ratio,
                limit=limits.max_compression_ratio,
            )
        # Every part is either a worksheet, streamed through expat by check_xlsx_worksheets, or
        # small: openpyxl parses styles and shared strings whole, and a crafted relationship can
        # make it read any part (an "image") as a worksheet.
        if not WORKSHEET_PARTS.match(info.filename) and info.file_size > limits.max_part_bytes:
            return Refusal(
                "xlsx_part_too_large",
                info.filename,
                found=info.file_size,
                limit=limits.max_part_bytes,
            )
    if WORKBOOK_PART not in {info.filename for info in infos}:
        return Refusal("not_xlsx", "no_workbook")
    return None


def declared_entry_count(data: bytes) -> int | None:
    """The entry count of the end-of-central-directory record, read before zipfile builds one
    object per entry (None when there is no record, or it defers to ZIP64)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or end + 22 > len(data):
        return None
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    return None if count == 0xFFFF else count


def check_xlsx_worksheets(data: bytes) -> Refusal | None:
    """Stream every worksheet through expat and refuse what Excel cannot write: a row number past
    1 048 576, more than 16 384 cells in a row, more than 32 767 characters in a cell, a document
    type declaration (entities), or a crowd of elements outside the rows. Call after the archive
    check, which bounds how much there is to stream."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if WORKSHEET_PARTS.match(info.filename):
                    refusal = _scan_worksheet(archive, info)
                    if refusal is not None:
                        return refusal
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        KeyError,
        IndexError,
        NotImplementedError,
        RuntimeError,
    ) as error:  # a broken entry, an unknown compression, encryption
        return Refusal("xlsx_unreadable", type(error).__name__)
    return None


class _Refused(Exception):
    def __init__(self, refusal: Refusal):
        self.refusal = refusal


class _WorksheetShape:
    """expat handlers that count as the worksheet streams past; they raise `_Refused` at a limit."""

    def __init__(self, part: str):
        self.part = part
        self.depth = 0
        self.row_depth = 0  # the depth of the open <row>, 0 outside rows
        self.row = 0
        self.cells = 0
        self.row_elements = 0
        self.outside = 0
        self.text = 0

    def refuse(self, reason: str, found: float, limit: float) -> None:
        raise _Refused(
            Refusal(
                "xlsx_bad_worksheet",
                reason,
                found=found,
                limit=limit,
                row=self.row or None,
                sheet=self.part,
            )
        )

    def start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        self.text = 0
        if self.row_depth:
            self.row_elements += 1
            if name == "c" or name.endswith(":c"):
                self.cells += 1
                if self.cells > EXCEL_MAX_COLUMNS:
                    self.refuse("cells_in_row", self.cells, EXCEL_MAX_COLUMNS)
            if self.row_elements > EXCEL_MAX_COLUMNS * ELEMENTS_PER_CELL:
                self.refuse(
                    "elements_in_row", self.row_elements, EXCEL_MAX_COLUMNS * ELEMENTS_PER_CELL
                )
        elif name == "row" or name.endswith(":row"):
            self.row_depth, self.cells, self.row_elements = self.depth, 0, 0
            number = attributes.get("r")
            self.row = int(number) if number is not None and number.isdigit() else self.row + 1
            if self.row > EXCEL_MAX_ROWS:
                self.refuse("row_number", self.row, EXCEL_MAX_ROWS)
        else:
            self.outside += 1
            if self.outside > MAX_ELEMENTS_OUTSIDE_ROWS:
                self.refuse("elements_outside_rows", self.outside, MAX_ELEMENTS_OUTSIDE_ROWS)

    def end(self, _name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1
        self.text = 0

    def characters(self, text: str) -> None:
        self.text += len(text)
        if self.text > EXCEL_MAX_CELL_CHARS:
            self.refuse("cell_chars", self.text, EXCEL_MAX_CELL_CHARS)

    def doctype(self, *_args) -> None:
        raise _Refused(Refusal("xlsx_bad_worksheet", "doctype", sheet=self.part))


def _scan_worksheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Refusal | None:
    shape = _WorksheetShape(info.filename)
    parser = expat.ParserCreate()
    parser.buffer_text = True  # one call per text node, not per chunk of it
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    parser.CharacterDataHandler = shape.characters
    parser.StartDoctypeDeclHandler = shape.doctype
    parser.EntityDeclHandler = shape.doctype
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as refused:
        return refused.refusal
    except expat.ExpatError as error:
        return Refusal(
            "xlsx_unreadable",
            f"XML error: {expat.ErrorString(error.code)}",
            row=shape.row or None,
            sheet=info.filename,
        )
    return None


# --------------------------------------------------------------------------- text


def sniff_encoding(data: bytes) -> str | Refusal:
    """The codec to read a text file with ('utf-8-sig' or 'cp1252'), or why it is not text we read.

    UTF-8 comes first, since Windows-1252 would also 'decode' UTF-8 bytes, wrongly. UTF-16 and
    UTF-32 are named, by their byte-order mark or, without one, by where their NUL bytes fall.
    """
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE2_MAGIC):
        return Refusal("not_text", "workbook")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Refusal("unsupported_encoding", name)
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        guess = _wide_encoding(sample)
        return Refusal("unsupported_encoding", guess) if guess else Refusal("not_text", "binary")
    if _BINARY_BYTES.search(data):
        return Refusal("not_text", "binary")
    try:
        data.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as error:  # the 5 bytes Windows-1252 leaves undefined
        return Refusal("undecodable", error.reason, found=error.start)


def _wide_encoding(sample: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark: text in Latin letters has a NUL in every other byte
    (UTF-16) or in three of four (UTF-32), on a fixed side."""

    def share(offset: int, step: int) -> float:
        part = sample[offset::step]
        return part.count(0) / max(len(part), 1)

    if len(sample) >= 8:
        if share(1, 4) > 0.9 and share(2, 4) > 0.9 and share(3, 4) > 0.9:
            return "UTF-32 LE (no byte-order mark)"
        if share(0, 4) > 0.9 and share(1, 4) > 0.9 and share(2, 4) > 0.9:
            return "UTF-32 BE (no byte-order mark)"
    if share(1, 2) > 0.3 and share(0, 2) < 0.05:
        return "UTF-16 LE (no byte-order mark)"
    if share(0, 2) > 0.3 and share(1, 2) < 0.05:
        return "UTF-16 BE (no byte-order mark)"
    return None


def decode_text(data: bytes) -> tuple[str | None, Refusal | None]:
    """The text of a CSV file, or the refusal."""
    encoding = sniff_encoding(data)
    if isinstance(encoding, Refusal):
        return None, encoding
    return data.decode(encoding), None


def is_safe_text(text: str, *, line_breaks: bool = False) -> bool:
    """Printable text: no control, format (e.g. right-to-left override), private or unassigned
    characters; the no-break spaces Excel writes are allowed, and line breaks and tabs when asked
    (an Excel cell may hold several lines)."""
    allowed = _TEXT_SPACES | _LINE_BREAKS if line_breaks else _TEXT_SPACES
    return all(ch.isprintable() or ch in allowed for ch in text)


def printable(text: str) -> str:
    """Text safe to print in a report: each character `is_safe_text` refuses as an escape."""
    if is_safe_text(text):
        return text
    return "".join(ch if ch.isprintable() or ch in _TEXT_SPACES else _escape(ch) for ch in text)


def foreign_digits(text: str) -> str | None:
    """The script of the first decimal digit in `text` that is not ASCII 0–9 ('Arabic-Indic',
    'Fullwidth', 'Mathematical Bold', 'Devanagari' ...), or None. Python's `\\d`, int() and float()
    read every script's digits (`float('٤١')` is 41.0); a number in these feeds is written 0–9."""
    for ch in text:
        if ch.isdecimal() and not "0" <= ch <= "9":
            name = unicodedata.name(ch, "")
            return name.rsplit(" DIGIT ", 1)[0].title() if " DIGIT " in name else "non-ASCII"
    return None


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit written 0–9: how a message shows what was meant."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


# --------------------------------------------------------------------------- wording


def size_text(n_bytes: float) -> str:
    """1.0 kB below a megabyte, else 12.3 MB (binary units, one decimal)."""
    if n_bytes < MIB:
        return f"{n_bytes / 1024:.1f} kB"
    return f"{n_bytes / MIB:.1f} MB"


_NOT_XLSX = {
    "xls": "it is in the old Excel format (.xls)",
    "not_zip": "it is not a zip archive",
    "no_workbook": f"it is a zip archive without {WORKBOOK_PART}",
}
_NOT_TEXT = {
    "workbook": "it is an Excel workbook, not text",
    "binary": "it contains binary data, not text",
}
_BAD_WORKSHEET = {
    "row_number": "a row number beyond Excel's last row ({limit:,.0f})",
    "cells_in_row": "a row with more than {limit:,.0f} cells, Excel's last column",
    "elements_in_row": "a row with more than {limit:,.0f} elements",
    "cell_chars": "a cell with more than {limit:,.0f} characters, Excel's limit",
    "elements_outside_rows": "more than {limit:,.0f} elements outside its rows",
    "doctype": "a document type declaration (entities), which Excel never writes",
}


def describe(refusal: Refusal) -> str:
    """The refusal in a sentence of plain English, for feeds and parsers that report in English."""
    r, code = refusal, refusal.code
    if code == "empty_file":
        return "The file is empty."
    if code == "file_too_large":
        return f"The file is larger than the limit of {size_text(r.limit)}."
    if code == "not_xlsx":
        return (
            "The file is named .xlsx but is not an Excel workbook: "
            f"{_NOT_XLSX.get(r.reason, r.reason)}."
        )
    if code == "xlsx_too_many_entries":
        return (
            f"The workbook consists of {r.found:,.0f} parts (at most {r.limit:,.0f}); it is not "
            "an ordinary workbook."
        )
    if code == "xlsx_too_large_uncompressed":
        return f"The workbook unpacks to {size_text(r.found)} (at most {size_text(r.limit)})."
    if code == "xlsx_compression_ratio":
        return (
            f"The workbook's part '{r.reason}' unpacks to {r.found:,.0f} times its packed size "
            f"(at most {r.limit:,.0f}); only a crafted file (a zip bomb) packs like that."
        )
    if code == "xlsx_part_too_large":
        return (
            f"The workbook's part '{r.reason}' is {size_text(r.found)} unpacked (at most "
            f"{size_text(r.limit)})."
        )
    if code == "xlsx_bad_worksheet":
        what = _BAD_WORKSHEET.get(r.reason, r.reason).format(limit=r.limit or 0)
        return f"The worksheet '{r.sheet}' cannot have been written by Excel: it has {what}."
    if code == "xlsx_unreadable":
        return f"The workbook cannot be read ({r.reason})."
    if code == "not_text":
        return f"The file cannot be read as CSV: {_NOT_TEXT.get(r.reason, r.reason)}."
    if code == "unsupported_encoding":
        return f"The file is encoded as {r.reason}, which is not read."
    if code == "undecodable":
        return f"The file is neither UTF-8 nor Windows-1252 text (byte {r.found:,.0f}: {r.reason})."
    if code == "unreadable_csv":
        return f"The CSV cannot be read ({r.reason})."
    if code == "too_many_rows":
        return f"The file has more than {r.limit:,.0f} lines."
    if code == "too_many_columns":
        return f"The line has {r.found:,.0f} fields (at most {r.limit:,.0f})."
    if code == "field_too_long":
        return f"A field is longer than {r.limit:,.0f} characters."
    return f"The file is refused ({code} {r.reason})."


# --------------------------------------------------------------------------- csv


class BoundedCsv:
    """CSV records (first line number, fields), read lazily and stopped at a limit.

    It stops before the (max_records + 1)th record when `max_records` is given, at a line with
    more than max_columns fields (trailing empty fields not counted: Excel pads lines with `;`),
    at a field longer than max_field_chars and at anything the csv module refuses. `refusal`
    then says why, and where; a reader that read to the end has `refusal` None.
    """

    def __init__(
        self, text: str, limits: FileLimits, *, delimiter: str = ";", max_records: int | None = None
    ):
        self.text = text
        self.limits = limits
        self.delimiter = delimiter
        self.max_records = max_records
        self.refusal: Refusal | None = None

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(
            io.StringIO(self.text, newline=""), delimiter=self.delimiter, quotechar='"'
        )
        start, count = 1, 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                too_long = "field larger than field limit" in str(error)
                self.refusal = (
                    Refusal(
                        "field_too_long",
                        found=csv.field_size_limit(),
                        limit=self.limits.max_field_chars,
                        row=start,
                    )
                    if too_long
                    else Refusal("unreadable_csv", str(error), row=start)
                )
                return
            count += 1
            if self.max_records is not None and count > self.max_records:
                self.refusal = Refusal(
                    "too_many_rows", found=count, limit=self.max_records, row=start
                )
                return
            refusal = self._check(fields, start)
            if refusal is not None:
                self.refusal = refusal
                return
            yield start, fields
            start = reader.line_num + 1

    def _check(self, fields: list[str], line: int) -> Refusal | None:
        used = len(fields)
        while used and fields[used - 1] == "":
            used -= 1
        if used > self.limits.max_columns:
            return Refusal(
                "too_many_columns",
                found=used,
                limit=self.limits.max_columns,
                row=line,
                column=self.limits.max_columns,
            )
        for index, field in enumerate(fields[:used]):
            if len(field) > self.limits.max_field_chars:
                return Refusal(
                    "field_too_long",
                    found=len(field),
                    limit=self.limits.max_field_chars,
                    row=line,
                    column=index,
                )
        return None
