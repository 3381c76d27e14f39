"""Validation of a feed file: every problem with file, row, column, value, code, message, expected.

    feed = load_feed_bytes("borlange_energi_2025-01.csv", content)   # bytes read once by the caller
    feed = load_feed(Path("report.csv")) # reads at most max_file_bytes + 1 feed.ok, feed.problems,
    feed.frame, feed.meta, feed.report()

Neither raises on any content: whatever the CSV reader, openpyxl or polars raise on a hostile file
is a problem. A `Feed` is the feeds' shared `Validation` and its problems are their shared
`Problem` (sources/feed_problems.py): one per finding, the row as the 1-based line of the file or
the Excel row, the column as its heading; messages are in English, naming the Swedish headings.
Text from the file is kept and printed with its control characters escaped. The codes:

  file          unsupported_file_type, file_not_found, empty_file, file_too_large, unreadable_file,
                unsupported_encoding, too_many_rows, too_many_columns, field_too_long,
                xlsx_too_many_entries, xlsx_too_large_uncompressed, xlsx_compression_ratio,
                xlsx_part_too_large, xlsx_bad_worksheet (the shared limits: sources/file_limits.py)
  layout        missing_header, no_rows, unsafe_text, too_many_networks, too_many_problems
  period/unit   missing_period, invalid_period, period_in_future, period_too_long, wrong_unit,
                conflicting_unit
  columns       missing_column, renamed_column, unknown_column, duplicate_column
  rows missing_network, unknown_network, missing_month, invalid_month, month_outside_period,
                month_in_future, month_not_reported, duplicate_row
  cells         missing_value, not_a_number, not_finite, decimal_point, non_ascii_digits,
                negative_energy, negative_value, not_a_whole_number

Text is compared in composed Unicode (NFC): a network or heading written with combining accents is
the registry's; a name that still differs is reported with the characters that differ. Numbers,
months and the period are written in the digits 0-9 (`non_ascii_digits` otherwise). No month lies
after the current one (`month_in_future`, `period_in_future`; `Limits.today` sets the date).
  consistency balance_mismatch, implausible_magnitude, implausible_heating_value, implausible_value

The BALANCE check (per network and month): heat production (all sources) + purchased heat must
equal deliveries + network losses within `Limits.balance_tolerance` (2 % by default) of the
larger side. It catches a row where SOME columns are in kWh and others in MWh.

A WHOLE file silently in kWh balances perfectly (every number is 1000x off), so other checks
catch it, all always on:
  * implausible_magnitude: a network's heat supply in one month outside the range of that
    network in the registry (dbt_project/seeds/energy_networks.csv, with its size class): above
    it is kWh read as MWh, even for a small network far below the large one's ceiling; below it
    (but not 0, a month the network is shut) is MWh declared as kWh;
  * implausible_heating_value: fuel MWh per tonne outside the physical range of the fuel
    (e.g. waste 1.5–4.5 MWh/t); kWh read as MWh gives ~3000 "MWh"/t. This one also catches a
    file declared kWh whose numbers are really MWh (0.003 MWh/t);
  * implausible_value: the measures outside the heat balance (electricity, charging, charge
    points, fuel) above `Limits.max_monthly_value`, on rows the heat checks have not flagged.

Why a registry rather than a mandatory `Enhet` line: the utility's files (and the demo's) omit it
when they are in MWh, and a declaration can be wrong too; a network's range catches both.
"""

from __future__ import annotations

import difflib
import itertools
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import polars as pl

from sources.energy_feed import contract as C
from sources.energy_feed import parse as P
from sources.energy_feed.registry import Network, load_networks
from sources.feed_problems import Problem, Validation
from sources.file_limits import (
    FileLimits,
    Refusal,
    ascii_digits,
    check_size,
    describe,
    foreign_digits,
    is_safe_text,
    printable,
    size_text,
)

SOURCE_KEY = "källa"  # the metadata line naming where the figures come from
BALANCE_COLUMN = "Värmeproduktion + Köpt värme = Leverans + Nätförluster"
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
READABLE = "text in UTF-8 or Windows-1252, or an .xlsx workbook"

# Per measure and unit, the most one network may report in one cell (a month): several times what
# Borlänge Energi's plants and grid give, so that only a wrong unit or a broken export reaches it.
# The heat measures are bounded per network by the registry's range and by the balance instead.
MAX_MONTHLY_VALUE = {
    (C.FUEL_INPUT, C.TONNES): 50_000.0,  # waste ~8 100 t a month; the permit is 98 000 t a year
    (C.FUEL_INPUT, C.MWH): 300_000.0,  # the largest heat ceiling over a boiler's efficiency
    (C.CHP_ELECTRICITY, C.MWH): 10_000.0,  # the 6 MW turbine gives at most 4 464 MWh a month
    (C.ELECTRICITY_DISTRIBUTION, C.MWH): 150_000.0,  # per customer category, ~200 MW all month
    (C.PUBLIC_CHARGING, C.MWH): 10_000.0,  # 336 charge points x 22 kW, all month: ~5 500 MWh
    (C.CHARGE_POINTS, C.COUNT): 10_000.0,  # 336 in Borlänge (PowerCircle, Dec 2025)
}


