"""Electricity Maps' hourly carbon-intensity CSVs (the free hourly datasets of its data portal),
parsed and validated in plain Python (no Dagster; the feed is pipelines/defs/grid/).

    parsed = parse_carbon_intensity("SE-SE3_2024.csv", content, zone_id="SE-SE3")
    parsed.ok, parsed.problems, parsed.rows, parsed.vintage, parsed.header_version, parsed.report()

Two header versions are read, both as Electricity Maps published them:

  2025   `Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),
          Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),
          Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method`
          (the release of 2025-04-03; CRLF line endings)
  early  `Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),
          Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,
          Data Source,Data Estimated,Data Estimation Method` (an earlier release; LF)

The file may be gzipped (`.csv.gz`) and may start with `#` lines (our replay fixtures carry the
attribution there); the text is UTF-8. The vintage (the release) is in the file name as
`release-YYYY-MM-DD` (e.g. `SE-SE3_2022_hourly_release-2024-06-12.csv`); a file without one gets
the day it was received, so a later delivery is a later vintage.

Every problem names the file, the line and the field: a header of neither version, a timestamp
that is not `YYYY-MM-DD HH:00:00` UTC on the hour, an hour twice, a gap (an hour missing between
the first and the last), another zone than the configured one, an intensity outside 0–2000
g/kWh or life-cycle below direct, a share outside 0–100 %, an estimated flag that is not
true/false. Memory is bounded: at most `MAX_FILE_BYTES` read (gzip: unpacked), at most
`MAX_ROWS` lines, `MAX_PROBLEMS` problems listed.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sources.feed_problems import Problem, Validation
from sources.file_limits import MIB, BoundedCsv, FileLimits, ascii_digits, foreign_digits, printable

SOURCE_ID = "electricity_maps"
ATTRIBUTION = "Contains data from Electricity Maps (https://www.electricitymaps.com), ODbL 1.0"
MAX_FILE_BYTES = 8 * MIB  # a year of hours is ~0.85 MB
MAX_ROWS = 3 * 8_784 + 100  # up to three years of hours in one file
MAX_PROBLEMS = 200
MAX_NOTE_LINES, MAX_NOTE_CHARS = 10, 1_000
MAX_GCO2_PER_KWH = 2_000.0  # above any grid's intensity (coal ~1 000 g/kWh life cycle)
GZIP_MAGIC = b"\x1f\x8b"

# Canonical field -> its heading in each header version, in file order.
FIELDS = (
    "datetime_utc",
    "country",
    "zone_name",
    "zone_id",
    "direct",
    "lifecycle",
    "cfe_pct",
    "re_pct",
    "data_source",
    "is_estimated",
    "estimation_method",
)
HEADERS = {
    "2025": (
        "Datetime (UTC)",
        "Country",
        "Zone name",
        "Zone id",
        "Carbon intensity gCO₂eq/kWh (direct)",
        "Carbon intensity gCO₂eq/kWh (Life cycle)",
        "Carbon-free energy percentage (CFE%)",
        "Renewable energy percentage (RE%)",
        "Data source",
        "Data estimated",
        "Data estimation method",
    ),
    "early": (
        "Datetime (UTC)",
        "Country",
        "Zone Name",
        "Zone Id",
        "Carbon Intensity gCO₂eq/kWh (direct)",
        "Carbon Intensity gCO₂eq/kWh (LCA)",
        "Low Carbon Percentage",
        "Renewable Percentage",
        "Data Source",
        "Data Estimated",
        "Data Estimation Method",
    ),
}
# ASCII digits only: `\d`, int() and float() would read every script's digits.
TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:Z|\+00:00)?", re.ASCII
)
RELEASE = re.compile(r"release[-_](\d{4}-\d{2}-\d{2})", re.IGNORECASE | re.ASCII)
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Hour:
    hour_utc: datetime  # naive, UTC
    country: str
    zone_name: str
    zone_id: str
    direct: float  # g CO2e/kWh, direct (combustion)
    lifecycle: float  # g CO2e/kWh, life cycle
    cfe_pct: float | None  # carbon-free (the early release: "low carbon") share, %
    re_pct: float | None  # renewable share, %
    data_source: str
    is_estimated: bool
    estimation_method: str | None
    source_row: int


@dataclass
class Parsed(Validation):
    """One file's validation, filled in as it is read; its payload (a valid file's hours, vintage
    and notes) is the file itself. A problem's row is the file's 1-based line, its column the
    heading as in the file."""

    file: str
    header_version: str | None = None
    vintage: date | None = None
    vintage_from: str = ""  # "file name" or "received"
    notes: list[str] = field(default_factory=list)  # the file's leading # lines (attribution)
    rows: list[Hour] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    other_zone_lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def report(self) -> str:
        if self.ok:
            return f"{printable(self.file)}: valid, {len(self.rows)} hours"
        lines = [
            f"{printable(self.file)}: {len(self.problems)} problem(s); nothing of this file was "
            "loaded.",
            "",
        ]
        lines += [format_problem(p) for p in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok,
            "hours": len(self.rows) if self.ok else None,
            "problems": [p.to_dict() for p in self.problems],
        }


def format_problem(problem: Problem) -> str:
    """One problem on one line: file, line and heading, what is wrong, the value, the code."""
    where = f"line {problem.row}" if problem.row else "file"
    column = f", {problem.column}" if problem.column else ""
    value = f" (found {problem.value!r})" if problem.value is not None else ""
    return f"{problem.file}: {where}{column}: {problem.message}{value} [{problem.code}]"


def zone_id_of(zone: str) -> str:
    """Electricity Maps' zone id of a Swedish bidding zone (SE3 -> SE-SE3; SE stays SE)."""
    return zone if zone == "SE" else f"SE-{zone}"


