"""Checks on the file itself, before any of its contents are parsed.

All pure: names are strings, contents are bytes. The order in `validate_submission` is
name -> extension -> existence and size -> magic bytes -> (xlsx) zip directory and worksheets ->
parse. The limits and guards are the ones both file feeds share (sources/file_limits.py); this
module words their refusals in Swedish and English.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from sources import file_limits as F
from sources.file_limits import FileLimits, Refusal
from sources.partner_submissions import problems as P

SUPPORTED_SUFFIXES = (".xlsx", ".csv")
_DRIVE = re.compile(r"^[A-Za-z]:")  # C:..., a Windows absolute path

# The partner feed's limits are the shared ones, with the shared defaults.
Limits = FileLimits


def check_file_name(name: str) -> list[P.Msg]:
    """Problems with an untrusted file name (or relative path), without touching the file system.

    Rejected: empty names, NUL and other control characters, invisible and bidirectional-text
    characters (a right-to-left override shows a name reversed), backslashes, absolute paths
    (`/x`, `C:...`), `..` components and components that start with a dot (hidden files, `./`).
    """
    if name == "":
        return [P.unsafe_file_name(name, "empty")]
    if not F.is_safe_text(name):
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
    return [] if suffix in SUPPORTED_SUFFIXES else [P.unsupported_file_type(suffix)]


def check_size(size: int, limits: Limits) -> list[P.Msg]:
    refusal = F.check_size(size, limits)
    return [refusal_msg(refusal)] if refusal else []


def check_xlsx_bytes(data: bytes, limits: Limits) -> list[P.Msg]:
    """Magic bytes, the zip directory and the worksheets' shape: a real workbook, not a zip bomb.
    Runs BEFORE openpyxl sees the bytes."""
    refusal = F.check_xlsx(data, limits)
    return [refusal_msg(refusal)] if refusal else []


def decode_csv_bytes(data: bytes) -> tuple[str | None, list[P.Msg]]:
    """The text of a CSV file (UTF-8, with or without BOM, else Windows-1252), or the problem."""
    text, refusal = F.decode_text(data)
    return text, [refusal_msg(refusal)] if refusal else []


def refusal_msg(refusal: Refusal) -> P.Msg:
    """A shared guard's refusal as this feed's bilingual message."""
    r = refusal
    match r.code:
        case "empty_file":
            return P.empty_file()
        case "file_too_large":
            return P.file_too_large(int(r.found), int(r.limit))
        case "not_xlsx":
            return P.not_xlsx(r.reason)
        case "xlsx_too_many_entries":
            return P.xlsx_too_many_entries(int(r.found), int(r.limit))
        case "xlsx_too_large_uncompressed":
            return P.xlsx_too_large_uncompressed(int(r.found), int(r.limit))
        case "xlsx_compression_ratio":
            return P.xlsx_compression_ratio(r.reason, r.found, r.limit)
        case "xlsx_part_too_large":
            return P.xlsx_part_too_large(r.reason, int(r.found), int(r.limit))
        case "xlsx_bad_worksheet":
            return P.xlsx_bad_worksheet(r.sheet, r.reason, r.limit)
        case "xlsx_unreadable":
            return P.unreadable_xlsx(r.reason)
        case "not_text":
            return P.not_csv("xlsx" if r.reason == "workbook" else "binary")
        case "undecodable":
            return P.not_csv("encoding")
        case "unsupported_encoding":
            return P.unsupported_encoding(r.reason)
        case "too_many_columns":
            return P.too_many_fields(int(r.found), int(r.limit))
        case "field_too_long":
            return P.field_too_long(int(r.limit))
        case _:  # unreadable_csv, and whatever a later guard adds
            return P.unreadable_csv(r.reason or r.code)
