"""Validate a partner submission (.xlsx or .csv) against the schema, reporting EVERY problem found.

    report = validate_submission(Path("ssab_2025.xlsx"), root=inbox, partners={...},
    today=date.today(),
                                 limits=Limits())
    if report.ok:
        report.submission.emissions      # a polars frame, the schema's keys as columns

`path` is UNTRUSTED (it may come from an upload or an e-mail attachment): it is checked as a
name before anything is opened, and read relative to `root`, a directory the caller trusts
(default: the working directory). Absolute paths, `..`, backslashes, NUL and names starting
with a dot are refused, and so is a symbolic link that leads out of `root`.

The checks stop early only where nothing more can be learnt (a refused name, a file that is
empty, too big or not what its extension says); otherwise every sheet, row and cell is checked
and all problems are returned, sorted as the file reads.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl
from openpyxl.utils import column_index_from_string, get_column_letter

from sources.feed_problems import Problem, Validation
from sources.file_limits import DEFAULT_LIMITS
from sources.partner_submissions import problems as P
from sources.partner_submissions.cells import parse_cell
from sources.partner_submissions.csv_format import read_csv_sections
from sources.partner_submissions.files import (
    Limits,
    check_file_name,
    check_size,
    check_suffix,
    check_xlsx_bytes,
    decode_csv_bytes,
    refusal_msg,
    suffix_of,
)
from sources.partner_submissions.report import format_report
from sources.partner_submissions.schema import (
    ACTIONS,
    DATA_SHEETS,
    ORGANISATION,
    PLAN_COLUMNS,
    SHEETS,
    Sheet,
)
from sources.partner_submissions.structure import (
    ColumnMap,
    Located,
    map_columns,
    match_sheets,
    unit_column_problems,
)
from sources.partner_submissions.tables import CellTooLong, RawSheet, normalise, read_xlsx


@dataclass(frozen=True)
class Submission:
    """A valid submission: typed values, nothing converted or reinterpreted."""

    partner_id: str
    year: int
    organisation: dict[str, object]  # partner_id str, reporting_year int, contact_name str,
    # contact_email str, submitted_date date
    emissions: pl.DataFrame
    energy: pl.DataFrame
    actions: pl.DataFrame
    removals: pl.DataFrame
    file_name: str
    file_format: str  # "xlsx" or "csv"
    sha256: str  # of the bytes validated

    @property
    def frames(self) -> dict[str, pl.DataFrame]:
        """The data sheets by key: emissions, energy, actions, removals."""
        return {
            "emissions": self.emissions,
            "energy": self.energy,
            "actions": self.actions,
            "removals": self.removals,
        }

    @property
    def organisation_frame(self) -> pl.DataFrame:
        """The organisation as a one-row frame with the schema's dtypes."""
        return _frame(ORGANISATION, [self.organisation])