def release_of(file_name: str) -> date | None:
    match = RELEASE.search(file_name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def unpack(
    file_name: str, content: bytes, max_bytes: int = MAX_FILE_BYTES
) -> tuple[bytes | None, Problem | None]:
    """The CSV bytes: gzip unpacked (never more than max_bytes), plain ones as they are."""
    if not content:
        return None, Problem(file_name, None, None, None, "empty_file", "the file is empty")
    if not content.startswith(GZIP_MAGIC):
        if len(content) > max_bytes:
            return None, Problem(
                file_name, None, None, None, "file_too_large", f"larger than {max_bytes:,} bytes"
            )
        return content, None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            data = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        return None, Problem(
            file_name, None, None, None, "unreadable_gzip", f"not a readable gzip file ({error})"
        )
    if len(data) > max_bytes:
        return None, Problem(
            file_name,
            None,
            None,
            None,
            "file_too_large",
            f"unpacks to more than {max_bytes:,} bytes",
        )
    return data, None


def parse_carbon_intensity(
    file_name: str, content: bytes, *, zone_id: str, received: date | None = None
) -> Parsed:
    """Every hour of the file, or every problem (the file is then loaded not at all)."""
    parsed = Parsed(file_name)
    parsed.vintage = release_of(file_name)
    parsed.vintage_from = "file name" if parsed.vintage else "received"
    if parsed.vintage is None:
        parsed.vintage = received or datetime.now(UTC).date()
    data, problem = unpack(file_name, content)
    if problem:
        parsed.problems.append(problem)
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        parsed.problems.append(
            Problem(
                file_name,
                None,
                None,
                None,
                "not_utf8",
                f"not UTF-8 text (byte {error.start}); Electricity Maps' files are UTF-8",
            )
        )
        return parsed
    offset = 0
    while text.startswith("#") and offset < MAX_NOTE_LINES:  # the leading notes (attribution)
        note, _, text = text.partition("\n")
        parsed.notes.append(printable(note.lstrip("# ").strip())[:MAX_NOTE_CHARS])
        offset += 1
    limits = FileLimits(
        max_file_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
        max_columns=len(FIELDS) + 2,
        max_field_chars=200,
    )
    reader = BoundedCsv(text, limits, delimiter=",", max_records=MAX_ROWS)
    headings: tuple[str, ...] | None = None
    seen: dict[datetime, int] = {}
    for line, fields in reader:
        line += offset
        if headings is None:
            if not any(f.strip() for f in fields):
                continue
            headings = _header(parsed, line, fields)
            if headings is None:
                return parsed
            continue
        if not any(f.strip() for f in fields):
            continue  # a trailing empty line
        hour = _row(parsed, line, fields, headings, zone_id)
        if hour is not None:
            if hour.hour_utc in seen:
                _add(
                    parsed,
                    Problem(
                        file_name,
                        line,
                        headings[0],
                        f"{hour.hour_utc:%Y-%m-%d %H:%M}",
                        "duplicate_hour",
                        f"the hour is also on line {seen[hour.hour_utc]}",
                    ),
                )
            else:
                seen[hour.hour_utc] = line
                parsed.rows.append(hour)
        if len(parsed.problems) >= MAX_PROBLEMS:
            _add(
                parsed,
                Problem(
                    file_name,
                    line,
                    None,
                    None,
                    "too_many_problems",
                    f"stopped after {MAX_PROBLEMS} problems",
                ),
            )
            return parsed
    if reader.refusal is not None:
        r = reader.refusal
        parsed.problems.append(
            Problem(
                file_name,
                (r.row or 0) + offset or None,
                None,
                None,
                r.code,
                f"the file cannot be read further ({r.code.replace('_', ' ')}"
                + (f", limit {r.limit:g}" if r.limit is not None else "")
                + ")",
            )
        )
    if headings is None and not parsed.problems:
        parsed.problems.append(
            Problem(file_name, None, None, None, "missing_header", "no header line")
        )
    elif headings is not None and not parsed.rows and not parsed.problems:
        parsed.problems.append(
            Problem(file_name, None, None, None, "no_rows", "a header but no hours")
        )
    if parsed.other_zone_lines > 1:
        i = next(i for i, p in enumerate(parsed.problems) if p.code == "wrong_zone")
        first = parsed.problems[i]
        parsed.problems[i] = replace(
            first,
            message=f"{first.message}; {parsed.other_zone_lines} lines are of another zone, "
            f"from this line on",
        )
    else:
        _gaps(parsed, seen, headings)
    return parsed


def _add(parsed: Parsed, problem: Problem) -> None:
    if len(parsed.problems) <= MAX_PROBLEMS:
        parsed.problems.append(problem)


def _header(parsed: Parsed, line: int, fields: list[str]) -> tuple[str, ...] | None:
    found = tuple(f.strip() for f in fields)
    while found and not found[-1]:
        found = found[:-1]
    for version, expected in HEADERS.items():
        if found == expected:
            parsed.header_version = version
            return expected
    # Name the headings of the closest version that differ, so the sender sees what to fix.
    version, expected = max(HEADERS.items(), key=lambda item: len(set(item[1]) & set(found)))
    missing = [h for h in expected if h not in found]
    unknown = [h for h in found if h not in expected]
    detail = "; ".join(
        part
        for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unknown {', '.join(printable(u) for u in unknown)}" if unknown else "",
            "the headings are in another order" if not missing and not unknown else "",
        )
        if part
    )
    parsed.problems.append(
        Problem(
            parsed.file,
            line,
            None,
            None,
            "unknown_header",
            f"not an Electricity Maps hourly header (closest: the {version} layout; {detail})",
        )
    )
    return None


