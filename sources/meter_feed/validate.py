"""Validate a meter file in bounded memory and write its rows, pseudonymised and normalised, to a
Parquet file in the lake partition's layout (plain Python, no Dagster).

    result = validate_file(Path("el_2024-03.csv.gz"), out_path=tmp / "rows.parquet", key=b"...")
    result.ok, result.problems, result.medium, result.month, result.rows, result.points
    result.report(), result.to_dict()

The file is read once, in batches (pyarrow's streaming CSV reader, or Parquet row groups), its
text columns as dictionaries: each cell check runs on a column's distinct values (a few thousand
starts, a GSRN per point, a handful of words) and is taken to the rows, and each distinct GSRN is
keyed-hashed once. A batch's valid rows are appended to `out_path`, written once and
dictionary-encoded in the lake's layout (pipelines/lib/meter_lake.py copies the file as the
partition), and, narrow (numbers for the texts), to a DuckDB table; the checks across rows
(duplicates, gaps, mixed resolutions, summer-time stamps, the solar clock) are group-bys over that
table with a memory limit, spilling to disk. Memory is one batch plus DuckDB's limit, whatever
the file's size.

Row numbers: CSV, the file's line (comment lines and the header counted, blank lines skipped);
Parquet, the 1-based row. A `MeterFile` is the feeds' shared `Validation` and its problems their
shared `Problem` (sources/feed_problems.py), the column being the contract's field. Problems never
print a GSRN (a point is named by its row), so a report can be shown to an operator. The codes:

  file      file_not_found, empty_file, file_too_large, unpacked_too_large, unsupported_encoding,
            unreadable_file, missing_column, too_many_rows, mixed_media, mixed_months,
            month_out_of_range, no_rows
  cells     invalid_gsrn, gsrn_check_digit, invalid_medium, invalid_direction, unknown_category,
            invalid_start, invalid_offset, start_out_of_range, misaligned_start, invalid_resolution,
            invalid_kwh, kwh_out_of_range, too_many_decimals, missing_value, invalid_quality,
            missing_network_area, unknown_network_area, negative_value, production_not_allowed,
            implausible_value

Starts with an offset other than +01:00 (Z, +02:00...) name their instant: they are converted to
normal time, and the report says how many from which offset.
  rows      duplicate, gap, mixed_resolution, summer_time_stamps, shifted_peak (production off the
            solar clock, checked only when starts have no offset)
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import hmac
import io
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sources.energy_feed.registry import load_network_areas
from sources.feed_problems import Problem, Validation
from sources.file_limits import Refusal, printable, sniff_encoding
from sources.meter_feed import contract as C

MIB = 1024 * 1024
PARQUET_MAGIC, GZIP_MAGIC = b"PAR1", b"\x1f\x8b"
LISTED_PER_CODE = 20  # problems listed per code; the rest are counted
PEEK_BYTES = 1 * MIB
SNIFF_BYTES = 4096  # where a UTF-16/32 file shows its byte-order mark or its NUL bytes
RATIO_FLOOR_BYTES = 1 * MIB  # a ratio is judged once this much is unpacked
# Every column but the value has few distinct values in a month (a few thousand starts, a GSRN
# per point, a handful of words): read as dictionaries, so that a check runs once per distinct
# value (`_codes`).
LOW_CARDINALITY = frozenset((*C.COLUMNS, *C.OPTIONAL_COLUMNS)) - {"kwh"}
DICTIONARY = pa.dictionary(pa.int32(), pa.string())

# A valid row as the checks across rows see it, narrow: the point by its number in the file
# (`Points`), each text by its number in the file's list of words (`Words`), its line in the file.
CHECKED = pa.schema(
    [
        ("point_id", pa.int32()),
        ("medium", pa.int32()),
        ("riktning", pa.int32()),
        ("natomrade", pa.int32()),
        ("kundkategori", pa.int32()),
        ("start_utc", pa.timestamp("us")),
        ("resolution_min", pa.int16()),
        ("wh", pa.int64()),
        ("kvalitet", pa.int32()),
        ("source_row", pa.int64()),
    ]
)


class Words(dict):
    """The distinct texts of a file's text columns, numbered as they are first seen."""

    def coded(self, codes: pa.DictionaryArray) -> pa.Array:
        """Each row's text as its number (a column's distinct values looked up once)."""
        numbers = [self.setdefault(word, len(self)) for word in codes.dictionary.to_pylist()]
        return pc.take(pa.array(numbers, pa.int32()), codes.indices)

    def number(self, word: str) -> int:
        """The number of `word`, -1 (no row's) when the file has none."""
        return self.get(word, -1)

    def array(self) -> pa.Array:
        """The words in their numbers' order (a null cell's word as an empty text: its rows'
        numbers are nulled where the words are a dictionary, `_lake_rows`)."""
        return pa.array(["" if word is None else word for word in self], pa.string())


class Points(dict):
    """A file's valid GSRNs, numbered as they are first seen, each keyed-hashed once then: a
    month of 30 000 points is 30 000 HMACs, however many values it has."""

    def __init__(self, key: bytes):
        super().__init__()
        self.key = key
        self.pseudonyms: list[str] = []

    def number(self, gsrn: str) -> int:
        if gsrn not in self:
            self[gsrn] = len(self.pseudonyms)
            self.pseudonyms.append(pseudonym(self.key, gsrn))
        return self[gsrn]


# A lake partition's columns (pipelines/lib/meter_lake.py), as the validator writes a valid file's
# rows: the texts dictionary-encoded (a point's pseudonym, a category: a handful of distinct
# values), so the file is written without a string per row.
LAKE = pa.schema(
    [
        ("point_id", DICTIONARY),
        ("riktning", DICTIONARY),
        ("natomrade", DICTIONARY),
        ("kundkategori", DICTIONARY),
        ("start_utc", pa.timestamp("us")),
        ("resolution_min", pa.int16()),
        ("wh", pa.int64()),
        ("kvalitet", DICTIONARY),
        ("is_synthetic", pa.bool_()),
        ("file_sha256", DICTIONARY),
    ]
)


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 4096 * MIB
    max_rows: int = 200_000_000  # 30 000 points x 31 days x 96 quarter-hours is 89 M
    block_bytes: int = 16 * MIB  # one CSV batch; a line longer than this is refused
    # A gzipped CSV, counted as it streams: 30 000 points x 31 days x 96 quarter-hours is ~8 GB of
    # text, and a meter CSV packs 5-15 to 1; a gzip bomb packs ~1000 to 1.
    max_unpacked_bytes: int = 16 * 1024 * MIB
    max_compression_ratio: float = 100.0
    max_row_group_bytes: int = 2048 * MIB  # a Parquet row group, unpacked (its metadata says)
    duckdb_memory: str = "1GB"


