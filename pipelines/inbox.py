"""File-drop inboxes (partner submissions, Borlänge Energi's reports): the folder moves shared by
their loaders. Plain Python, no Dagster.

    <inbox>/<drop folder>/<file>                         waiting
    <inbox>/processed/<folder>/<sha12>_<file>            loaded, or the same bytes were loaded before
    <inbox>/quarantine/<folder>/<sha12>_<file>           rejected, with <…>.report.txt beside it
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from pipelines.warehouse import LandedFile

IGNORED_PREFIXES = (".", "~$")   # hidden files and Excel's lock files are not drops


def is_drop(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(IGNORED_PREFIXES)


def move(path: Path, target_dir: Path, sha256: str, report_text: str | None = None) -> Path:
    """Move a handled file out of the drop folder under its hash prefix, with its report if any."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{sha256[:12]}_{path.name}"
    shutil.move(str(path), target)
    if report_text is not None:
        target.with_name(target.name + ".report.txt").write_text(report_text, encoding="utf-8")
    return target


def mark_processed(path: Path, inbox: Path, folder: str, sha256: str) -> Path:
    return move(path, inbox / "processed" / folder, sha256)


def quarantine(path: Path, inbox: Path, folder: str, landed: LandedFile, problems: str) -> str:
    """Move a rejected file to quarantine with its report; returns the report's text."""
    text = (f"sha256: {landed.sha256}\noriginal: {landed.path}\n"
            f"received: {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n\n{problems}")
    move(path, inbox / "quarantine" / folder, landed.sha256, report_text=text)
    return text