@dataclass(frozen=True)
class ValidationReport(Validation):
    """One submission's validation; its payload is the valid submission."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    submission: Submission | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.submission is not None

    @property
    def payload(self) -> Submission | None:
        return self.submission

    def report(self) -> str:
        return format_report(self)

    def to_dict(self) -> dict:
        counts = (
            {k: f.height for k, f in self.submission.frames.items()} if self.submission else None
        )
        return {
            "file": self.file,
            "ok": self.ok,
            "rows": counts,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class _Context:
    partners: dict[str, str]  # case-folded id -> id
    today: date
    csv: bool


def validate_submission(
    path: Path | str,
    *,
    partners: set[str],
    today: date,
    limits: Limits = DEFAULT_LIMITS,
    root: Path | None = None,
) -> ValidationReport:
    name = os.fspath(path)
    refused = check_file_name(name) or check_suffix(name)
    if refused:
        return _refuse(name, refused)
    data, problems = _read_bytes(name, Path.cwd() if root is None else Path(root), limits)
    if problems:
        return _refuse(name, problems)
    return validate_submission_bytes(name, data, partners=partners, today=today, limits=limits)


def validate_submission_bytes(
    name: str, content: bytes, *, partners: set[str], today: date, limits: Limits = DEFAULT_LIMITS
) -> ValidationReport:
    """One submission from its bytes, read once by the caller (the drop processor lands them and
    hands them here). `name` is the file's name as sent: it is checked as a name, its extension
    chooses the format and the report shows it; nothing is opened."""
    refused = check_file_name(name) or check_suffix(name) or check_size(len(content), limits)
    if refused:
        return _refuse(name, refused)
    csv = suffix_of(name) == ".csv"
    raw_sheets, problems = (_csv_sheets if csv else _xlsx_sheets)(content, limits)
    if problems:
        return _refuse(name, problems)
    context = _Context({p.casefold(): p for p in partners}, today, csv)
    located, records, ranks = _check_sheets(raw_sheets, context, limits)
    if located:
        problems = _sorted([_place(name, loc) for loc in located], ranks)
        if len(problems) > limits.max_problems:
            problems = problems[: limits.max_problems] + [
                P.located(P.too_many_problems(limits.max_problems), name)
            ]
        return ValidationReport(name, problems)
    return ValidationReport(name, [], _submission(name, content, records, "csv" if csv else "xlsx"))


def validate_file(
    path: Path, *, partners: set[str], today: date, limits: Limits = DEFAULT_LIMITS
) -> ValidationReport:
    """For a path the CALLER trusts (an operator's command line, a file the loader listed in its own
    inbox): its directory becomes the root and only its name is checked as untrusted."""
    path = Path(path)
    return validate_submission(
        path.name, root=path.parent, partners=partners, today=today, limits=limits
    )


def _refuse(name: str, problems: list[P.Msg | Located]) -> ValidationReport:
    return ValidationReport(
        name, [_place(name, p) if isinstance(p, Located) else P.located(p, name) for p in problems]
    )


def _read_bytes(name: str, root: Path, limits: Limits) -> tuple[bytes, list[P.Msg]]:
    try:
        base = root.resolve(strict=True)
        target = (base / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return b"", [P.file_not_found(name)]
    if not target.is_relative_to(base):
        return b"", [P.unsafe_file_name(name, "outside")]
    if not target.is_file():
        return b"", [P.file_not_found(name)]
    too_big = check_size(target.stat().st_size, limits)
    if too_big:
        return b"", too_big
    with target.open("rb") as handle:
        data = handle.read(limits.max_file_bytes + 1)
    return data, check_size(len(data), limits)


def _xlsx_sheets(data: bytes, limits: Limits) -> tuple[list[RawSheet], list[P.Msg | Located]]:
    problems = check_xlsx_bytes(data, limits)
    if problems:
        return [], problems
    try:
        return read_xlsx(
            data,
            max_rows=limits.max_rows,
            max_columns=limits.max_columns,
            max_field_chars=limits.max_field_chars,
        ), []
    except CellTooLong as cell:
        return [], [
            Located(
                P.field_too_long(limits.max_field_chars),
                sheet=cell.sheet,
                row=cell.row,
                letter=cell.letter,
            )
        ]
    except Exception as error:  # noqa: BLE001 - any failure of openpyxl on a hostile file is a problem
        return [], [P.unreadable_xlsx(type(error).__name__)]


def _csv_sheets(data: bytes, limits: Limits) -> tuple[list[RawSheet], list[P.Msg | Located]]:
    text, problems = decode_csv_bytes(data)
    if problems:
        return [], problems
    if text.strip() == "":
        return [], [P.empty_file()]
    sheets, separator, refusal = read_csv_sections(text, limits=limits)
    if refusal is not None:
        letter = get_column_letter(refusal.column + 1) if refusal.column is not None else None
        return [], [Located(refusal_msg(refusal), row=refusal.row, letter=letter)]
    if separator is not None:
        return [], [P.wrong_separator(separator)]
    return sheets, []


# --------------------------------------------------------------------------- sheets


def _check_sheets(
    raw_sheets: list[RawSheet], context: _Context, limits: Limits
) -> tuple[list[Located], dict[str, list[dict]], dict[str, int]]:
    """Problems, records per sheet key, and each sheet name's rank (problems in file order)."""
    match = match_sheets(raw_sheets, csv=context.csv)
    located = list(match.problems)
    records: dict[str, list[dict]] = {}
    ranks = {normalise(s.name): i for i, s in enumerate(SHEETS)}
    for rank, sheet in enumerate(SHEETS):
        raw = match.found.get(sheet.key)
        if raw is not None and len(located) <= limits.max_problems:
            ranks[normalise(raw.name)] = rank
            sheet_records, sheet_problems = _check_sheet(
                sheet, raw, context, limits, budget=limits.max_problems - len(located)
            )
            records[sheet.key] = sheet_records
            located.extend(sheet_problems)
    return located, records, ranks