@dataclass
class MeterFile(Validation):
    """One meter file's validation, filled in as the file is read; its payload (a valid file's
    normalised rows in `out_path`, and their facts) is the file itself."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # code -> how many (listed or not)
    medium: str | None = None
    month: date | None = None
    rows: int = 0
    points: int = 0
    wh_total: int = 0
    resolutions: list[int] = field(default_factory=list)
    is_synthetic: bool = False
    naive_starts: int = 0  # starts without an offset: normal time by the contract, but unproven
    converted_offsets: Counter = field(default_factory=Counter)  # '+02:00' -> starts converted
    out_path: Path | None = None

    @property
    def ok(self) -> bool:
        """No problem but gaps (contract.WARNINGS): gaps are reported and the file loads."""
        return not any(code not in C.WARNINGS for code in self.counts)

    def add(
        self, row: int | None, column: str | None, value: str | None, code: str, message: str
    ) -> None:
        self.counts[code] += 1
        if self.counts[code] <= LISTED_PER_CODE:
            self.problems.append(Problem(self.file, row, column, value, code, message))

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok,
            "medium": self.medium,
            "month": self.month.strftime("%Y-%m") if self.month else None,
            "rows": self.rows,
            "points": self.points,
            "kwh": f"{self.wh_total / 1000:.3f}",
            "is_synthetic": self.is_synthetic,
            "converted_offsets": dict(sorted(self.converted_offsets.items())),
            "problem_counts": dict(sorted(self.counts.items())),
            "warnings": sorted(C.WARNINGS & set(self.counts)),
            "problems": [p.to_dict() for p in self.problems],
        }

    def report(self) -> str:
        return format_report(self)


def pseudonym(key: bytes, gsrn: str) -> str:
    """The point's id in the lake: HMAC-SHA256 of its GSRN under the secret key
    (METER_PSEUDONYM_KEY)."""
    return hmac.new(key, gsrn.encode("ascii"), hashlib.sha256).hexdigest()


def format_report(result: MeterFile) -> str:
    if result.ok:
        kwh = f"{result.wh_total / 1000:,.3f}".replace(",", " ")
        head = (
            f"OK {printable(result.file)}: {result.medium} {result.month:%Y-%m}, "
            f"{result.rows:,} values from "
            f"{result.points:,} metering points, {kwh} kWh"
            f"{' (SYNTHETIC)' if result.is_synthetic else ''}"
        )
        converted = (
            [
                "  starts converted to Swedish normal time (UTC+01:00): "
                + ", ".join(
                    f"{n:,} from {offset}" for offset, n in sorted(result.converted_offsets.items())
                )
            ]
            if result.converted_offsets
            else []
        )
        if not result.counts:
            return "\n".join([head, *converted]) + "\n"
        lines = [
            head + f"; {sum(result.counts.values()):,} gap(s), reported, the file loads",
            *converted,
        ]
    else:
        lines = [
            f"{printable(result.file)}: "
            f"{sum(n for c, n in result.counts.items() if c not in C.WARNINGS):,} problem(s), "
            "nothing loaded"
        ]
    for p in result.problems:
        where = ", ".join(
            x
            for x in (f"row {p.row}" if p.row else "", f"field {p.column}" if p.column else "")
            if x
        )
        value = f" (value {p.value!r})" if p.value not in (None, "") else ""
        lines.append(f"  {where or 'file'}: {p.code}: {p.message}{value}")
    hidden = {
        code: n - LISTED_PER_CODE
        for code, n in sorted(result.counts.items())
        if n > LISTED_PER_CODE
    }
    for code, more in hidden.items():
        lines.append(f"  ... and {more:,} more {code}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reading


class UnpackedTooLarge(OSError):
    """A gzipped file unpacks to more than the limits allow; raised while it streams."""


class _BoundedGunzip(io.RawIOBase):
    """A gzip file's unpacked bytes as a stream, counted as they come: past `max_unpacked_bytes`,
    or past `max_compression_ratio` to the packed bytes read so far, it stops (memory: one
    buffer; the bomb is never unpacked whole)."""

    def __init__(self, path: Path, limits: Limits):
        self._packed = open(path, "rb")  # closed by close()
        self._gzip = gzip.GzipFile(fileobj=self._packed, mode="rb")
        self._limits = limits
        self.unpacked = 0
        self.refusal: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._gzip.readinto(buffer)
        self.unpacked += count
        packed = max(self._packed.tell(), 1)
        if self.unpacked > self._limits.max_unpacked_bytes:
            self.refusal = (
                f"unpacks to more than {self._limits.max_unpacked_bytes:,} bytes, the most a "
                "gzipped meter file may hold; it was not unpacked further"
            )
        elif (
            self.unpacked > RATIO_FLOOR_BYTES
            and self.unpacked / packed > self._limits.max_compression_ratio
        ):
            self.refusal = (
                f"{packed:,} packed bytes unpack to {self.unpacked:,} ("
                f"{self.unpacked / packed:,.0f} to 1, more than "
                f"{self._limits.max_compression_ratio:g} to 1): a gzip bomb, not meter values; it "
                "was not unpacked further"
            )
        if self.refusal:
            raise UnpackedTooLarge(self.refusal)
        return count

    def close(self) -> None:
        self._gzip.close()
        self._packed.close()
        super().close()


def _encoding_problem(head: bytes, complete: bool, file: MeterFile) -> bool:
    """Adds the problem of a CSV that is not UTF-8 (its first MiB); True when there is one."""
    sample = head[:SNIFF_BYTES]
    if b"\x00" in sample or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        sniffed = sniff_encoding(sample)
        if isinstance(sniffed, Refusal) and sniffed.code == "unsupported_encoding":
            file.add(
                None,
                None,
                sniffed.reason,
                "unsupported_encoding",
                f"the file is {sniffed.reason}; meter files are UTF-8",
            )
            return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if complete or error.start < len(head) - 3:  # not a character cut at the peek's end
            line = head[: error.start].count(b"\n") + 1
            file.add(
                line,
                None,
                None,
                "unsupported_encoding",
                f"not UTF-8 (byte {head[error.start]:#04x} at this line): meter files are UTF-8; "
                "save the file as UTF-8 (Windows-1252 and UTF-16 are not read)",
            )
            return True
    return False


def _csv_layout(
    path: Path, compression: str | None, file: MeterFile
) -> tuple[int, list[str]] | None:
    """How many comment lines precede the header, and the header's names; notes a synthetic
    label."""
    with pa.input_stream(str(path), compression=compression) as stream:
        head = stream.read(PEEK_BYTES)
    if _encoding_problem(head, len(head) < PEEK_BYTES, file):
        return None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    comments = 0
    while comments < len(lines) and lines[comments].startswith("#"):
        if any(marker in lines[comments].upper() for marker in C.SYNTHETIC_MARKERS):
            file.is_synthetic = True
        comments += 1
    if comments >= len(lines):
        file.add(None, None, None, "no_rows", "the file has no header line")
        return None
    return comments, [name.strip().strip('"').lower() for name in lines[comments].split(";")]


def _batches(path: Path, file: MeterFile, limits: Limits):
    """(first row number, record batch of text or typed columns) for each batch of the file."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if not magic:
        file.add(None, None, None, "empty_file", "the file is empty")
        return
    if magic == PARQUET_MAGIC:
        parquet = pq.ParquetFile(str(path))
        metadata = parquet.schema_arrow.metadata or {}
        if any(
            metadata.get(k, b"").lower() in (b"true", b"1", b"ja")
            for k in (b"synthetic", b"syntetisk")
        ):
            file.is_synthetic = True
        largest = max(
            (parquet.metadata.row_group(i).total_byte_size for i in range(parquet.num_row_groups)),
            default=0,
        )
        if largest > limits.max_row_group_bytes:  # a row group is read whole: bound it unpacked
            file.add(
                None,
                None,
                None,
                "unpacked_too_large",
                f"a row group unpacks to {largest:,} bytes, more than the "
                f"{limits.max_row_group_bytes:,} a meter file's row group may hold; write smaller "
                "row groups",
            )
            return
        names = [n.lower() for n in parquet.schema_arrow.names]
        if _missing_columns(names, file, header_row=None):
            return
        wanted = [
            parquet.schema_arrow.names[names.index(c)]
            for c in (*C.COLUMNS, *C.OPTIONAL_COLUMNS)
            if c in names
        ]
        # The text columns of few distinct values come as dictionaries: each check reads a
        # column's distinct values once (`_codes`), not every row's.
        texts = [
            n
            for n in wanted
            if n.lower() in LOW_CARDINALITY
            and pa.types.is_string(parquet.schema_arrow.field(n).type)
        ]
        if texts:
            parquet = pq.ParquetFile(str(path), read_dictionary=texts)
        row = 1
        for batch in parquet.iter_batches(batch_size=1_000_000, columns=wanted):
            batch = batch.rename_columns([n.lower() for n in batch.schema.names])
            yield row, batch
            row += batch.num_rows
        return
    compression = "gzip" if magic[:2] == GZIP_MAGIC else None
    layout = _csv_layout(path, compression, file)
    if layout is None:
        return
    comments, header = layout
    if _missing_columns(header, file, header_row=comments + 1):
        return
    present = [c for c in (*C.COLUMNS, *C.OPTIONAL_COLUMNS) if c in header]
    unpacking = _BoundedGunzip(path, limits) if compression == "gzip" else None
    stream = pa.PythonFile(unpacking, mode="r") if unpacking else pa.input_stream(str(path))
    with stream:
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    skip_rows=comments + 1, column_names=header, block_size=limits.block_bytes
                ),
                parse_options=pacsv.ParseOptions(delimiter=";"),
                convert_options=pacsv.ConvertOptions(
                    column_types={
                        c: DICTIONARY if c in LOW_CARDINALITY else pa.string() for c in header
                    },
                    include_columns=present,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            row = comments + 2
            for batch in reader:
                yield row, batch
                row += batch.num_rows
        except (pa.ArrowException, OSError):
            if unpacking is not None and unpacking.refusal:  # however Arrow passed it on
                raise UnpackedTooLarge(unpacking.refusal) from None
            raise


def _missing_columns(names: list[str], file: MeterFile, header_row: int | None) -> bool:
    missing = [c for c in C.COLUMNS if c not in names]
    for column in missing:
        file.add(
            header_row,
            column,
            None,
            "missing_column",
            f"the column {column} is missing (expected: {';'.join(C.COLUMNS)})",
        )
    return bool(missing)


# --------------------------------------------------------------------------- one batch


def _codes(batch: pa.RecordBatch, name: str) -> pa.DictionaryArray:
    """The column as trimmed text, dictionary-encoded: a check runs on its distinct values and is
    taken to the rows (`_each`). A null cell points at a null entry, so a check sees it as it
    would see the row."""
    column = batch.column(name)
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    words = column.dictionary
    if not pa.types.is_string(words.type):
        words = pc.cast(words, pa.string())
    words = pc.utf8_trim_whitespace(words)
    indices = column.indices
    if indices.null_count:
        words = pa.concat_arrays([words, pa.nulls(1, pa.string())])
        indices = pc.fill_null(indices, len(words) - 1)
    return pa.DictionaryArray.from_arrays(indices, words)


def _each(codes: pa.DictionaryArray, per_word: pa.Array) -> pa.Array:
    """A result per distinct value (`per_word`, in the dictionary's order) for every row."""
    return pc.take(per_word, codes.indices)


def _text(batch: pa.RecordBatch, name: str) -> pa.Array:
    column = batch.column(name)
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, pa.string())
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.utf8_trim_whitespace(column)


