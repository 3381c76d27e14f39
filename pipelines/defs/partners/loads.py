"""Partner submissions from the inbox to raw tables (plain Python, no Dagster).

A file feed of the shared drop processor (pipelines/lib/drops.py), under the inbox (INBOX_DIR):
    partners/<partner_id>/<file>           drops, as partners or staff leave them
    quarantine/<partner_id>/<sha>_<file>   rejected files, with <…>.report.txt beside them
    processed/<partner_id>/<sha>_<file>    accepted files (or files already loaded)

A file loads in one transaction (all its sheets and its raw.landed_files row, or nothing). A
resubmission for the same partner and year is a new row in raw.partner_submissions; staging
takes the newest as the one in force.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.defs.partners.raw_tables import (
    PARTNER_ACTIONS,
    PARTNER_EMISSIONS,
    PARTNER_ENERGY,
    PARTNER_REMOVALS,
    PARTNER_SUBMISSIONS,
)
from pipelines.lib import drops
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from sources.partner_submissions import (
    Limits,
    Problem,
    ValidationReport,
    load_partners,
    validate_submission_bytes,
)

SOURCE = "partners"  # landing-zone folder and raw.landed_files.source
SHEET_TABLES = {
    "emissions": PARTNER_EMISSIONS.name,
    "energy": PARTNER_ENERGY.name,
    "actions": PARTNER_ACTIONS.name,
    "removals": PARTNER_REMOVALS.name,
}


def submission_feed(*, today: date | None = None, limits: Limits | None = None) -> FileFeed:
    """Partner submissions as a file feed of the shared drop processor."""
    partners = set(load_partners())
    today, limits = today or date.today(), limits or Limits()

    def validate(path: Path, content: bytes) -> ValidationReport:
        folder_partner = path.parent.name
        # The name is untrusted: the validator checks it as a name.
        validation = validate_submission_bytes(
            path.name, content, partners=partners, today=today, limits=limits
        )
        if validation.ok and validation.submission.partner_id != folder_partner:
            return ValidationReport(
                validation.file,
                [folder_mismatch(path, folder_partner, validation.submission.partner_id)],
            )
        return validation

    return FileFeed(
        name="partner submissions",
        source=SOURCE,
        drop_folder="partners",
        nested=True,
        loaded_into=PARTNER_SUBMISSIONS.name,
        validate=validate,
        load=insert_submission,
        max_file_bytes=limits.max_file_bytes,
    )


def process_drop(
    inbox: Path,
    store: Store,
    *,
    today: date | None = None,
    limits: Limits | None = None,
    settle_s: float = 0.0,
) -> DropReport:
    return drops.process_drop(
        submission_feed(today=today, limits=limits), inbox, store, settle_s=settle_s
    )


def folder_mismatch(path: Path, folder_partner: str, file_partner: str) -> Problem:
    return Problem(
        file=path.name,
        sheet="Organisation",
        row=2,
        column=None,
        value=file_partner,
        code="partner_folder_mismatch",
        message_sv=f"filen ligger i mappen för {folder_partner!r} men anger partner "
        f"{file_partner!r}",
        message=f"the file is in the folder of {folder_partner!r} but names partner "
        f"{file_partner!r}",
        expected=f"partner-id {folder_partner!r}, eller filen i inbox/partners/{file_partner}/ / "
        f"partner id {folder_partner!r}, or the file in inbox/partners/{file_partner}/",
    )


def insert_submission(
    con: duckdb.DuckDBPyConnection, payload, landed: LandedFile, received_at: datetime
) -> list[str]:
    """All sheets of one submission (inside the drop processor's transaction); returns what it
    supersedes (the partner's earlier submission for the year), for the drop's report."""
    submission, file_name = payload, payload.file_name
    earlier = con.execute(
        """select file_name, received_at from raw.partner_submissions
        where partner_id = ? and reporting_year = ? order by received_at desc limit 1""",
        [submission.partner_id, submission.year],
    ).fetchall()
    org = submission.organisation
    con.execute(
        "insert into raw.partner_submissions values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            landed.sha256,
            submission.partner_id,
            submission.year,
            file_name,
            naive_utc(received_at),
            org.get("contact_name"),
            org.get("contact_email"),
            org.get("submitted_date"),
        ],
    )
    for sheet, table in SHEET_TABLES.items():
        insert_sheet(
            con,
            table,
            getattr(submission, sheet),
            landed.sha256,
            submission.partner_id,
            submission.year,
        )
    return [
        f"supersedes {submission.partner_id}'s {submission.year} submission {name} "
        f"(received {received:%Y-%m-%d %H:%M} UTC)"
        for name, received in earlier
    ]


def insert_sheet(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    sha256: str,
    partner_id: str,
    year: int,
) -> None:
    """Insert by column name; values travel as data (a registered frame), never as SQL text."""
    if frame.height == 0:
        return
    rows = frame.with_columns(
        sha256=pl.lit(sha256),
        partner_id=pl.lit(partner_id),
        reporting_year=pl.lit(year),
        # the row's place among the sheet's data rows, 1 = first
        source_row=pl.int_range(1, frame.height + 1),
    )
    columns = [
        c for c in con.sql(f"select * from raw.{table} limit 0").columns if c in rows.columns
    ]
    con.register("sheet_rows", rows.select(columns))
    names = ", ".join(columns)
    con.execute(f"insert into raw.{table} ({names}) select {names} from sheet_rows")
    con.unregister("sheet_rows")