@dataclass(frozen=True)
class Limits(FileLimits):
    """The file limits both feeds share (sources/file_limits.py: bytes, xlsx, rows, fields), and
    the energy feed's own."""

    balance_tolerance: float = 0.02
    # MWh per tonne (lower heating value, as delivered). Wide on purpose: only gross errors.
    heating_value_mwh_per_t: dict = field(
        default_factory=lambda: {
            "restavfall": (1.5, 4.5),
            "biobränsle": (1.5, 5.5),
            "eldningsolja": (9.5, 12.5),
        }
    )
    max_monthly_value: dict = field(default_factory=lambda: dict(MAX_MONTHLY_VALUE))
    max_networks: int = 20  # distinct networks in one file (the registry has two)
    max_period_months: int = (
        36  # the declared period's span: a report is a month, a year, a backlog
    )
    first_year: int = 2000  # every month of a report lies in these years
    last_year: int = 2100
    # No month after today's month (None: the day the file is validated). A report covers months
    # that have begun; the partner feed refuses future years the same way.
    today: date | None = None
    max_text_chars: int = 200  # a free-text value: the source note (Källa) and other metadata


def current_month(limits: Limits) -> date:
    return (limits.today or date.today()).replace(day=1)


@dataclass(frozen=True)
class Feed(Validation):
    """One report's validation; its payload (a valid report's values) is the feed itself."""

    file: str
    frame: pl.DataFrame  # the long format (see contract.py); load it only when ok
    problems: list[Problem]
    # The free metadata lines above the header, lower-case key -> first value as text
    # (e.g. {"källa": "SYNTHETIC ...", "period": "2025-01", "enhet": "kWh"}).
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def is_synthetic(self) -> bool:
        """The file labels itself synthetic in its `Källa` line (every bundled fixture does)."""
        return "synthetic" in self.meta.get(SOURCE_KEY, "").lower()

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "ok": self.ok,
            "values": self.frame.height if self.ok else None,
            "problems": [p.to_dict() for p in self.problems],
        }

    def report(self) -> str:
        return format_report(self)


# --------------------------------------------------------------------------- entry points


def load_feed_bytes(
    name: str,
    content: bytes,
    limits: Limits = Limits(),
    *,
    networks: dict[str, Network] | None = None,
) -> Feed:
    """Validate one report from its bytes: THE entry point (the drop processor reads a file once,
    lands the bytes and hands them here). `name` is the file's name as sent: its extension
    chooses CSV or XLSX and the report shows it; nothing is opened. `networks` defaults to the
    registry seed. Never raises on any content; a broken registry raises RegistryError."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return _failed(
            name,
            "unsupported_file_type",
            f"'{suffix}' files are not read.",
            ".csv or .xlsx",
            value=suffix,
        )
    networks = load_networks() if networks is None else networks
    refusal = check_size(len(content), limits)
    if refusal is not None:
        return _refused(name, refusal)
    try:
        sheet = P.read_sheet(name, content, limits)
        frame = P.to_long(sheet)
        meta = {
            key: P.as_text(values[0]) if values else "" for key, (_, values) in sheet.meta.items()
        }
        return Feed(name, frame, validate_sheet(sheet, frame, limits, networks), meta)
    except P.UnreadableFile as error:
        return _refused(name, error.refusal)
    except Exception as error:  # noqa: BLE001 - a report ends in problems, never in a traceback
        return _failed(
            name,
            "unreadable_file",
            f"The file could not be validated ({type(error).__name__}: {str(error)[:200]}).",
            READABLE,
        )


def load_feed(
    path: Path, limits: Limits = Limits(), *, networks: dict[str, Network] | None = None
) -> Feed:
    """Read one file (at most max_file_bytes + 1 bytes: enough to know it is too large) and
    validate it with load_feed_bytes. For a path the caller trusts (an operator, the inbox)."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return load_feed_bytes(path.name, b"", limits, networks=networks)
    try:
        if not path.is_file():
            return _failed(
                path.name,
                "file_not_found",
                f"The file '{path}' does not exist or is not a file.",
                "an existing .csv or .xlsx file",
            )
        with path.open("rb") as handle:
            content = handle.read(limits.max_file_bytes + 1)
    except OSError as error:
        return _failed(
            path.name,
            "unreadable_file",
            f"The file cannot be opened ({error.strerror or error}).",
            READABLE,
        )
    return load_feed_bytes(path.name, content, limits, networks=networks)