# A refused code a report may repeat: an id (letters, digits, _.:+-, at most 32), never a run of 8
# digits (part of a GSRN, a phone number) or free text. Judged on the few listed values only.
_ID_LIKE = re.compile(r"[A-Za-z0-9_.:+-]{1,32}")
_DIGIT_RUN = re.compile(r"[0-9]{8}")


def _shown(value):
    if isinstance(value, str) and (not _ID_LIKE.fullmatch(value) or _DIGIT_RUN.search(value)):
        return None
    return value


def _flag(
    file: MeterFile,
    mask,
    rows: pa.Array,
    values: pa.Array | None,
    column: str,
    code: str,
    message: str,
    *,
    ids_only: bool = False,
) -> None:
    """The rows where `mask` holds as problems (the first LISTED_PER_CODE listed); with
    `ids_only`, a value is repeated only when it looks like an id (`_shown`)."""
    hits = pc.indices_nonzero(pc.fill_null(mask, False))
    if len(hits) == 0:
        return
    listed = max(0, LISTED_PER_CODE - file.counts[code])
    for i in hits.slice(0, listed).to_pylist():
        value = None if values is None else values[i].as_py()
        file.add(rows[i].as_py(), column, _shown(value) if ids_only else value, code, message)
    file.counts[code] += len(hits) - min(listed, len(hits))