def _row(
    parsed: Parsed, line: int, fields: list[str], headings: tuple[str, ...], zone_id: str
) -> Hour | None:
    problems_before = len(parsed.problems)
    if len(fields) != len(headings):
        _add(
            parsed,
            Problem(
                parsed.file,
                line,
                None,
                None,
                "wrong_field_count",
                f"{len(fields)} fields where the header has {len(headings)}",
            ),
        )
        return None
    cell = dict(zip(FIELDS, (f.strip() for f in fields), strict=True))
    name = dict(zip(FIELDS, headings, strict=True))

    def bad(key: str, code: str, message: str) -> None:
        _add(parsed, Problem(parsed.file, line, name[key], cell[key], code, message))

    hour = _timestamp(cell["datetime_utc"])
    if hour is None:
        bad("datetime_utc", "invalid_timestamp", "not a UTC hour written YYYY-MM-DD HH:00:00")
    if cell["zone_id"] != zone_id:
        parsed.other_zone_lines += (
            1  # named once, on its first line: a whole file is usually another zone's
        )
        if parsed.other_zone_lines == 1:
            bad("zone_id", "wrong_zone", f"the feed takes zone {zone_id} only (setting GRID_ZONE)")
        else:
            return None
    numbers = {}
    for key, high in (
        ("direct", MAX_GCO2_PER_KWH),
        ("lifecycle", MAX_GCO2_PER_KWH),
        ("cfe_pct", 100.0),
        ("re_pct", 100.0),
    ):
        if cell[key] == "" and key in ("cfe_pct", "re_pct"):
            numbers[key] = None
            continue
        script = foreign_digits(cell[key])
        if script:
            bad(
                key,
                "non_ascii_digits",
                f"written with {script} digits; write it with the digits 0-9 "
                f"({ascii_digits(cell[key])})",
            )
            continue
        try:
            number = float(cell[key])
        except ValueError:
            bad(key, "not_a_number", "not a number (decimal point, no unit)")
            continue
        if not 0.0 <= number <= high:  # also catches nan and inf
            bad(key, "out_of_range", f"outside 0–{high:g}")
            continue
        numbers[key] = number
    if "direct" in numbers and "lifecycle" in numbers and numbers["lifecycle"] < numbers["direct"]:
        bad(
            "lifecycle",
            "lifecycle_below_direct",
            f"below the direct intensity {numbers['direct']:g} on the same line",
        )
    estimated = BOOLEANS.get(cell["is_estimated"].lower())
    if estimated is None:
        bad("is_estimated", "invalid_flag", "must be true or false")
    if len(parsed.problems) > problems_before:
        return None
    return Hour(
        hour,
        cell["country"],
        cell["zone_name"],
        cell["zone_id"],
        numbers["direct"],
        numbers["lifecycle"],
        numbers["cfe_pct"],
        numbers["re_pct"],
        cell["data_source"],
        estimated,
        cell["estimation_method"] or None,
        line,
    )


def _timestamp(text: str) -> datetime | None:
    match = TIMESTAMP.fullmatch(text)
    if not match:
        return None
    try:
        moment = datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return moment if moment.minute == 0 and moment.second == 0 else None


def _gaps(parsed: Parsed, seen: dict[datetime, int], headings: tuple[str, ...] | None) -> None:
    """Each run of missing hours between the file's first and last hour, named by the next line."""
    if len(seen) < 2 or headings is None:
        return
    ordered = sorted(seen)
    for before, after in pairwise(ordered):
        missing = int((after - before) / timedelta(hours=1)) - 1
        if missing > 0:
            _add(
                parsed,
                Problem(
                    parsed.file,
                    seen[after],
                    headings[0],
                    f"{after:%Y-%m-%d %H:%M:%S}",
                    "gap",
                    f"{missing} hour(s) missing after {before:%Y-%m-%d %H:%M} UTC",
                ),
            )
