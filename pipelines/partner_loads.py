"""Partner submissions from the inbox to raw tables (plain Python, no Dagster).

Layout under the inbox folder (INBOX_DIR):
    partners/<partner_id>/<file>           drops, as partners or staff leave them
    quarantine/<partner_id>/<sha>_<file>   rejected files, with <…>.report.txt beside them
    processed/<partner_id>/<sha>_<file>    accepted files (or files already loaded)

Each file is handled on its own: a bad file is quarantined while the valid files of the same
drop still load, and a file loads in one transaction (all its sheets, or nothing). The original
bytes of every file, good or bad, are kept in the landing zone under their sha256.
A resubmission for the same partner and year is a new row in raw.partner_submissions; staging
takes the newest as the one in force. The same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from pipelines import inbox as inbox_files
from pipelines import warehouse
from pipelines.loads import Store, naive_utc
from sources.partner_submissions import Limits, Problem, ValidationReport, format_report, load_partners, validate_submission

SHEET_TABLES = {"emissions": "partner_emissions", "energy": "partner_energy",
                "actions": "partner_actions", "removals": "partner_removals"}


@dataclass
class DropReport:
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)   # rejected file -> its report


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in inbox/partners/<partner_id>/, oldest first."""
    drops = inbox / "partners"
    if not drops.is_dir():
        return []
    files = [p for p in drops.glob("*/*") if inbox_files.is_drop(p)]
    return sorted(files, key=lambda p: (p.stat().st_mtime, str(p)))


def process_drop(inbox: Path, store: Store, *, today: date | None = None, limits: Limits | None = None) -> DropReport:
    partners = set(load_partners())
    report = DropReport()
    files = pending_files(inbox)
    if not files:
        return report
    with warehouse.connect(store.warehouse_path) as con:   # one connection per drop, a transaction per file
        for path in files:
            process_file(path, inbox, store, con, partners, today or date.today(), limits or Limits(), report)
    return report


def process_file(path: Path, inbox: Path, store: Store, con: duckdb.DuckDBPyConnection, partners: set[str],
                 today: date, limits: Limits, report: DropReport) -> None:
    folder_partner = path.parent.name
    content = path.read_bytes()
    landed = warehouse.land_bytes(store.landing_dir, "partners", content, path.suffix.lower()[:8])
    # The name is untrusted: the validator checks it relative to the partner's folder.
    validation = validate_submission(path.name, root=path.parent, partners=partners, today=today, limits=limits)
    if validation.ok and validation.submission.partner_id != folder_partner:
        validation = ValidationReport(validation.file, [folder_mismatch(path, folder_partner,
                                                                        validation.submission.partner_id)])
    if not validation.ok:
        text = inbox_files.quarantine(path, inbox, folder_partner, landed, format_report(validation))
        report.rejected.append(str(path.relative_to(inbox)))
        report.reports[str(path.relative_to(inbox))] = text
        return
    loaded = load_submission(con, validation.submission, landed.sha256, path.name)
    inbox_files.mark_processed(path, inbox, folder_partner, landed.sha256)
    (report.accepted if loaded else report.unchanged).append(str(path.relative_to(inbox)))


def folder_mismatch(path: Path, folder_partner: str, file_partner: str) -> Problem:
    return Problem(
        file=path.name, sheet="Organisation", row=2, column=None, column_letter=None, value=file_partner,
        code="partner_folder_mismatch",
        message_sv=f"filen ligger i mappen för {folder_partner!r} men anger partner {file_partner!r}",
        message_en=f"the file is in the folder of {folder_partner!r} but names partner {file_partner!r}",
        expected=f"partner-id {folder_partner!r}, eller filen i inbox/partners/{file_partner}/ / "
                 f"partner id {folder_partner!r}, or the file in inbox/partners/{file_partner}/")


def load_submission(con: duckdb.DuckDBPyConnection, submission, sha256: str, file_name: str) -> bool:
    """All sheets of one submission in one transaction; False when this file was loaded before."""
    if con.execute("select count(*) from raw.partner_submissions where sha256 = ?", [sha256]).fetchall()[0][0]:
        return False
    org = submission.organisation
    con.execute("begin transaction")
    try:
        con.execute("insert into raw.partner_submissions values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [sha256, submission.partner_id, submission.year, file_name,
                     naive_utc(datetime.now(timezone.utc)), org.get("contact_name"), org.get("contact_email"),
                     org.get("submitted_date")])
        for sheet, table in SHEET_TABLES.items():
            insert_sheet(con, table, getattr(submission, sheet), sha256, submission.partner_id, submission.year)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True


def insert_sheet(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, sha256: str,
                 partner_id: str, year: int) -> None:
    """Insert by column name; values travel as data (a replacement scan), never as SQL text."""
    if frame.height == 0:
        return
    rows = frame.with_columns(sha256=pl.lit(sha256), partner_id=pl.lit(partner_id), reporting_year=pl.lit(year),
                              # the row's place among the sheet's data rows, 1 = first
                              source_row=pl.int_range(1, frame.height + 1))
    columns = [c for c in con.sql(f"select * from raw.{table} limit 0").columns if c in rows.columns]
    rows = rows.select(columns)  # noqa: F841 - read by DuckDB's replacement scan
    names = ", ".join(columns)
    con.execute(f"insert into raw.{table} ({names}) select {names} from rows")