def _check_sheet(
    sheet: Sheet, raw: RawSheet, context: _Context, limits: Limits, budget: int
) -> tuple[list[dict], list[Located]]:
    """Records and problems; the rows stop being checked once the problems pass `budget` (the
    file is refused anyway, and a file of nothing but bad cells stays a bounded report)."""
    columns = map_columns(sheet, raw)
    problems = list(columns.problems)
    if not columns.has_header:
        return [], problems
    problems += unit_column_problems(sheet, raw, columns)
    if raw.truncated:
        problems.append(Located(P.too_many_rows(sheet, limits.max_rows), sheet=raw.name))
    if len(raw.rows) < sheet.min_rows:
        problems.append(
            Located(
                P.no_rows(sheet), sheet=raw.name, row=raw.header_row + 1 if not raw.csv else None
            )
        )
    rows = raw.rows[:1] if sheet.single_row else raw.rows
    for row, _ in raw.rows[len(rows) :]:
        problems.append(Located(P.extra_organisation_row(rows[0][0]), sheet=raw.name, row=row))
    records, keys = [], []
    for row, cells in rows:
        if len(problems) > budget:
            break
        record, row_problems, key = _check_row(sheet, raw, columns, row, cells, context)
        records.append(record)
        keys.append((row, key))
        problems += row_problems
    problems += _duplicates(sheet, raw, keys)
    return records, problems


def _check_row(sheet: Sheet, raw: RawSheet, columns: ColumnMap, row: int, cells, context: _Context):
    record: dict[str, object] = {}
    problems: list[Located] = []
    failed: set[str] = set()
    key: list[object] = []
    for column in sheet.columns:
        index = columns.index.get(column.key)
        if index is None:
            record[column.key] = None
            failed.add(column.key)
            continue
        cell = raw.cell(cells, index)
        value, msg = parse_cell(column, cell, csv=context.csv, today=context.today)
        if msg is not None:
            msg = (
                msg
                if msg.expected
                else replace(msg, expected=P.expected_for(column, context.today.year))
            )
            failed.add(column.key)
            problems.append(_at(raw, row, column.heading, index, cell.shown(), msg))
        record[column.key] = value
        if column.key in sheet.unique_key:
            shown = cell.shown()
            key.append(value if msg is None else (normalise(shown) if shown is not None else None))
    problems += _row_rules(sheet, raw, columns, row, record, failed, context)
    return record, problems, tuple(key)


def _row_rules(
    sheet: Sheet,
    raw: RawSheet,
    columns: ColumnMap,
    row: int,
    record: dict,
    failed: set[str],
    context: _Context,
) -> list[Located]:
    out: list[Located] = []
    if (
        sheet.key == "emissions"
        and record.get("scope") == 2
        and record.get("method") is None
        and "method" not in failed
    ):
        column = sheet.column("method")
        out.append(
            _at(
                raw,
                row,
                column.heading,
                columns.index["method"],
                None,
                P.scope2_without_method(column),
            )
        )
    if sheet is ACTIONS:
        out += _plan_rules(raw, columns, row, record, failed)
    if sheet is ORGANISATION and record.get("partner_id") is not None:
        partner = context.partners.get(str(record["partner_id"]).casefold())
        if partner is None:
            msg = replace(
                P.unknown_partner(str(record["partner_id"]), sorted(context.partners.values())),
                expected=P.expected_for(sheet.column("partner_id"), context.today.year),
            )
            out.append(
                _at(
                    raw,
                    row,
                    sheet.column("partner_id").heading,
                    columns.index["partner_id"],
                    str(record["partner_id"]),
                    msg,
                )
            )
        record["partner_id"] = partner
    return out


GPC_REF = re.compile(r"^(I|II|III|IV|V|VI)(\.\d+){1,2}$")
# Once a row names its activity these make it computable (pipelines/defs/plan/actions.py).
PLAN_REQUIRED = ("change", "effect_central", "end_year")  # scope 2 has no SMHI sector