def _failed(
    file: str,
    code: str,
    message: str,
    expected: str,
    value: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> Feed:
    empty = pl.DataFrame(schema=P.LONG_SCHEMA)
    return Feed(file, empty, [Problem(file, row, column, value, code, message, expected)])


# The shared guards' refusals that this feed reports as one code: the file cannot be read.
_UNREADABLE = {"not_xlsx", "xlsx_unreadable", "not_text", "undecodable", "unreadable_csv"}


def _refused(file: str, refusal: Refusal) -> Feed:
    code = "unreadable_file" if refusal.code in _UNREADABLE else refusal.code
    column = P.column_letter(refusal.column) if refusal.column is not None else None
    value = refusal.reason if refusal.code == "unsupported_encoding" else None
    return _failed(
        file,
        code,
        describe(refusal),
        _expected(refusal),
        value=value,
        row=refusal.row,
        column=column,
    )


def _expected(refusal: Refusal) -> str:
    limit = refusal.limit
    match refusal.code:
        case "empty_file":
            return (
                f"a report: the {C.PERIOD} line, the header line and one line per network and month"
            )
        case "file_too_large" | "xlsx_too_large_uncompressed" | "xlsx_part_too_large":
            return f"at most {size_text(limit)}"
        case "too_many_rows":
            return f"at most {limit:,.0f} lines (rows of the sheet), metadata lines included"
        case "too_many_columns":
            return (
                f"at most {limit:,.0f} fields; the contract has {len(C.template_header())} columns"
            )
        case "field_too_long":
            return f"at most {limit:,.0f} characters in a field"
        case "xlsx_too_many_entries":
            return f"at most {limit:,.0f} parts, as in a workbook Excel saves"
        case "xlsx_compression_ratio":
            return f"at most {limit:,.0f} times, as in a workbook Excel saves"
        case "unsupported_encoding":
            return (
                "text in UTF-8 (with or without BOM) or Windows-1252: in Excel, Save As → CSV UTF-8"
            )
    return READABLE


# --------------------------------------------------------------------------- the checks


class _Listed:
    """Problems up to a cap. At the cap the rest is not even generated: a file of nothing but bad
    cells stays a short report in bounded memory."""

    def __init__(self, file: str, cap: int):
        self.file, self.cap, self.items, self.full = file, cap, [], False

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if self.full:
                return
            if len(self.items) == self.cap:
                self.full = True
                self.items.append(
                    Problem(
                        self.file,
                        None,
                        None,
                        None,
                        "too_many_problems",
                        f"More than {self.cap:,} problems: only the first {self.cap:,} are "
                        "listed. Fix these (often one cause, e.g. a unit or a column) and "
                        "validate the file again.",
                        f"at most {self.cap:,} listed",
                    )
                )
                return
            self.items.append(problem)


def validate_sheet(
    sheet: P.Sheet,
    frame: pl.DataFrame,
    limits: Limits = Limits(),
    networks: dict[str, Network] | None = None,
) -> list[Problem]:
    networks = load_networks() if networks is None else networks
    if sheet.header_row is None:
        return [
            Problem(
                sheet.file,
                None,
                C.NETWORK,
                None,
                "missing_header",
                f"No header line: no line starts with '{C.NETWORK}'.",
                ";".join(C.template_header()),
            )
        ]
    problems = _Listed(sheet.file, limits.max_problems)
    period, period_problems = check_period(sheet, limits)
    problems.extend(period_problems)
    problems.extend(check_text(sheet, limits))
    layout = check_units(sheet) + check_columns(sheet)
    problems.extend(layout)
    if not sheet.rows:
        problems.extend(
            [
                Problem(
                    sheet.file,
                    sheet.header_row,
                    C.NETWORK,
                    None,
                    "no_rows",
                    "The file has a header line but no data rows.",
                    "one line per network and month below the header line",
                )
            ]
        )
    crowded = check_network_count(sheet, limits)
    problems.extend(crowded)
    problems.extend(check_rows(sheet, period, networks, limits))
    cells = list(itertools.islice(check_cells(sheet), limits.max_problems + 1))
    problems.extend(cells)
    if period is not None and not crowded:
        problems.extend(check_months_reported(sheet, frame, period))
    if (
        not layout and not problems.full
    ):  # with a column missing every row would be "unbalanced": noise
        sound = frame.filter(~pl.col("row").is_in([p.row for p in cells]))
        problems.extend(check_balance(sound, limits.balance_tolerance))
        magnitude = check_magnitude(sound, networks)
        problems.extend(magnitude)
        problems.extend(check_heating_values(sound, limits.heating_value_mwh_per_t))
        problems.extend(check_values(sound, limits.max_monthly_value, {p.row for p in magnitude}))
    return problems.items


# --------------------------------------------------------------------------- period, text and units


def check_period(
    sheet: P.Sheet, limits: Limits = Limits()
) -> tuple[tuple[date, date] | None, list[Problem]]:
    expected = f"{C.PERIOD};YYYY-MM;YYYY-MM (first and last month), e.g. {C.PERIOD};2025-01;2025-12"
    entry = sheet.meta.get(C.PERIOD.lower())
    if entry is None:
        return None, [
            Problem(
                sheet.file,
                None,
                C.PERIOD,
                None,
                "missing_period",
                f"The file does not declare its period: add a line '{C.PERIOD};first;last' "
                f"above the header line.",
                expected,
            )
        ]
    line, values = entry
    months = [P.parse_month(v) for v in values[:2]]
    shown = ";".join(P.as_text(v) for v in values[:2])
    script = foreign_digits(shown)
    if script:
        return None, [
            Problem(
                sheet.file,
                line,
                C.PERIOD,
                shown,
                "non_ascii_digits",
                f"The period '{shown}' is written with {script} digits; write months with the "
                f"digits 0–9: {ascii_digits(shown)}.",
                expected,
            )
        ]
    if len(months) < 2 or None in months or months[0] > months[1]:
        return None, [
            Problem(
                sheet.file,
                line,
                C.PERIOD,
                shown,
                "invalid_period",
                f"The period '{shown}' is not two months YYYY-MM, first before last.",
                expected,
            )
        ]
    first, last = months
    if not (limits.first_year <= first.year and last.year <= limits.last_year):
        return None, [
            Problem(
                sheet.file,
                line,
                C.PERIOD,
                shown,
                "invalid_period",
                f"The period '{shown}' is not within the years "
                f"{limits.first_year}–{limits.last_year}.",
                f"months in {limits.first_year}–{limits.last_year}",
            )
        ]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span > limits.max_period_months:
        return None, [
            Problem(
                sheet.file,
                line,
                C.PERIOD,
                shown,
                "period_too_long",
                f"The period '{shown}' spans {span:,} months; a report covers at most "
                f"{limits.max_period_months}. Split it into several files.",
                f"at most {limits.max_period_months} months",
            )
        ]
    current = current_month(limits)
    if last > current:
        return None, [
            Problem(
                sheet.file,
                line,
                C.PERIOD,
                shown,
                "period_in_future",
                f"The period '{shown}' ends after the current month ({current:%Y-%m}); a report "
                "covers months that have begun.",
                f"a last month up to {current:%Y-%m}",
            )
        ]
    return (first, last), []


def check_text(sheet: P.Sheet, limits: Limits) -> list[Problem]:
    """The free text above the header (Källa and any other key;value line): printable, and short."""
    problems = []
    expected = f"plain text, at most {limits.max_text_chars} characters, without control characters"
    for key, (line, values) in sheet.meta.items():
        for text in (key, *(P.as_text(v) for v in values)):
            if not is_safe_text(text) or len(text) > limits.max_text_chars:
                problems.append(
                    Problem(
                        sheet.file,
                        line,
                        key,
                        text[:60] + ("…" if len(text) > 60 else ""),
                        "unsafe_text",
                        f"The line '{key}' has text that is too long ({len(text):,} characters) "
                        "or holds control or invisible characters.",
                        expected,
                    )
                )
                break
    return problems


def check_units(sheet: P.Sheet) -> list[Problem]:
    problems = []
    declared = P.declared_unit(sheet)
    allowed = f"{C.MWH} or {C.KWH}"
    if declared is not None and declared.lower() not in C.ENERGY_UNITS:
        line = sheet.meta[C.UNIT.lower()][0]
        problems.append(
            Problem(
                sheet.file,
                line,
                C.UNIT,
                declared,
                "wrong_unit",
                f"The energy unit '{declared}' is not accepted; convert the file to MWh or kWh.",
                allowed,
            )
        )
    for h, column in P.mapped_columns(sheet):
        if column.kind != C.Kind.ENERGY or h.unit is None:
            continue
        if h.unit.lower() not in C.ENERGY_UNITS:
            problems.append(
                Problem(
                    sheet.file,
                    sheet.header_row,
                    h.text,
                    h.unit,
                    "wrong_unit",
                    f"'{h.text}' is in '{h.unit}', which is not accepted for energy.",
                    allowed,
                )
            )
        elif (
            declared is not None
            and declared.lower() in C.ENERGY_UNITS
            and h.unit.lower() != declared.lower()
        ):
            problems.append(
                Problem(
                    sheet.file,
                    sheet.header_row,
                    h.text,
                    h.unit,
                    "conflicting_unit",
                    f"'{h.text}' says {h.unit} but the file declares {C.UNIT} {declared}; "
                    f"one unit per file.",
                    declared,
                )
            )
    return problems


# --------------------------------------------------------------------------- columns


def check_columns(sheet: P.Sheet) -> list[Problem]:
    mapped = P.mapped_columns(sheet)
    present = {column for _, column in mapped}
    missing = [c for c in C.COLUMNS if c.required and c not in present]
    missing_names = [c.shown for c in missing]
    missing_names += [k for k in C.KEY_COLUMNS if P.heading_index(sheet, k) is None]
    problems, claimed = [], set()
    for h in sheet.headings:
        problem = _heading_problem(sheet, h, mapped, missing_names, claimed)
        if problem is not None:
            problems.append(problem)
    for name in missing_names:
        if name not in claimed:
            problems.append(
                Problem(
                    sheet.file,
                    sheet.header_row,
                    name,
                    None,
                    "missing_column",
                    f"The column '{name}' is missing.",
                    name,
                )
            )
    return problems


def _heading_problem(sheet, h, mapped, missing_names, claimed) -> Problem | None:
    if h.base.lower() in (k.lower() for k in C.KEY_COLUMNS):
        return None
    column = P.contract_column(h)
    if column is not None:
        if (h, column) in mapped:
            return None
        return Problem(
            sheet.file,
            sheet.header_row,
            h.text,
            h.text,
            "duplicate_column",
            f"The column '{h.text}' appears more than once.",
            "each column once",
        )
    close = difflib.get_close_matches(h.text, missing_names, n=1, cutoff=0.75)
    if close:
        claimed.add(close[0])
        return Problem(
            sheet.file,
            sheet.header_row,
            h.text,
            h.text,
            "renamed_column",
            f"The column '{h.text}' is not in the contract; it looks like '{close[0]}', "
            f"which is missing. Rename it.",
            close[0],
        )
    return Problem(
        sheet.file,
        sheet.header_row,
        h.text,
        h.text,
        "unknown_column",
        f"The column '{h.text}' is not in the contract and is not read.",
        "one of the contract's columns",
    )


# --------------------------------------------------------------------------- rows and cells


def check_network_count(sheet: P.Sheet, limits: Limits) -> list[Problem]:
    network_at = P.heading_index(sheet, C.NETWORK)
    names = {P.network_name(P.cell_at(cells, network_at)) for _, cells in sheet.rows} - {""}
    if len(names) <= limits.max_networks:
        return []
    return [
        Problem(
            sheet.file,
            None,
            C.NETWORK,
            None,
            "too_many_networks",
            f"The file names {len(names):,} networks; Borlänge Energi reports at most "
            f"{limits.max_networks}.",
            f"at most {limits.max_networks} networks",
        )
    ]


def check_rows(
    sheet: P.Sheet,
    period: tuple[date, date] | None,
    networks: dict[str, Network] | None = None,
    limits: Limits = Limits(),
) -> Iterator[Problem]:
    networks = load_networks() if networks is None else networks
    network_at, month_at = P.heading_index(sheet, C.NETWORK), P.heading_index(sheet, C.MONTH)
    seen = {}
    for number, cells in sheet.rows:
        written = P.as_text(P.cell_at(cells, network_at))
        network = P.network_name(written)
        raw_month = P.cell_at(cells, month_at) if month_at is not None else ""
        month = P.parse_month(raw_month)
        yield from _row_key_problems(
            sheet.file, number, network, raw_month, month, period, month_at, limits
        )
        if network and network not in networks:
            yield unknown_network(sheet.file, number, network, networks, written=written)
        if network and month is not None:
            if (network, month) in seen:
                yield Problem(
                    sheet.file,
                    number,
                    C.MONTH,
                    month.strftime("%Y-%m"),
                    "duplicate_row",
                    f"{network} {month:%Y-%m} is already reported on row {seen[(network, month)]}.",
                    "one row per network and month",
                )
            seen.setdefault((network, month), number)


def unknown_network(
    file: str,
    row: int,
    network: str,
    networks: dict[str, Network],
    *,
    written: str | None = None,
) -> Problem:
    """`network` (composed, NFC) is not in the registry; the problem's value is the cell as
    `written`. When it looks like a registry name, the message says what differs."""
    hint = _network_hint(network, networks)
    return Problem(
        file,
        row,
        C.NETWORK,
        network if written is None else written,
        "unknown_network",
        f"'{network}' is not one of Borlänge Energi's networks in the registry "
        f"(dbt_project/seeds/energy_networks.csv).{hint}",
        f"one of: {', '.join(networks)}",
    )


def _network_hint(network: str, networks: dict[str, Network]) -> str:
    """What makes `network` another name than the registry's it looks like: letter case, or the
    characters that differ, each by code point and Unicode name (a Cyrillic 'а', a full-width
    letter, a stray combining accent or an invisible character all print like the registry's)."""
    for name in networks:
        if name.casefold() == network.casefold():
            return (
                f" It differs from the registry's name only in letter case. Did you mean '{name}'?"
            )
    compatible = {unicodedata.normalize("NFKC", name).casefold(): name for name in networks}
    close = compatible.get(unicodedata.normalize("NFKC", network).casefold())
    if close is None:
        matches = difflib.get_close_matches(network, list(networks), n=1, cutoff=0.6)
        close = matches[0] if matches else None
    if close is None:
        return ""
    differences = _differences(network, close)
    return f" {differences} Did you mean '{close}'?" if differences else f" Did you mean '{close}'?"


def _char(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def _differences(written: str, registered: str, most: int = 3) -> str:
    """The characters where `written` and `registered` differ, the first `most` of them."""
    found = []
    matcher = difflib.SequenceMatcher(None, written, registered, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        ours, theirs = written[a0:a1], registered[b0:b1]
        if op == "replace":
            for i in range(max(len(ours), len(theirs))):
                if i < len(ours) and i < len(theirs):
                    found.append(f"{_char(ours[i])} where the registry has {_char(theirs[i])}")
                elif i < len(ours):
                    found.append(f"an extra {_char(ours[i])}")
                else:
                    found.append(f"no {_char(theirs[i])}")
        elif op == "delete":
            found += [f"an extra {_char(ch)}" for ch in ours]
        elif op == "insert":
            found += [f"no {_char(ch)}" for ch in theirs]
    shown = "; ".join(found[:most])
    more = f" (and {len(found) - most} more)" if len(found) > most else ""
    return f"It has {shown}{more}." if found else ""


def _row_key_problems(
    file, number, network, raw_month, month, period, month_at, limits
) -> list[Problem]:
    problems = []
    if not network:
        problems.append(
            Problem(
                file,
                number,
                C.NETWORK,
                None,
                "missing_network",
                "The network is empty.",
                "the network's name, e.g. Borlänge",
            )
        )
    if month_at is None:
        return problems
    years = f"{limits.first_year}–{limits.last_year}"
    if P.is_empty(raw_month):
        problems.append(
            Problem(file, number, C.MONTH, None, "missing_month", "The month is empty.", "YYYY-MM")
        )
    elif month is None and foreign_digits(P.as_text(raw_month)):
        shown = P.as_text(raw_month)
        problems.append(
            Problem(
                file,
                number,
                C.MONTH,
                shown,
                "non_ascii_digits",
                f"'{shown}' is written with {foreign_digits(shown)} digits; write the month with "
                f"the digits 0–9: {ascii_digits(shown)}.",
                "YYYY-MM, e.g. 2025-01",
            )
        )
    elif month is None:
        problems.append(
            Problem(
                file,
                number,
                C.MONTH,
                P.as_text(raw_month),
                "invalid_month",
                f"'{P.as_text(raw_month)}' is not a month.",
                "YYYY-MM, e.g. 2025-01",
            )
        )
    elif not limits.first_year <= month.year <= limits.last_year:
        problems.append(
            Problem(
                file,
                number,
                C.MONTH,
                f"{month:%Y-%m}",
                "invalid_month",
                f"{month:%Y-%m} is not within the years {years}.",
                f"YYYY-MM in {years}",
            )
        )
    elif month > current_month(limits):
        current = current_month(limits)
        problems.append(
            Problem(
                file,
                number,
                C.MONTH,
                f"{month:%Y-%m}",
                "month_in_future",
                f"{month:%Y-%m} is after the current month ({current:%Y-%m}); a report covers "
                "months that have begun.",
                f"a month up to {current:%Y-%m}",
            )
        )
    elif period is not None and not period[0] <= month <= period[1]:
        problems.append(
            Problem(
                file,
                number,
                C.MONTH,
                f"{month:%Y-%m}",
                "month_outside_period",
                f"{month:%Y-%m} is outside the declared period "
                f"{period[0]:%Y-%m}–{period[1]:%Y-%m}.",
                f"a month {period[0]:%Y-%m}–{period[1]:%Y-%m}",
            )
        )
    return problems


def check_cells(sheet: P.Sheet) -> Iterator[Problem]:
    mapped = P.mapped_columns(sheet)
    for number, cells in sheet.rows:
        for h, column in mapped:
            problem = _cell_problem(sheet.file, number, h, column, P.cell_at(cells, h.index))
            if problem is not None:
                yield problem


def _cell_problem(file, number, h, column, raw) -> Problem | None:
    value, reason = P.parse_number(raw)
    unit = (
        column.long_unit if column.kind != C.Kind.ENERGY else (h.unit or "the file's energy unit")
    )
    expected = (
        f"a whole number ≥ 0 (a {unit})"
        if column.kind == C.Kind.COUNT
        else f"a number ≥ 0 in {unit}, decimal comma (e.g. 1 234,5)"
    )
    shown = P.as_text(raw)
    if reason == "empty":
        return (
            Problem(
                file,
                number,
                h.text,
                None,
                "missing_value",
                f"'{h.text}' is empty; write 0 when there is none.",
                expected,
            )
            if column.required
            else None
        )
    if reason == "non_ascii_digits":
        return Problem(
            file,
            number,
            h.text,
            shown,
            "non_ascii_digits",
            f"'{shown}' is written with {foreign_digits(shown)} digits; a number is written with "
            f"the digits 0–9: {ascii_digits(shown)}.",
            expected,
        )
    if reason == "decimal_point":
        return Problem(
            file,
            number,
            h.text,
            shown,
            "decimal_point",
            f"'{shown}' has a decimal point; write decimals with a comma "
            f"({shown.replace('.', ',')}).",
            expected,
        )
    if reason == "not_a_number":
        return Problem(
            file, number, h.text, shown, "not_a_number", f"'{shown}' is not a number.", expected
        )
    if reason == "not_finite":
        return Problem(
            file,
            number,
            h.text,
            shown,
            "not_finite",
            f"'{shown}' is not a finite number (NaN, infinity, or more digits than a number "
            "holds).",
            expected,
        )
    if value < 0:
        code = "negative_energy" if column.kind == C.Kind.ENERGY else "negative_value"
        return Problem(
            file,
            number,
            h.text,
            shown,
            code,
            f"'{h.text}' must not be negative ({shown}).",
            expected,
        )
    if column.kind == C.Kind.COUNT and not value.is_integer():
        return Problem(
            file,
            number,
            h.text,
            shown,
            "not_a_whole_number",
            f"'{h.text}' is a count; '{shown}' is not a whole number.",
            expected,
        )
    return None


def check_months_reported(
    sheet: P.Sheet, frame: pl.DataFrame, period: tuple[date, date]
) -> list[Problem]:
    line = sheet.meta[C.PERIOD.lower()][0]
    expected_months = pl.date_range(period[0], period[1], "1mo", eager=True).to_list()
    problems = []
    reported = frame.group_by("network", maintain_order=True).agg(pl.col("month").unique())
    for network, months in reported.iter_rows():
        have = set(months)
        for month in (m for m in expected_months if m not in have):
            problems.append(
                Problem(
                    sheet.file,
                    line,
                    C.MONTH,
                    f"{month:%Y-%m}",
                    "month_not_reported",
                    f"{network} has no row for {month:%Y-%m}, inside the declared period.",
                    f"one row per network and month {period[0]:%Y-%m}–{period[1]:%Y-%m}",
                )
            )
    return problems


# --------------------------------------------------------------------------- consistency


def monthly_heat_balance(frame: pl.DataFrame) -> pl.DataFrame:
    """Per network, month (and row): supply = production + purchased, use = deliveries + losses."""
    supply = pl.col("measure").is_in([C.HEAT_PRODUCTION, C.PURCHASED_HEAT])
    use = pl.col("measure").is_in([C.DELIVERY, C.NETWORK_LOSS])
    return (
        frame.filter(pl.col("unit") == C.MWH)
        .group_by("network", "month", "row", maintain_order=True)
        .agg(
            supply_mwh=pl.col("value").filter(supply).sum(),
            use_mwh=pl.col("value").filter(use).sum(),
        )
    )


def check_balance(frame: pl.DataFrame, tolerance: float) -> list[Problem]:
    problems = []
    for r in monthly_heat_balance(frame).iter_rows(named=True):
        larger = max(r["supply_mwh"], r["use_mwh"])
        if larger > 0 and abs(r["supply_mwh"] - r["use_mwh"]) / larger > tolerance:
            file = frame.get_column("file")[0]
            problems.append(
                Problem(
                    file,
                    r["row"],
                    BALANCE_COLUMN,
                    f"{r['supply_mwh']:.1f} ≠ {r['use_mwh']:.1f} MWh",
                    "balance_mismatch",
                    f"{r['network']} {r['month']:%Y-%m}: production + purchased heat = "
                    f"{r['supply_mwh']:.1f} MWh but deliveries + losses = {r['use_mwh']:.1f} MWh "
                    f"(off by {abs(r['supply_mwh'] - r['use_mwh']) / larger:.1%}). Check the "
                    "units of each column.",
                    f"equal within {tolerance:.0%}",
                )
            )
    return problems


def check_magnitude(frame: pl.DataFrame, networks: dict[str, Network]) -> list[Problem]:
    """Each registered network's monthly heat supply within its range (0: a month it is shut)."""
    problems = []
    for r in monthly_heat_balance(frame).iter_rows(named=True):
        network = networks.get(r["network"])
        supply = r["supply_mwh"]
        if network is None or supply == 0:
            continue
        where = f"{r['network']} {r['month']:%Y-%m}"
        if supply > network.max_monthly_heat_mwh:
            problems.append(
                Problem(
                    frame.get_column("file")[0],
                    r["row"],
                    "Värmeproduktion + Köpt värme",
                    f"{supply:.0f} MWh",
                    "implausible_magnitude",
                    f"{where}: {supply:.0f} MWh of heat in one month is more than this "
                    f"{network.size_class} network can produce. Is the file in kWh? Then declare "
                    f"it with the line '{C.UNIT};{C.KWH}'.",
                    f"at most {network.max_monthly_heat_mwh:.0f} MWh a month for {r['network']} "
                    "(the network registry)",
                )
            )
        elif supply < network.min_monthly_heat_mwh:
            problems.append(
                Problem(
                    frame.get_column("file")[0],
                    r["row"],
                    "Värmeproduktion + Köpt värme",
                    f"{supply:.4g} MWh",
                    "implausible_magnitude",
                    f"{where}: {supply:.4g} MWh of heat is less than this {network.size_class} "
                    "network supplies in any month it runs. Is the file declared in kWh (the "
                    f"'{C.UNIT}' line or a heading) while its figures are in MWh?",
                    f"0, or at least {network.min_monthly_heat_mwh:.0f} MWh a month for "
                    f"{r['network']} (the network registry)",
                )
            )
    return problems


def check_heating_values(frame: pl.DataFrame, ranges: dict) -> list[Problem]:
    problems = []
    for sv, (low, high) in ranges.items():
        fuel = C.FUELS[sv]
        pairs = (
            frame.filter((pl.col("measure") == C.FUEL_INPUT) & (pl.col("category") == fuel))
            .group_by("network", "month", "row", maintain_order=True)
            .agg(
                t=pl.col("value").filter(pl.col("unit") == C.TONNES).sum(),
                mwh=pl.col("value").filter(pl.col("unit") == C.MWH).sum(),
                column=pl.col("column").filter(pl.col("unit") == C.MWH).first(),
            )
            .filter(pl.col("t") > 0)
        )
        for r in pairs.iter_rows(named=True):
            per_t = r["mwh"] / r["t"]
            if not low <= per_t <= high:
                problems.append(
                    Problem(
                        frame.get_column("file")[0],
                        r["row"],
                        r["column"] or f"Bränsle {sv}",
                        f"{per_t:.4g} MWh/t",
                        "implausible_heating_value",
                        f"{r['network']} {r['month']:%Y-%m}: {r['mwh']:.1f} MWh from "
                        f"{r['t']:.1f} t of {sv} is {per_t:.4g} MWh per tonne. Is the energy "
                        "unit right (kWh vs MWh)?",
                        f"{low}–{high} MWh/t for {sv}",
                    )
                )
    return problems


def check_values(frame: pl.DataFrame, ceilings: dict, skip_rows: set[int]) -> list[Problem]:
    """The measures outside the heat balance below their ceilings, on rows not already flagged
    for their heat (there the whole row is in the wrong unit: one problem says it)."""
    problems = []
    for (measure, unit), ceiling in ceilings.items():
        over = frame.filter(
            (pl.col("measure") == measure)
            & (pl.col("unit") == unit)
            & (pl.col("value") > ceiling)
            & ~pl.col("row").is_in(list(skip_rows))
        )
        for r in over.iter_rows(named=True):
            shown = f"{r['value']:.6g} {unit}"
            problems.append(
                Problem(
                    r["file"],
                    r["row"],
                    r["column"],
                    shown,
                    "implausible_value",
                    f"{r['network']} {r['month']:%Y-%m}: {shown} in '{r['column']}' is more than "
                    "any network here reports in a month. Is the unit right (kWh vs MWh, kg vs "
                    "t)?",
                    f"at most {ceiling:,.0f} {unit} per network and month",
                )
            )
    return sorted(problems, key=lambda p: p.row)


# --------------------------------------------------------------------------- report


def format_report(feed: Feed) -> str:
    if feed.ok:
        return f"OK: {printable(feed.file)}: {feed.frame.height} values, no problems.\n"
    lines = [f"{printable(feed.file)}: {len(feed.problems)} problem(s)"]
    for n, p in enumerate(feed.problems, start=1):
        where = ", ".join(
            x
            for x in (
                f"row {p.row}" if p.row else "",
                f"column '{p.column}'" if p.column else "",
                f"value '{p.value}'" if p.value is not None else "",
            )
            if x
        )
        lines += [
            f"[{n}] {where or 'the file'}",
            f"    {p.message}",
            *([f"    expected: {p.expected}"] if p.expected else []),
            f"    code: {p.code}",
        ]
    return "\n".join(lines) + "\n"