def _start_utc(batch: pa.RecordBatch, rows: pa.Array, file: MeterFile) -> pa.Array:
    """Each row's start as a naive UTC instant; null where it is not a usable start (flagged)."""
    column = batch.column("start")
    if pa.types.is_timestamp(column.type):
        # Bounded in the column's own unit first: a far date (0001-01-01, year 200000) would
        # overflow the cast to microseconds or the hour of normal time taken off below.
        earliest, latest = (
            pa.scalar(
                moment.replace(tzinfo=UTC) if column.type.tz is not None else moment,
                column.type,
            )
            for moment in _start_bounds_normal()
        )
        outside = pc.or_(pc.less(column, earliest), pc.greater_equal(column, latest))
        shown = pc.cast(column, pa.string())  # the far value as sent, for the report
        column = pc.if_else(outside, pa.scalar(None, column.type), column)
        if column.type.tz is not None:  # an instant: its UTC value as is
            utc = pc.cast(pc.cast(column, pa.timestamp("us", "UTC")), pa.timestamp("us"))
        else:
            file.naive_starts += len(column)
            utc = pc.subtract(
                pc.cast(column, pa.timestamp("us")),
                pa.scalar(timedelta(hours=1), pa.duration("us")),
            )
        return _bounded_starts(utc, rows, outside, shown, file)
    # A month has a few thousand distinct starts: parse each once (the dictionary), then spread to
    # rows.
    encoded = _codes(batch, "start")
    parsed = _parse_starts(encoded.dictionary)
    text = encoded  # a row's value, for the few listed, is read through the dictionary
    per_row = ("invalid", "bad_offset", "seconds", "naive")
    masks = {name: pc.take(parsed[name], encoded.indices) for name in per_row}
    masks["invalid"] = pc.fill_null(masks["invalid"], True)  # a null start is not a start
    _flag(
        file,
        masks["invalid"],
        rows,
        text,
        "start",
        "invalid_start",
        "not an ISO 8601 interval start (YYYY-MM-DDTHH:MM[:SS], optionally Z or an offset such "
        "as +01:00), or not a date of the calendar",
    )
    _flag(
        file,
        masks["bad_offset"],
        rows,
        text,
        "start",
        "invalid_offset",
        "an offset outside -12:00 to +14:00, or with minutes of 60 or more",
    )
    _flag(
        file,
        masks["seconds"],
        rows,
        text,
        "start",
        "misaligned_start",
        "an interval starts on a whole minute (seconds 00)",
    )
    file.naive_starts += pc.sum(masks["naive"]).as_py() or 0
    # Offsets other than normal time's own, converted: counted per offset for the report, from
    # the distinct starts' counts (not a text column per row).
    uses = pc.value_counts(encoded.indices)
    used, times = uses.field("values"), uses.field("counts")
    converted = pc.fill_null(pc.take(parsed["converted"], used), False)
    offsets = pc.filter(pc.take(parsed["offset"], used), converted).to_pylist()
    for offset, count in zip(offsets, pc.filter(times, converted).to_pylist(), strict=True):
        file.converted_offsets[offset] += count
    utc = pc.if_else(
        pc.or_(masks["invalid"], pc.fill_null(masks["bad_offset"], False)),
        pa.scalar(None, pa.timestamp("us")),
        pc.take(parsed["utc"], encoded.indices),
    )
    return _bounded_starts(utc, rows, pa.nulls(len(utc), pa.bool_()), text, file)


def _start_bounds_normal() -> tuple[datetime, datetime]:
    first, last = C.START_YEARS
    return datetime(first, 1, 1), datetime(last + 1, 1, 1)


def _bounded_starts(
    utc: pa.Array, rows: pa.Array, outside: pa.Array, text: pa.Array, file: MeterFile
) -> pa.Array:
    """`utc` with the starts outside C.START_YEARS (in normal time) flagged and nulled."""
    earliest, latest = (
        pa.scalar(moment - timedelta(hours=1), pa.timestamp("us"))
        for moment in _start_bounds_normal()
    )
    outside = pc.or_(
        pc.fill_null(outside, False),
        pc.fill_null(pc.or_(pc.less(utc, earliest), pc.greater_equal(utc, latest)), False),
    )
    first, last = C.START_YEARS
    _flag(
        file,
        outside,
        rows,
        text,
        "start",
        "start_out_of_range",
        f"a start outside the years {first}-{last} (normal time): not a meter value's interval",
    )
    return pc.if_else(outside, pa.scalar(None, pa.timestamp("us")), utc)


def _parse_starts(text: pa.Array) -> dict[str, pa.Array]:
    """Distinct start texts -> their UTC instants and the masks of what is wrong with them."""
    parts = pc.extract_regex(
        text,
        r"^(?P<d>\d{4}-\d{2}-\d{2})[T ](?P<hm>\d{2}:\d{2})(?::(?P<s>\d{2})(?:\.0+)?)?"
        r"(?P<off>Z|[+-]\d{2}:?\d{2})?$",
    )
    valid = pc.is_valid(parts)
    seconds = pc.struct_field(parts, "s")
    local = _strptime(parts)
    offset = pc.replace_substring(pc.struct_field(parts, "off"), ":", "")
    has_digits = pc.greater(pc.utf8_length(offset), 1)
    hours = pc.cast(pc.if_else(has_digits, pc.utf8_slice_codeunits(offset, 1, 3), "0"), pa.int64())
    minutes = pc.cast(
        pc.if_else(has_digits, pc.utf8_slice_codeunits(offset, 3, 5), "0"), pa.int64()
    )
    signed = pc.multiply(
        pc.add(pc.multiply(hours, 60), minutes),
        pc.if_else(pc.equal(pc.utf8_slice_codeunits(offset, 0, 1), "-"), -1, 1),
    )
    naive = pc.equal(offset, "")
    offset_min = pc.if_else(
        naive, C.NORMAL_OFFSET_MIN, pc.if_else(pc.equal(offset, "Z"), 0, signed)
    )
    low, high = C.OFFSET_RANGE_MIN
    bad_offset = pc.and_(
        valid,
        pc.or_(
            pc.greater_equal(minutes, 60),
            pc.or_(pc.less(offset_min, low), pc.greater(offset_min, high)),
        ),
    )
    usable = pc.if_else(pc.fill_null(bad_offset, False), 0, offset_min)
    shift = pc.cast(pc.multiply(pc.cast(usable, pa.int64()), 60_000_000), pa.duration("us"))
    shown = pc.if_else(
        pc.equal(offset, "Z"),
        "Z",
        pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(offset, 0, 3), pc.utf8_slice_codeunits(offset, 3, 5), ":"
        ),
    )
    return {
        "utc": pc.subtract(local, shift),
        "invalid": pc.or_(pc.invert(valid), pc.is_null(local)),
        "bad_offset": bad_offset,
        "converted": pc.and_(
            pc.and_(valid, pc.not_equal(offset_min, C.NORMAL_OFFSET_MIN)),
            pc.invert(pc.fill_null(bad_offset, False)),
        ),
        "offset": shown,
        "seconds": pc.and_(valid, pc.invert(pc.is_in(seconds, pa.array(["", "00"])))),
        "naive": pc.and_(valid, naive),
    }


def _strptime(parts: pa.Array) -> pa.Array:
    joined = pc.binary_join_element_wise(
        pc.struct_field(parts, "d"), pc.struct_field(parts, "hm"), "T"
    )
    parsed = pc.strptime(joined, format="%Y-%m-%dT%H:%M", unit="us", error_is_null=True)
    # strptime rolls a day the month lacks (2024-02-30) into the next month: a date of the
    # calendar is one that reads back as it was written.
    written_back = pc.strftime(parsed, format="%Y-%m-%dT%H:%M")
    return pc.if_else(pc.fill_null(pc.equal(written_back, joined), False), parsed, None)