def _plan_rules(
    raw: RawSheet, columns: ColumnMap, row: int, record: dict, failed: set[str]
) -> list[Located]:
    """The scenario model's rules of one action row, each at its cell."""
    out: list[Located] = []

    def at(key: str, msg: P.Msg, value=None) -> None:
        index = columns.index.get(key)
        if index is not None:
            column = ACTIONS.column(key)
            shown = (
                None if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            )
            out.append(_at(raw, row, column.heading, index, shown, msg))

    activity = record.get("activity_id")
    if activity is None:
        if "activity_id" in columns.index:
            for column in PLAN_COLUMNS[1:]:
                if record.get(column.key) is not None and column.key not in _TRACKING_ONLY:
                    heading = ACTIONS.column("activity_id").heading
                    at(column.key, P.plan_value_without_activity(column, heading))
                    break
    else:
        for key in PLAN_REQUIRED:
            if record.get(key) is None and key not in failed:
                at(key, P.missing_plan_value(ACTIONS.column(key), activity))
        change = record.get("change")
        if change == "bränslebyte":
            for key in ("from_fuel", "to_fuel"):
                if record.get(key) is None and key not in failed:
                    at(key, P.missing_plan_value(ACTIONS.column(key), activity))
        for key in ("effect_low", "effect_central", "effect_high"):
            value = record.get(key)
            if value is None:
                continue
            if (change == "relativ" and value < -1) or (
                change == "bränslebyte" and not 0 <= value <= 1
            ):
                at(key, P.effect_out_of_range(ACTIONS.column(key), change, value), value)
        low, central, high = (
            record.get(k) for k in ("effect_low", "effect_central", "effect_high")
        )
        if None not in (low, central, high) and not min(low, high) <= central <= max(low, high):
            at("effect_central", P.effect_out_of_order(low, central, high), central)
        if record.get("opex_sek_per_year") and record.get("opex_payer") is None:
            at("opex_payer", P.missing_plan_value(ACTIONS.column("opex_payer"), activity))
        start, end = record.get("start_year"), record.get("end_year")
        if start is not None and end is not None and end < start:
            at("end_year", P.end_before_start(ACTIONS.column("end_year"), start, end), end)
    gpc = record.get("gpc_ref")
    if gpc is not None and not GPC_REF.match(str(gpc)):
        at("gpc_ref", P.invalid_gpc_ref(str(gpc)), gpc)
    if record.get("status") == "avbruten" and record.get("status_reason") is None:
        at("status_reason", P.missing_status_reason(ACTIONS.column("status_reason")))
    if record.get("kpi_kind") is not None and record.get("kpi_ref") is None:
        at("kpi_ref", P.kpi_without_reference(ACTIONS.column("kpi_ref"), record["kpi_kind"]))
    for key, maximum in (("funding_share", 1.0), ("percent_done", 100.0)):
        value = record.get(key)
        if value is not None and value > maximum:
            at(key, P.above_maximum(ACTIONS.column(key), maximum, value), value)
    return out


# Tracking fields make sense for an action outside the scenario model too.
_TRACKING_ONLY = {
    "status_reason",
    "percent_done",
    "responsible_org",
    "contact_email",
    "kpi_kind",
    "kpi_ref",
    "opex_sek_per_year",
    "opex_payer",
    "payer",
    "funding_source",
    "funding_share",
    "funding_secured",
}


def _duplicates(sheet: Sheet, raw: RawSheet, keys: list[tuple[int, tuple]]) -> list[Located]:
    if not sheet.unique_key:
        return []
    key_columns = [sheet.column(k) for k in sheet.unique_key]
    first_seen: dict[tuple, int] = {}
    out: list[Located] = []
    for row, key in keys:
        if all(k is None for k in key):
            continue
        comparable = tuple(normalise(k) if isinstance(k, str) else k for k in key)
        if comparable in first_seen:
            shown = [_show_key(k) for k in key]
            out.append(
                Located(
                    P.duplicate_row(first_seen[comparable], key_columns, shown),
                    sheet=raw.name,
                    row=row,
                    value=" | ".join(shown),
                )
            )
        else:
            first_seen[comparable] = row
    return out


def _show_key(value: object) -> str:
    if value is None:
        return "(tom)"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def _at(
    raw: RawSheet, row: int, heading: str, index: int, value: str | None, msg: P.Msg
) -> Located:
    return Located(
        msg, sheet=raw.name, row=row, column=heading, letter=raw.letter(index), value=value
    )


# --------------------------------------------------------------------------- the result


def _place(name: str, located: Located) -> Problem:
    msg = located.msg
    return P.located(
        msg,
        name,
        sheet=located.sheet,
        row=located.row,
        column=located.column,
        column_letter=located.letter,
        value=located.value,
    )


def _sorted(problems: list[Problem], ranks: dict[str, int]) -> list[Problem]:
    def key(p: Problem):
        sheet = -1 if p.sheet is None else ranks.get(normalise(p.sheet), len(SHEETS))
        column = column_index_from_string(p.column_letter) if p.column_letter else 0
        return sheet, p.row or 0, column

    return sorted(problems, key=key)


def _submission(
    name: str, data: bytes, records: dict[str, list[dict]], file_format: str
) -> Submission:
    organisation = records["organisation"][0]
    frames = {s.key: _frame(s, records.get(s.key, [])) for s in DATA_SHEETS}
    return Submission(
        partner_id=organisation["partner_id"],
        year=organisation["reporting_year"],
        organisation=organisation,
        file_name=name,
        file_format=file_format,
        sha256=hashlib.sha256(data).hexdigest(),
        **frames,
    )


def _frame(sheet: Sheet, records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {k: [r[k] for r in records] for k in sheet.keys}, schema=sheet.polars_schema
    )
