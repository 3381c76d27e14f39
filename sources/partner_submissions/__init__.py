"""Partner submissions for Klimatneutrala Borlänge 2030: the schema, the template and the validator.

Plain Python (no Dagster). One schema (`schema.SHEETS`) drives both the template
(`write_template`) and the validator (`validate_submission`), so they cannot drift.

    from sources.partner_submissions import Limits, load_partners, validate_submission,
    write_template

    write_template("ssab", 2025, out_dir, partner_name="SSAB (Domnarvet)")
    report = validate_submission("ssab_2025.xlsx", root=inbox, partners=set(load_partners()),
                                 today=date.today(), limits=Limits())
    report.ok, report.problems, report.submission
    validate_file(Path("/trusted/dir/ssab_2025.xlsx"), ...) # a path the caller trusts: its
    directory is the root validate_submission_bytes("ssab_2025.xlsx", content, ...) # bytes the
    caller has read once (the drop processor)

The CSV contract is in `csv_format`; the problem codes and their messages in `problems`.
"""

from sources.feed_problems import Problem
from sources.partner_submissions.files import Limits, check_file_name
from sources.partner_submissions.registry import PARTNERS_CSV, load_partners
from sources.partner_submissions.report import format_report
from sources.partner_submissions.schema import SHEET_BY_KEY, SHEETS, Column, Kind, Sheet
from sources.partner_submissions.template import build_workbook, template_csv_text, write_template
from sources.partner_submissions.validate import (
    Submission,
    ValidationReport,
    validate_file,
    validate_submission,
    validate_submission_bytes,
)

__all__ = [
    "PARTNERS_CSV",
    "SHEETS",
    "SHEET_BY_KEY",
    "Column",
    "Kind",
    "Limits",
    "Problem",
    "Sheet",
    "Submission",
    "ValidationReport",
    "build_workbook",
    "check_file_name",
    "format_report",
    "load_partners",
    "template_csv_text",
    "validate_file",
    "validate_submission",
    "validate_submission_bytes",
    "write_template",
]