def _wh(batch: pa.RecordBatch, rows: pa.Array, missing_ok: pa.Array, file: MeterFile) -> pa.Array:
    """kWh as exact integer Wh (null where kvalitet is saknas and the value is empty, and where the
    value is refused). Every type is bounded before it is scaled: a 64-bit integer times 1000
    wraps silently (2^61+1 kWh became 1 kWh, a large negative a positive)."""
    column = batch.column("kwh")
    if (
        pa.types.is_integer(column.type)
        or pa.types.is_floating(column.type)
        or pa.types.is_decimal(column.type)
    ):
        # Exact enough to compare with MAX_KWH (unsafe: a 64-bit integer may round, never fail).
        magnitude = pc.cast(column, pa.float64(), safe=False)
        missing = pc.is_null(column)
        not_finite = pc.and_(pc.is_valid(magnitude), pc.invert(pc.is_finite(magnitude)))
        _flag(
            file,
            not_finite,
            rows,
            pc.cast(column, pa.string()),
            "kwh",
            "invalid_kwh",
            "not a number (NaN or infinite)",
        )
        too_large = pc.and_(pc.is_finite(magnitude), pc.greater(pc.abs(magnitude), C.MAX_KWH))
        _flag(
            file,
            too_large,
            rows,
            None,
            "kwh",
            "kwh_out_of_range",
            f"more than {C.MAX_KWH:,} kWh either way: no meter measures that in an interval",
        )
        usable = pc.and_(pc.is_finite(magnitude), pc.invert(too_large))
        if pa.types.is_integer(column.type):
            kept = pc.if_else(usable, column, pa.scalar(None, column.type))
            wh = pc.multiply(pc.cast(kept, pa.int64()), 1000)
        else:
            scaled = pc.multiply(
                pc.if_else(usable, magnitude, pa.scalar(None, pa.float64())), 1000.0
            )
            wh = pc.cast(pc.round(scaled), pa.int64())
            _flag(
                file,
                pc.greater(pc.abs(pc.subtract(scaled, pc.cast(wh, pa.float64()))), 1e-6),
                rows,
                pc.cast(column, pa.string()),
                "kwh",
                "too_many_decimals",
                "kWh with more than 3 decimals (whole Wh)",
            )
    else:
        text = _text(batch, "kwh")
        parts = pc.extract_regex(text, r"^(?P<sign>-?)(?P<int>\d{1,12})(?:[.,](?P<frac>\d{0,3}))?$")
        good = pc.is_valid(parts)
        missing = pc.fill_null(pc.equal(text, ""), True)
        decimals = pc.fill_null(pc.match_substring_regex(text, r"^-?\d+[.,]\d{4,}$"), False)
        _flag(
            file,
            decimals,
            rows,
            text,
            "kwh",
            "too_many_decimals",
            "kWh with more than 3 decimals (whole Wh)",
        )
        _flag(
            file,
            pc.and_(pc.invert(good), pc.invert(pc.or_(missing, decimals))),
            rows,
            text,
            "kwh",
            "invalid_kwh",
            f"not a number (decimal comma, e.g. 1,234; at most {C.MAX_KWH:,} kWh)",
        )
        frac = pc.utf8_rpad(
            pc.if_else(
                pc.is_null(pc.struct_field(parts, "frac")), "", pc.struct_field(parts, "frac")
            ),
            width=3,
            padding="0",
        )
        magnitude = pc.add(
            pc.multiply(pc.cast(pc.struct_field(parts, "int"), pa.int64()), 1000),
            pc.cast(frac, pa.int64()),
        )
        wh = pc.if_else(
            pc.equal(pc.struct_field(parts, "sign"), "-"), pc.negate(magnitude), magnitude
        )
    _flag(
        file,
        pc.and_(missing, pc.invert(missing_ok)),
        rows,
        None,
        "kwh",
        "missing_value",
        "no kWh; only a value with kvalitet saknas may be empty",
    )
    return wh


def _normalise(
    batch: pa.RecordBatch,
    first_row: int,
    file: MeterFile,
    categories,
    areas: dict[str, str],
    points: Points,
    words: Words,
) -> pa.RecordBatch:
    """One batch's cell checks and its valid rows (`CHECKED`). The text columns are checked once
    per distinct value and the result taken to the rows; `points` numbers the file's valid GSRNs
    (the GSRN goes no further than this function and the pseudonyms at the end)."""
    n = batch.num_rows
    rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
    gsrn = _codes(batch, "matpunkt")
    medium, direction = _codes(batch, "medium"), _codes(batch, "riktning")
    area, category = _codes(batch, "natomrade"), _codes(batch, "kundkategori")
    resolution_text, quality = _codes(batch, "upplosning"), _codes(batch, "kvalitet")
    matches = pc.match_substring_regex(gsrn.dictionary, f"^{C.GSRN.pattern}$")
    valid_gsrn = _each(gsrn, matches)
    texts = gsrn.dictionary.to_pylist()
    well_formed = pc.fill_null(matches, False).to_pylist()
    _flag(
        file,
        pc.invert(valid_gsrn),
        rows,
        None,
        "matpunkt",
        "invalid_gsrn",
        "not a GSRN (18 digits starting 735999); the value is not repeated here",
    )
    # The check digit, once per distinct GSRN: a mistyped id is refused rather than loaded as a
    # point of its own.
    check_ok = _each(
        gsrn,
        pa.array([ok and C.gsrn_is_valid(g) for g, ok in zip(texts, well_formed, strict=True)]),
    )
    _flag(
        file,
        pc.and_(valid_gsrn, pc.invert(check_ok)),
        rows,
        None,
        "matpunkt",
        "gsrn_check_digit",
        "the GSRN's last digit is not its GS1 check digit (a mistyped id?); "
        "the value is not repeated here",
    )
    point_id = _each(
        gsrn,
        pa.array(
            [points.number(g) if ok else None for g, ok in zip(texts, well_formed, strict=True)],
            pa.int32(),
        ),
    )
    known_medium_word = pc.is_in(medium.dictionary, pa.array(C.MEDIA))
    _flag(
        file,
        _each(medium, pc.invert(known_medium_word)),
        rows,
        medium,
        "medium",
        "invalid_medium",
        f"expected one of {', '.join(C.MEDIA)}",
        ids_only=True,
    )
    _flag(
        file,
        _each(direction, pc.invert(pc.is_in(direction.dictionary, pa.array(C.DIRECTIONS)))),
        rows,
        direction,
        "riktning",
        "invalid_direction",
        f"expected one of {', '.join(C.DIRECTIONS)}",
        ids_only=True,
    )
    _flag(
        file,
        _each(quality, pc.invert(pc.is_in(quality.dictionary, pa.array(C.QUALITIES)))),
        rows,
        quality,
        "kvalitet",
        "invalid_quality",
        f"expected one of {', '.join(C.QUALITIES)}",
        ids_only=True,
    )
    _flag(
        file,
        _each(area, pc.equal(area.dictionary, "")),
        rows,
        None,
        "natomrade",
        "missing_network_area",
        "no network area id",
    )
    # A closed list, as every text column of the feed: no free text (a customer's name, control
    # characters) reaches the open marts, where the area is a dimension.
    _flag(
        file,
        _each(
            area,
            pc.and_(
                pc.not_equal(area.dictionary, ""),
                pc.invert(pc.is_in(area.dictionary, pa.array(sorted(areas)))),
            ),
        ),
        rows,
        area,
        "natomrade",
        "unknown_network_area",
        "not a network area of the registry (dbt_project/seeds/network_areas.csv: "
        f"{', '.join(sorted(areas))}); a value that is not an id is not repeated here",
        ids_only=True,
    )
    resolution_words = resolution_text.dictionary
    resolution = _each(
        resolution_text,
        pc.cast(
            pc.if_else(
                pc.equal(resolution_words, "PT1H"),
                60,
                pc.if_else(pc.equal(resolution_words, "PT15M"), 15, None),
            ),
            pa.int16(),
        ),
    )
    _flag(
        file,
        pc.is_null(resolution),
        rows,
        resolution_text,
        "upplosning",
        "invalid_resolution",
        "expected PT1H or PT15M",
        ids_only=True,
    )
    # The category of each distinct (medium, category) pair the batch has, taken to its rows.
    keys = list(categories)
    width = len(category.dictionary)
    pair = pc.add(
        pc.multiply(pc.cast(medium.indices, pa.int64()), width),
        pc.cast(category.indices, pa.int64()),
    )
    pairs = pc.dictionary_encode(pair)
    medium_of = pc.cast(pc.divide(pairs.dictionary, width), pa.int32())
    category_of = pc.cast(
        pc.subtract(pairs.dictionary, pc.multiply(pc.divide(pairs.dictionary, width), width)),
        pa.int32(),
    )
    pair_key = pc.binary_join_element_wise(
        pc.take(medium.dictionary, medium_of), pc.take(category.dictionary, category_of), "|"
    )
    index = pc.take(
        pc.index_in(pair_key, value_set=pa.array([f"{m}|{k}" for m, k in keys])), pairs.indices
    )
    known_medium = _each(medium, known_medium_word)
    _flag(
        file,
        pc.and_(known_medium, pc.is_null(index)),
        rows,
        category,
        "kundkategori",
        "unknown_category",
        "not a category of the medium in the utility's category list (meter_customer_categories)",
        ids_only=True,
    )
    max_wh_per_hour = pc.take(
        pa.array([categories[k].max_kw * 1000 for k in keys], pa.float64()), index
    )
    production = pc.take(pa.array([categories[k].has_production for k in keys]), index)

    start = _start_utc(batch, rows, file)
    minute, res = pc.cast(pc.minute(start), pa.int64()), pc.cast(resolution, pa.int64())
    on_grid = pc.equal(
        pc.subtract(minute, pc.multiply(pc.divide(minute, res), res)), 0
    )  # integer division
    _flag(
        file,
        pc.and_(
            pc.is_valid(resolution), pc.invert(pc.and_(on_grid, pc.equal(pc.second(start), 0)))
        ),
        rows,
        None,
        "start",
        "misaligned_start",
        "the start is not on the interval grid (whole hours for PT1H, :00/:15/:30/:45 for PT15M)",
    )
    missing_ok = _each(quality, pc.fill_null(pc.equal(quality.dictionary, "saknas"), False))
    wh = _wh(batch, rows, missing_ok, file)
    _flag(
        file,
        pc.less(wh, 0),
        rows,
        None,
        "kwh",
        "negative_value",
        "negative energy; production is a positive value with riktning inmatning",
    )
    inmatning = _each(direction, pc.equal(direction.dictionary, "inmatning"))
    _flag(
        file,
        pc.and_(inmatning, pc.invert(pc.fill_null(production, True))),
        rows,
        category,
        "riktning",
        "production_not_allowed",
        "production (inmatning) in a category without production",
    )
    limit = pc.multiply(max_wh_per_hour, pc.divide(pc.cast(resolution, pa.float64()), 60.0))
    _flag(
        file,
        pc.greater(pc.cast(wh, pa.float64()), limit),
        rows,
        None,
        "kwh",
        "implausible_value",
        "more energy than the category's largest connection (max_kw) can take in the interval",
    )
    if "syntetisk" in batch.schema.names:
        flags = _codes(batch, "syntetisk")
        said = pc.is_in(pc.utf8_lower(flags.dictionary), pa.array(C.TRUE_WORDS))
        if pc.any(_each(flags, said)).as_py():
            file.is_synthetic = True

    checked = pa.record_batch(
        [
            point_id,
            words.coded(medium),
            words.coded(direction),
            words.coded(area),
            words.coded(category),
            start,
            resolution,
            wh,
            words.coded(quality),
            rows,
        ],
        schema=CHECKED,
    )
    return checked.filter(pc.and_(pc.is_valid(point_id), pc.is_valid(start)))


