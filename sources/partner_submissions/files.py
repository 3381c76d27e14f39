"""Checks on the file itself, before any of its contents are parsed.

All pure: names are strings, contents are bytes. The order in `validate_submission` is
name -> extension -> existence and size -> magic bytes -> (xlsx) zip directory -> parse.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from sources.partner_submissions import problems as P

SUPPORTED_SUFFIXES = (".xlsx", ".csv")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"        # the old binary Office formats (.xls, .doc)
WORKBOOK_PART = "xl/workbook.xml"
# C0 control bytes that never occur in a text CSV (tab, LF, FF, CR and the DOS EOF 0x1A are allowed).
_DRIVE = re.compile(r"^[A-Za-z]:")                      # C:..., a Windows absolute path
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f]")


@dataclass(frozen=True)
class Limits:
    """Guards against oversize and malicious files. All configurable; the defaults suit a filled template."""

    max_file_bytes: int = 10 * 1024 * 1024             # the file as sent
    max_uncompressed_bytes: int = 100 * 1024 * 1024    # an xlsx: the sum of its zip entries' sizes
    max_zip_entries: int = 1000                         # an xlsx: number of zip entries
    max_rows: int = 10_000                              # data rows per sheet
    max_columns: int = 50                               # columns read per sheet


def check_file_name(name: str) -> list[P.Msg]:
    """Problems with an untrusted file name (or relative path), without touching the file system.

    Rejected: empty names, NUL and other control characters, backslashes, absolute paths
    (`/x`, `C:...`), `..` components and components that start with a dot (hidden files, `./`).
    """
    if name == "":
        return [P.unsafe_file_name(name, "empty")]
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return [P.unsafe_file_name(name, "control")]
    if "\\" in name:
        return [P.unsafe_file_name(name, "backslash")]
    if name.startswith("/") or _DRIVE.match(name):
        return [P.unsafe_file_name(name, "absolute")]
    parts = name.split("/")
    if ".." in parts:
        return [P.unsafe_file_name(name, "traversal")]
    if any(part.startswith(".") for part in parts):
        return [P.unsafe_file_name(name, "leading_dot")]
    return []


def suffix_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def check_suffix(name: str) -> list[P.Msg]:
    suffix = suffix_of(name)
    return [] if suffix in SUPPORTED_SUFFIXES else [P.unsupported_file_type(name, suffix)]


def check_size(size: int, limits: Limits) -> list[P.Msg]:
    if size == 0:
        return [P.empty_file()]
    if size > limits.max_file_bytes:
        return [P.file_too_large(size, limits.max_file_bytes)]
    return []


def check_xlsx_bytes(data: bytes, limits: Limits) -> list[P.Msg]:
    """Magic bytes and the zip directory: a real workbook, not too many entries, not a zip bomb.

    Runs BEFORE openpyxl sees the bytes. The declared sizes are trustworthy enough: Python's
    zipfile stops inflating an entry at its declared size and fails on a CRC mismatch.
    """
    if data.startswith(OLE2_MAGIC):
        return [P.not_xlsx("xls")]
    if not data.startswith(ZIP_MAGIC):
        return [P.not_xlsx("not_zip")]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [P.not_xlsx("not_zip")]
    if len(infos) > limits.max_zip_entries:
        return [P.xlsx_too_many_entries(len(infos), limits.max_zip_entries)]
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        return [P.xlsx_too_large_uncompressed(total, limits.max_uncompressed_bytes)]
    if WORKBOOK_PART not in {info.filename for info in infos}:
        return [P.not_xlsx("no_workbook")]
    return []


def decode_csv_bytes(data: bytes) -> tuple[str | None, list[P.Msg]]:
    """The text of a CSV file (UTF-8, with or without BOM, else Windows-1252), or the problem."""
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE2_MAGIC):
        return None, [P.not_csv("xlsx")]
    if _BINARY_BYTES.search(data):
        return None, [P.not_csv("binary")]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    return None, [P.not_csv("encoding")]
