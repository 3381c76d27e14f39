"""Validation of a feed file: every problem with file, row, column, value, code, message, expected.

Problems are reported like the partner-submissions validator does (one Problem per finding, the
row as the 1-based line of the file or the Excel row, the column as its heading); messages are in
English, naming the Swedish headings. The codes:

  file          unsupported_file_type, unreadable_file, missing_header
  period/unit   missing_period, invalid_period, wrong_unit, conflicting_unit
  columns       missing_column, renamed_column, unknown_column, duplicate_column
  rows          missing_network, missing_month, invalid_month, month_outside_period,
                month_not_reported, duplicate_row
  cells         missing_value, not_a_number, decimal_point, negative_energy, negative_value
  consistency   balance_mismatch, implausible_magnitude, implausible_heating_value

The BALANCE check (per network and month): heat production (all sources) + purchased heat must
equal deliveries + network losses within `Limits.balance_tolerance` (2 % by default) of the
larger side. It catches a row where SOME columns are in kWh and others in MWh.

A WHOLE file silently in kWh balances perfectly (every number is 1000x off), so two other
checks catch it, both always on:
  * implausible_magnitude: a network's heat supply in one month above `max_monthly_heat_mwh`
    (250 000 MWh: more than ~336 MW all month long, above everything the Bäckelund plants,
    Panna 8 and the industrial waste heat can give together; data_sources.md §4.3);
  * implausible_heating_value: fuel MWh per tonne outside the physical range of the fuel
    (e.g. waste 1.5–4.5 MWh/t); kWh read as MWh gives ~3000 "MWh"/t. This one also catches a
    file declared kWh whose numbers are really MWh (0.003 MWh/t).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from sources.energy_feed import contract as C
from sources.energy_feed import parse as P

SOURCE_KEY = "källa"   # the metadata line naming where the figures come from
BALANCE_COLUMN = "Värmeproduktion + Köpt värme = Leverans + Nätförluster"


@dataclass(frozen=True)
class Limits:
    balance_tolerance: float = 0.02
    max_monthly_heat_mwh: float = 250_000.0
    # MWh per tonne (lower heating value, as delivered). Wide on purpose: only gross errors.
    heating_value_mwh_per_t: dict = field(default_factory=lambda: {
        "restavfall": (1.5, 4.5), "biobränsle": (1.5, 5.5), "eldningsolja": (9.5, 12.5)})


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None          # 1-based line (CSV) or Excel row
    column: str | None       # the heading as written, or as the contract names it
    value: str | None        # the offending value as written
    code: str
    message: str
    expected: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Feed:
    file: str
    frame: pl.DataFrame      # the long format (see contract.py); load it only when ok
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


def load_feed(path: Path, limits: Limits = Limits()) -> Feed:
    """Read and validate one file."""
    path = Path(path)
    return load_feed_bytes(path.name, path.read_bytes(), limits)


def load_feed_bytes(name: str, content: bytes, limits: Limits = Limits()) -> Feed:
    """Validate the bytes of a file named `name`, as the drop processor read them once."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return _failed(name, "unsupported_file_type", f"'{suffix}' files are not read.",
                       ".csv or .xlsx", value=suffix)
    try:
        sheet = P.sheet_of(name, content)
    except P.UnreadableFile as error:
        return _failed(name, "unreadable_file", f"The file cannot be read: {error}.",
                       "text in UTF-8 or Windows-1252, or an .xlsx workbook")
    frame = P.to_long(sheet)
    meta = {key: P.as_text(values[0]) if values else "" for key, (_, values) in sheet.meta.items()}
    return Feed(name, frame, validate_sheet(sheet, frame, limits), meta)


def _failed(file: str, code: str, message: str, expected: str, value: str | None = None) -> Feed:
    empty = pl.DataFrame(schema=P.LONG_SCHEMA)
    return Feed(file, empty, [Problem(file, None, None, value, code, message, expected)])