def _lake_rows(
    checked: pa.RecordBatch,
    points: Points,
    words: Words,
    is_synthetic: bool,
    file_sha256: str | None,
) -> pa.RecordBatch:
    """A batch's valid rows in the lake's columns: the numbers become dictionary indices."""
    texts = words.array()

    def text(name: str) -> pa.DictionaryArray:
        numbers = checked.column(name)
        if None in words:  # a null cell stays null (a Parquet dictionary holds no null)
            numbers = pc.if_else(pc.equal(numbers, words[None]), None, numbers)
        return pa.DictionaryArray.from_arrays(numbers, texts)

    n = checked.num_rows
    return pa.record_batch(
        [
            pa.DictionaryArray.from_arrays(
                checked.column("point_id"), pa.array(points.pseudonyms, pa.string())
            ),
            text("riktning"),
            text("natomrade"),
            text("kundkategori"),
            checked.column("start_utc"),
            checked.column("resolution_min"),
            checked.column("wh"),
            text("kvalitet"),
            pa.repeat(is_synthetic, n),
            pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, np.int32)) if file_sha256 else pa.nulls(n, pa.int32()),
                pa.array([file_sha256 or ""], pa.string()),
            ),
        ],
        schema=LAKE,
    )


# --------------------------------------------------------------------------- the whole file


