"""A validation report as text for people: every problem on its own lines, Swedish and English.
Text from the file is printed with its control characters escaped, so that a hostile cell cannot
drive the terminal that shows the report."""

from __future__ import annotations

from sources.feed_problems import Problem
from sources.file_limits import printable
from sources.partner_submissions.schema import SHEET_BY_KEY


def format_report(report) -> str:
    """The whole report (a ValidationReport): every problem, or a short OK summary with counts."""
    if report.ok:
        return format_ok(report)
    csv = report.file.lower().endswith(".csv")
    count = len(report.problems)
    lines = [
        f"{printable(report.file)}: {count} problem hittades / {count} "
        f"problem{'s' if count != 1 else ''} found",
        "",
    ]
    for number, problem in enumerate(report.problems, start=1):
        lines += [printable(line) for line in format_problem(problem, number, csv=csv)]
        lines.append("")
    lines.append(
        "Filen godtogs inte. Rätta problemen ovan och skicka filen igen. / "
        "The file was not accepted. Fix the problems above and send the file again."
    )
    return "\n".join(lines) + "\n"


def format_problem(problem: Problem, number: int, *, csv: bool = False) -> list[str]:
    return [
        f"[{number}] {location(problem, csv=csv)}",
        f"    SV: {problem.message_sv}",
        f"    EN: {problem.message}",
        *([f"    Förväntat / expected: {problem.expected}"] if problem.expected else []),
        f"    Kod / code: {problem.code}",
    ]


def location(problem: Problem, *, csv: bool = False) -> str:
    parts = [f"Fil / file '{problem.file}'"]
    if problem.sheet is not None:
        parts.append(f"{'Avsnitt / section' if csv else 'Blad / sheet'} '{problem.sheet}'")
    if problem.row is not None:
        parts.append(f"{'rad / line' if csv else 'rad / row'} {problem.row}")
    if problem.column_letter is not None or problem.column is not None:
        heading = f" '{problem.column}'" if problem.column else ""
        parts.append(f"kolumn / column {problem.column_letter or ''}{heading}".replace("  ", " "))
    if problem.value is not None:
        parts.append(f"värde / value '{problem.value}'")
    return ", ".join(parts)


def format_ok(report) -> str:
    s = report.submission
    counts = ", ".join(
        f"{SHEET_BY_KEY[key].name} {frame.height}" for key, frame in s.frames.items()
    )
    return (
        f"OK: {report.file} – {s.partner_id}, rapportår / reporting year {s.year}. "
        f"Inga problem / no problems.\n"
        f"    Rader / rows: {counts}\n"
    )