def validate_sheet(sheet: P.Sheet, frame: pl.DataFrame, limits: Limits = Limits()) -> list[Problem]:
    if sheet.header_row is None:
        return [Problem(sheet.file, None, C.NETWORK, None, "missing_header",
                        f"No header line: no line starts with '{C.NETWORK}'.",
                        ";".join(C.template_header()))]
    period, problems = check_period(sheet)
    layout = check_units(sheet) + check_columns(sheet)
    cells = check_cells(sheet)
    problems += layout + check_rows(sheet, period) + cells
    if period is not None:
        problems += check_months_reported(sheet, frame, period)
    if not layout:   # with a column missing or unreadable every row would be "unbalanced": noise
        sound = frame.filter(~pl.col("row").is_in([p.row for p in cells]))
        problems += check_balance(sound, limits.balance_tolerance)
        problems += check_magnitude(sound, limits.max_monthly_heat_mwh)
        problems += check_heating_values(sound, limits.heating_value_mwh_per_t)
    return problems


# --------------------------------------------------------------------------- period and units


def check_period(sheet: P.Sheet) -> tuple[tuple[date, date] | None, list[Problem]]:
    expected = f"{C.PERIOD};YYYY-MM;YYYY-MM (first and last month), e.g. {C.PERIOD};2025-01;2025-12"
    entry = sheet.meta.get(C.PERIOD.lower())
    if entry is None:
        return None, [Problem(sheet.file, None, C.PERIOD, None, "missing_period",
                              f"The file does not declare its period: add a line '{C.PERIOD};first;last' "
                              f"above the header line.", expected)]
    line, values = entry
    months = [P.parse_month(v) for v in values[:2]]
    shown = ";".join(P.as_text(v) for v in values)
    if len(months) < 2 or None in months or months[0] > months[1]:
        return None, [Problem(sheet.file, line, C.PERIOD, shown, "invalid_period",
                              f"The period '{shown}' is not two months YYYY-MM, first before last.", expected)]
    return (months[0], months[1]), []


def check_units(sheet: P.Sheet) -> list[Problem]:
    problems = []
    declared = P.declared_unit(sheet)
    allowed = f"{C.MWH} or {C.KWH}"
    if declared is not None and declared.lower() not in C.ENERGY_UNITS:
        line = sheet.meta[C.UNIT.lower()][0]
        problems.append(Problem(sheet.file, line, C.UNIT, declared, "wrong_unit",
                                f"The energy unit '{declared}' is not accepted; convert the file to MWh "
                                f"or kWh.", allowed))
    for h, column in P.mapped_columns(sheet):
        if column.kind != C.Kind.ENERGY or h.unit is None:
            continue
        if h.unit.lower() not in C.ENERGY_UNITS:
            problems.append(Problem(sheet.file, sheet.header_row, h.text, h.unit, "wrong_unit",
                                    f"'{h.text}' is in '{h.unit}', which is not accepted for energy.", allowed))
        elif declared is not None and declared.lower() in C.ENERGY_UNITS and h.unit.lower() != declared.lower():
            problems.append(Problem(sheet.file, sheet.header_row, h.text, h.unit, "conflicting_unit",
                                    f"'{h.text}' says {h.unit} but the file declares {C.UNIT} {declared}; "
                                    f"one unit per file.", declared))
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
            problems.append(Problem(sheet.file, sheet.header_row, name, None, "missing_column",
                                    f"The column '{name}' is missing.", name))
    return problems


def _heading_problem(sheet, h, mapped, missing_names, claimed) -> Problem | None:
    if h.base.lower() in (k.lower() for k in C.KEY_COLUMNS):
        return None
    column = P.contract_column(h)
    if column is not None:
        if (h, column) in mapped:
            return None
        return Problem(sheet.file, sheet.header_row, h.text, h.text, "duplicate_column",
                       f"The column '{h.text}' appears more than once.", "each column once")
    close = difflib.get_close_matches(h.text, missing_names, n=1, cutoff=0.75)
    if close:
        claimed.add(close[0])
        return Problem(sheet.file, sheet.header_row, h.text, h.text, "renamed_column",
                       f"The column '{h.text}' is not in the contract; it looks like '{close[0]}', "
                       f"which is missing. Rename it.", close[0])
    return Problem(sheet.file, sheet.header_row, h.text, h.text, "unknown_column",
                   f"The column '{h.text}' is not in the contract and is not read.",
                   "one of the contract's columns")


# --------------------------------------------------------------------------- rows and cells