def validate_file(
    path: Path,
    *,
    out_path: Path,
    key: bytes,
    categories=None,
    limits: Limits = Limits(),
    name: str | None = None,
    today: date | None = None,
    areas: dict[str, str] | None = None,
    file_sha256: str | None = None,
) -> MeterFile:
    """Every check of the contract on `path`; a valid file's pseudonymised rows in `out_path`,
    written as the lake partition they become (`file_sha256`, the landed file's hash, in its
    rows and metadata). Never raises on the file's content. `today` (normal time) bounds the
    month."""
    result = MeterFile(name or path.name)
    categories = categories if categories is not None else C.load_categories()
    areas = areas if areas is not None else load_network_areas()
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        result.add(None, None, None, "file_not_found", "no such file")
        return result
    if size > limits.max_file_bytes:
        result.add(
            None,
            None,
            None,
            "file_too_large",
            f"{size:,} bytes, more than the {limits.max_file_bytes:,} a meter file may have",
        )
        return result
    # The file is read once, a batch at a time: its cell checks, its valid rows written to
    # `out_path` in the lake's layout (once: the partition step copies these bytes) and, narrow,
    # into DuckDB (bounded by its memory limit, spilling to disk) for the checks across rows.
    with (
        tempfile.TemporaryDirectory(prefix="meter-check-", dir=out_path.parent) as spill,
        _held(spill),
        duckdb.connect() as con,
        pq.ParquetWriter(str(out_path), LAKE, compression="zstd", store_schema=False) as writer,
    ):
        con.execute(f"set memory_limit = '{limits.duckdb_memory}'")
        con.execute("set temp_directory = '" + spill.replace("'", "''") + "'")
        con.execute("set preserve_insertion_order = false")
        con.execute("set TimeZone = 'UTC'")
        con.execute(
            f"create table checked ({', '.join(f'{f.name} {_duck_type(f.type)}' for f in CHECKED)})"
        )
        points, words = Points(key), Words()
        written_synthetic = None
        try:
            for first_row, batch in _batches(path, result, limits):
                result.rows += batch.num_rows
                if result.rows > limits.max_rows:
                    result.add(
                        None, None, None, "too_many_rows", f"more than {limits.max_rows:,} rows"
                    )
                    break
                valid = _normalise(batch, first_row, result, categories, areas, points, words)
                con.register("valid", valid)
                con.execute("insert into checked select * from valid")
                con.unregister("valid")
                if written_synthetic is None:
                    written_synthetic = result.is_synthetic
                writer.write_batch(
                    _lake_rows(valid, points, words, written_synthetic, file_sha256),
                    row_group_size=C.PARTITION_ROW_GROUP_ROWS,
                )
        except (pa.ArrowException, OSError, ValueError, UnicodeError) as exc:
            if isinstance(exc, UnpackedTooLarge):
                result.add(None, None, None, "unpacked_too_large", str(exc))
            elif "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
                result.add(
                    None,
                    None,
                    None,
                    "unsupported_encoding",
                    "not UTF-8 (after the first MiB): meter files are UTF-8",
                )
            else:
                result.add(
                    None,
                    None,
                    None,
                    "unreadable_file",
                    f"not a readable meter file ({type(exc).__name__}: {str(exc)[:300]})",
                )
            return result
        if (
            result.counts.get("missing_column")
            or result.counts.get("empty_file")
            or result.counts.get("no_rows")
            or result.counts.get("unsupported_encoding")
            or result.counts.get("unpacked_too_large")
        ):
            return result
        if result.rows == 0:
            result.add(None, None, None, "no_rows", "the file has a header but no values")
            return result
        _check_rows(con, result, words, today or datetime.now(C.NORMAL_TIME).date())
        if result.ok:
            (intervals,) = con.execute("select sum(n)::bigint from series").fetchone()
            writer.add_key_value_metadata(
                {
                    "file_sha256": file_sha256 or "",
                    "medium": result.medium,
                    "month": f"{result.month:%Y-%m}",
                    "is_synthetic": str(result.is_synthetic).lower(),
                    "points": str(result.points),
                    "intervals": str(intervals),
                    "wh": str(result.wh_total),
                }
            )
            result.out_path = out_path
    if result.ok and written_synthetic != result.is_synthetic:
        _relabel(out_path, result.is_synthetic, limits)
    return result


def _duck_type(kind: pa.DataType) -> str:
    return {
        pa.int16(): "smallint",
        pa.int32(): "integer",
        pa.int64(): "bigint",
        pa.timestamp("us"): "timestamp",
    }.get(kind, "varchar")


def _relabel(out_path: Path, is_synthetic: bool, limits: Limits) -> None:
    """The rows written before a later batch said the file is synthetic (its `syntetisk` column),
    labelled again: the file rewritten once with the label, its metadata kept."""
    metadata = pq.read_metadata(out_path).metadata or {}
    relabelled = out_path.with_name(out_path.name + ".relabel")
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{limits.duckdb_memory}'")
        kv = ", ".join(
            f"{_sql_text(k.decode())}: {_sql_text(v.decode())}" for k, v in metadata.items()
        )
        con.execute(f"""
            copy (select * replace ({str(is_synthetic).lower()} as is_synthetic)
                  from read_parquet({_sql_text(str(out_path))}))
            to {_sql_text(str(relabelled))}
            (format parquet, compression zstd, row_group_size {C.PARTITION_ROW_GROUP_ROWS},
             kv_metadata {{{kv}}})""")
    with open(out_path, "r+b") as target, open(relabelled, "rb") as source:
        target.truncate(0)  # the same file (its claim stays held), its new bytes
        shutil.copyfileobj(source, target)
    relabelled.unlink()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_rows(
    con: duckdb.DuckDBPyConnection, result: MeterFile, words: Words, today: date
) -> None:
    """The checks across rows, in DuckDB over the table of the file's rows."""
    con.execute("create or replace view v as select * from checked")
    # One pass per point and direction: what the detailed queries below need to look at (if
    # anything).
    con.execute("""create temp table series as
        select point_id, riktning, count(*) as n, count(distinct start_utc) as distinct_starts,
               min(resolution_min) as low, max(resolution_min) as high,
               min(source_row) as first_row,
               min(start_utc) as first_start, max(start_utc) as last_start,
               coalesce(sum(wh), 0)::bigint as wh
        from v group by all""")
    # The file's media and months in one pass (a medium outside the contract is a row's problem
    # already).
    groups = con.execute("""
        select medium, date_trunc('month', start_utc + interval 1 hour)::date as month,
               min(source_row) as first_row, count(*) as n
        from v group by grouping sets ((medium), (month))""").fetchall()
    named = {words.number(m): m for m in C.MEDIA}
    media = sorted(
        (
            (named[medium], row)
            for medium, month, row, _ in groups
            if month is None and medium in named
        ),
        key=lambda group: group[1],
    )
    months = sorted(
        ((month, row, n) for medium, month, row, n in groups if medium is None),
        key=lambda group: (-group[2], group[0]),
    )
    if not months or not media:
        return
    result.medium, result.month = media[0][0], months[0][0]
    newest = C.last_month(today)
    if not C.FIRST_MONTH <= result.month <= newest:
        result.add(
            months[0][1],
            "start",
            f"{result.month:%Y-%m}",
            "month_out_of_range",
            f"a file for {result.month:%Y-%m}: the lake keeps the months from "
            f"{C.FIRST_MONTH:%Y-%m} to {newest:%Y-%m}, the last that has ended (normal time)",
        )
    for medium, row in media[1:]:
        result.add(
            row,
            "medium",
            medium,
            "mixed_media",
            f"one file holds one medium; the file starts with {media[0][0]}",
        )
    for month, row, count in months[1:]:
        result.add(
            row,
            "start",
            f"{month:%Y-%m}",
            "mixed_months",
            f"{count:,} values outside {result.month:%Y-%m}, the month of most of the file; "
            "one file is one month",
        )
    result.points, result.wh_total = con.execute(
        "select count(distinct point_id), coalesce(sum(wh), 0)::bigint from series"
    ).fetchone()
    result.resolutions = [
        r
        for (r,) in con.execute("""select distinct r
                                   from (select low as r from series union all
                                         select high from series)
                                   where r is not null order by 1""").fetchall()
    ]
    if result.medium == "el" and result.naive_starts:
        _solar_clock(con, result, words.number("inmatning"))
    month_minutes = int(
        (C.month_bounds_utc(result.month)[1] - C.month_bounds_utc(result.month)[0]).total_seconds()
        // 60
    )
    con.execute(f"""create temp table flagged as select point_id, riktning from series
                    where n > distinct_starts or low != high
                          or distinct_starts < {month_minutes} // low""")
    # The detailed queries below look only at the flagged series' rows (few, in a file that loads).
    con.execute(
        "create temp table flagged_rows as select * from checked "
        "semi join flagged using (point_id, riktning)"
    )
    con.execute("create or replace view v as select * from flagged_rows")
    month_start, month_end = C.month_bounds_utc(result.month)
    dst = C.dst_hour_utc(result.month)
    # Duplicates: the same point, direction and interval twice.
    (total,) = con.execute("""select count(*) from (select 1 from v
                                              group by point_id, riktning, start_utc
                                              having count(*) > 1)""").fetchone()
    for start, first, second, n in con.execute(
        """
            select start_utc, min(source_row), max(source_row), count(*) from v
            group by point_id, riktning, start_utc having count(*) > 1 order by 2 limit ?""",
        [LISTED_PER_CODE * 2],
    ).fetchall():
        summer = (
            dst is not None
            and result.month.month == 10
            and start.hour == dst.hour
            and start.date() == dst.date()
        )
        if summer:
            result.add(
                first,
                "start",
                _normal(start),
                "summer_time_stamps",
                f"{_normal(start)} normal time appears {n} times (rows {first} and {second}): "
                f"the day {dst:%Y-%m-%d} has 25 hours, so the file looks stamped in local "
                "summer time; meter values are in Swedish normal time, UTC+01:00, all year",
            )
        else:
            result.add(
                first,
                "start",
                _normal(start),
                "duplicate",
                f"the same point, direction and interval as row {second}"
                + (f" ({n} rows)" if n > 2 else ""),
            )
    listed = min(total, LISTED_PER_CODE * 2)
    if total > listed:
        result.counts["duplicate"] += total - listed
    # Mixed resolutions for one point within the month.
    for row, resolutions in con.execute("""
            select min(source_row), string_agg(distinct resolution_min::varchar, ' and ') from v
            group by point_id having count(distinct resolution_min) > 1
            order by 1""").fetchall():
        result.add(
            row,
            "upplosning",
            None,
            "mixed_resolution",
            f"the point reports both {resolutions}-minute values within the month; "
            "one resolution per point and month",
        )
    # Gaps: intervals of the month a point has no row for (a 'saknas' row is a row, counted as
    # missing in the marts).
    gaps = _gaps(con, month_start, month_end)
    for first_row, missing_from, missing_to, res in gaps:
        intervals = int((missing_to - missing_from) / timedelta(minutes=res))
        summer = (
            dst is not None
            and result.month.month == 3
            and missing_from == dst
            and missing_to == dst + timedelta(hours=1)
        )
        if summer:
            result.add(
                first_row,
                "start",
                _normal(missing_from),
                "summer_time_stamps",
                f"no value for {_normal(missing_from)} normal time: the day {dst:%Y-%m-%d} "
                "has 23 hours, so the file looks stamped in local summer time; meter values "
                "are in Swedish normal time, UTC+01:00, all year",
            )
        else:
            result.add(
                first_row,
                "start",
                _normal(missing_from),
                "gap",
                f"the point (first on this row) has no value for {intervals} interval(s) from "
                f"{_normal(missing_from)} normal time; send a row with kvalitet saknas for a "
                "missing value",
            )