def check_rows(sheet: P.Sheet, period: tuple[date, date] | None) -> list[Problem]:
    network_at, month_at = P.heading_index(sheet, C.NETWORK), P.heading_index(sheet, C.MONTH)
    problems, seen = [], {}
    for number, cells in sheet.rows:
        network = P.as_text(P.cell_at(cells, network_at))
        raw_month = P.cell_at(cells, month_at) if month_at is not None else ""
        month = P.parse_month(raw_month)
        problems += _row_key_problems(sheet.file, number, network, raw_month, month, period, month_at)
        if network and month is not None:
            if (network, month) in seen:
                problems.append(Problem(sheet.file, number, C.MONTH, month.strftime("%Y-%m"), "duplicate_row",
                                        f"{network} {month:%Y-%m} is already reported on row "
                                        f"{seen[(network, month)]}.", "one row per network and month"))
            seen.setdefault((network, month), number)
    return problems


def _row_key_problems(file, number, network, raw_month, month, period, month_at) -> list[Problem]:
    problems = []
    if not network:
        problems.append(Problem(file, number, C.NETWORK, None, "missing_network",
                                "The network is empty.", "the network's name, e.g. Borlänge"))
    if month_at is None:
        return problems
    if P.is_empty(raw_month):
        problems.append(Problem(file, number, C.MONTH, None, "missing_month", "The month is empty.", "YYYY-MM"))
    elif month is None:
        problems.append(Problem(file, number, C.MONTH, P.as_text(raw_month), "invalid_month",
                                f"'{P.as_text(raw_month)}' is not a month.", "YYYY-MM, e.g. 2025-01"))
    elif period is not None and not period[0] <= month <= period[1]:
        problems.append(Problem(file, number, C.MONTH, f"{month:%Y-%m}", "month_outside_period",
                                f"{month:%Y-%m} is outside the declared period "
                                f"{period[0]:%Y-%m}–{period[1]:%Y-%m}.",
                                f"a month {period[0]:%Y-%m}–{period[1]:%Y-%m}"))
    return problems


def check_cells(sheet: P.Sheet) -> list[Problem]:
    problems = []
    for number, cells in sheet.rows:
        for h, column in P.mapped_columns(sheet):
            problem = _cell_problem(sheet.file, number, h, column, P.cell_at(cells, h.index))
            if problem is not None:
                problems.append(problem)
    return problems


def _cell_problem(file, number, h, column, raw) -> Problem | None:
    value, reason = P.parse_number(raw)
    unit = column.long_unit if column.kind != C.Kind.ENERGY else (h.unit or "the file's energy unit")
    expected = f"a number ≥ 0 in {unit}, decimal comma (e.g. 1 234,5)"
    shown = P.as_text(raw)
    if reason == "empty":
        return Problem(file, number, h.text, None, "missing_value",
                       f"'{h.text}' is empty; write 0 when there is none.", expected) if column.required else None
    if reason == "decimal_point":
        return Problem(file, number, h.text, shown, "decimal_point",
                       f"'{shown}' has a decimal point; write decimals with a comma ({shown.replace('.', ',')}).",
                       expected)
    if reason == "not_a_number":
        return Problem(file, number, h.text, shown, "not_a_number", f"'{shown}' is not a number.", expected)
    if value < 0:
        code = "negative_energy" if column.kind == C.Kind.ENERGY else "negative_value"
        return Problem(file, number, h.text, shown, code, f"'{h.text}' must not be negative ({shown}).", expected)
    return None


def check_months_reported(sheet: P.Sheet, frame: pl.DataFrame, period: tuple[date, date]) -> list[Problem]:
    line = sheet.meta[C.PERIOD.lower()][0]
    expected_months = pl.date_range(period[0], period[1], "1mo", eager=True).to_list()
    problems = []
    for network in frame.get_column("network").unique(maintain_order=True).to_list():
        have = set(frame.filter(pl.col("network") == network).get_column("month").to_list())
        for month in (m for m in expected_months if m not in have):
            problems.append(Problem(sheet.file, line, C.MONTH, f"{month:%Y-%m}", "month_not_reported",
                                    f"{network} has no row for {month:%Y-%m}, inside the declared period.",
                                    f"one row per network and month {period[0]:%Y-%m}–{period[1]:%Y-%m}"))
    return problems


# --------------------------------------------------------------------------- consistency


def monthly_heat_balance(frame: pl.DataFrame) -> pl.DataFrame:
    """Per network, month (and its row): supply = production + purchased, use = deliveries + losses."""
    supply = pl.col("measure").is_in([C.HEAT_PRODUCTION, C.PURCHASED_HEAT])
    use = pl.col("measure").is_in([C.DELIVERY, C.NETWORK_LOSS])
    return (frame.filter(pl.col("unit") == C.MWH)
            .group_by("network", "month", "row", maintain_order=True)
            .agg(supply_mwh=pl.col("value").filter(supply).sum(), use_mwh=pl.col("value").filter(use).sum()))


def check_balance(frame: pl.DataFrame, tolerance: float) -> list[Problem]:
    problems = []
    for r in monthly_heat_balance(frame).iter_rows(named=True):
        larger = max(r["supply_mwh"], r["use_mwh"])
        if larger > 0 and abs(r["supply_mwh"] - r["use_mwh"]) / larger > tolerance:
            file = frame.get_column("file")[0]
            problems.append(Problem(
                file, r["row"], BALANCE_COLUMN, f"{r['supply_mwh']:.1f} ≠ {r['use_mwh']:.1f} MWh", "balance_mismatch",
                f"{r['network']} {r['month']:%Y-%m}: production + purchased heat = {r['supply_mwh']:.1f} MWh but "
                f"deliveries + losses = {r['use_mwh']:.1f} MWh (off by "
                f"{abs(r['supply_mwh'] - r['use_mwh']) / larger:.1%}). Check the units of each column.",
                f"equal within {tolerance:.0%}"))
    return problems


def check_magnitude(frame: pl.DataFrame, max_mwh: float) -> list[Problem]:
    problems = []
    for r in monthly_heat_balance(frame).filter(pl.col("supply_mwh") > max_mwh).iter_rows(named=True):
        problems.append(Problem(
            frame.get_column("file")[0], r["row"], "Värmeproduktion + Köpt värme", f"{r['supply_mwh']:.0f} MWh",
            "implausible_magnitude",
            f"{r['network']} {r['month']:%Y-%m}: {r['supply_mwh']:.0f} MWh of heat in one month is more than any "
            f"network here can produce. Is the file in kWh? Then declare it with the line '{C.UNIT};{C.KWH}'.",
            f"at most {max_mwh:.0f} MWh per network and month"))
    return problems


def check_heating_values(frame: pl.DataFrame, ranges: dict) -> list[Problem]:
    problems = []
    for sv, (low, high) in ranges.items():
        fuel = C.FUELS[sv]
        pairs = (frame.filter((pl.col("measure") == C.FUEL_INPUT) & (pl.col("category") == fuel))
                 .group_by("network", "month", "row", maintain_order=True)
                 .agg(t=pl.col("value").filter(pl.col("unit") == C.TONNES).sum(),
                      mwh=pl.col("value").filter(pl.col("unit") == C.MWH).sum(),
                      column=pl.col("column").filter(pl.col("unit") == C.MWH).first())
                 .filter(pl.col("t") > 0))
        for r in pairs.iter_rows(named=True):
            per_t = r["mwh"] / r["t"]
            if not low <= per_t <= high:
                problems.append(Problem(
                    frame.get_column("file")[0], r["row"], r["column"] or f"Bränsle {sv}", f"{per_t:.4g} MWh/t",
                    "implausible_heating_value",
                    f"{r['network']} {r['month']:%Y-%m}: {r['mwh']:.1f} MWh from {r['t']:.1f} t of {sv} is "
                    f"{per_t:.4g} MWh per tonne. Is the energy unit right (kWh vs MWh)?",
                    f"{low}–{high} MWh/t for {sv}"))
    return problems


# --------------------------------------------------------------------------- report


def format_report(feed: Feed) -> str:
    if feed.ok:
        return f"OK: {feed.file}: {feed.frame.height} values, no problems.\n"
    lines = [f"{feed.file}: {len(feed.problems)} problem(s)"]
    for n, p in enumerate(feed.problems, start=1):
        where = ", ".join(x for x in (f"row {p.row}" if p.row else "", f"column '{p.column}'" if p.column else "",
                                      f"value '{p.value}'" if p.value is not None else "") if x)
        lines += [f"[{n}] {where or 'the file'}", f"    {p.message}",
                  *([f"    expected: {p.expected}"] if p.expected else []), f"    code: {p.code}"]
    return "\n".join(lines) + "\n"