@contextlib.contextmanager
def _held(folder: str):
    """An exclusive flock on the spill folder while the check runs: the drop's sweep of a killed
    run's leftovers (pipelines/lib/leftovers.py) leaves a live check's folder alone."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def _solar_clock(con: duckdb.DuckDBPyConnection, result: MeterFile, inmatning: int) -> None:
    """Starts without an offset are normal time by the contract, and a month wholly in summer has no
    23- or 25-hour day to betray local time. The sun does: the file's production centroid
    (mid-interval, energy-weighted) should sit near Borlänge's solar noon plus the lag of Sweden's
    panels."""
    points, days, first_row, centroid = con.execute(
        """
        with p as (select start_utc + interval 1 hour as normal, resolution_min, wh, point_id,
                          source_row
                   from v
                   where riktning = ? and wh > 0)
        select count(distinct point_id), count(distinct normal::date), min(source_row),
               sum(wh * (hour(normal) + minute(normal) / 60 + resolution_min / 120))
                   / nullif(sum(wh), 0)
        from p""",
        [inmatning],
    ).fetchone()
    if points < C.SOLAR_MIN_POINTS or days < C.SOLAR_MIN_DAYS or centroid is None:
        return
    expected = C.solar_noon_h(result.month) + C.SOLAR_CENTROID_LAG_H
    shift = centroid - expected
    if abs(shift) <= C.SOLAR_SHIFT_TOLERANCE_H:
        return
    looks = "local summer time (an hour late)" if shift > 0 else "UTC without its Z (an hour early)"
    result.add(
        first_row,
        "start",
        _clock(centroid),
        "shifted_peak",
        f"the {points} producing points' solar production centres on {_clock(centroid)} "
        f"normal time, {abs(shift):.1f} h {'after' if shift > 0 else 'before'} "
        f"the {_clock(expected)} the sun gives in {result.month:%B}: the starts, which have no "
        f"offset, look stamped in {looks}; meter values are in Swedish normal time, UTC+01:00, "
        "all year (if they are, send the starts with +01:00)",
    )


def _clock(hours: float) -> str:
    minutes = round(hours * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _gaps(
    con: duckdb.DuckDBPyConnection, month_start: datetime, month_end: datetime
) -> list[tuple]:
    return con.execute(
        """
        with e as (
            select point_id, riktning, any_value(resolution_min) as res,
                   min(source_row) as first_row, start_utc
            from v group by point_id, riktning, start_utc
        ), p as (
            select point_id, riktning from v group by all having count(distinct resolution_min) = 1
        ), w as (
            select e.*,
                   lag(start_utc) over (partition by e.point_id, e.riktning order by start_utc)
                       as previous,
                   min(first_row) over (partition by e.point_id, e.riktning) as point_row
            from e semi join p using (point_id, riktning)
        ), inner_gaps as (
            select point_row, previous + res * interval 1 minute as missing_from,
                   start_utc as missing_to, res
            from w
            where previous is not null and start_utc > previous + res * interval 1 minute
        ), bounds as (
            select point_row, any_value(res) as res, min(start_utc) as first_start,
                   max(start_utc) as last_start
            from w group by point_id, riktning, point_row
        )
        select * from inner_gaps
        union all
        select point_row, ?::timestamp, first_start, res from bounds
        where first_start > ?::timestamp
        union all
        select point_row, last_start + res * interval 1 minute, ?::timestamp, res from bounds
        where last_start + res * interval 1 minute < ?::timestamp
        order by 1, 2 limit 1000""",
        [month_start, month_start, month_end, month_end],
    ).fetchall()


def _normal(moment: datetime) -> str:
    """A naive UTC instant as Swedish normal time, the way the contract writes it."""
    return (moment + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def validate_path(
    path: Path,
    *,
    categories=None,
    limits: Limits = Limits(),
    today: date | None = None,
    areas: dict[str, str] | None = None,
) -> MeterFile:
    """Validation only (the CLI): the normalised rows go to a temporary file, with a throwaway
    key."""
    with tempfile.TemporaryDirectory(prefix="meter-validate-") as tmp:
        result = validate_file(
            path,
            out_path=Path(tmp) / "rows.parquet",
            key=os.urandom(32),
            categories=categories,
            limits=limits,
            today=today,
            areas=areas,
        )
        result.out_path = None
        return result
