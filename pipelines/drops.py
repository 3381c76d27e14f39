"""Dagster side of the file-drop inboxes (partner submissions, Borlänge Energi's reports): the
asset's results for one drop and the sensor that starts a load when files wait. The folder moves
are in pipelines/inbox.py."""

import hashlib
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from pipelines.settings import Settings


def drop_results(report, check_name: str):
    """What a drop asset yields: which files loaded, were unchanged or were quarantined, and its
    WARN check carrying each quarantine report (the report names the row, column and value)."""
    yield dg.MaterializeResult(metadata={
        "accepted": dg.MetadataValue.json(report.accepted),
        "unchanged": dg.MetadataValue.json(report.unchanged),
        "rejected": dg.MetadataValue.json(report.rejected),
    })
    yield dg.AssetCheckResult(
        check_name=check_name, passed=not report.rejected, severity=dg.AssetCheckSeverity.WARN,
        metadata={"quarantined": dg.MetadataValue.json(report.rejected),
                  "reports": dg.MetadataValue.md("\n\n".join(f"**{f}**\n\n```\n{t}\n```"
                                                            for f, t in report.reports.items()) or "none")})


def drop_fingerprint(files) -> str:
    """Identifies a set of waiting files, so each new drop triggers exactly one run."""
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def inbox_sensor(name: str, job, pending_files: Callable[[Path], list[Path]], where: str) -> dg.SensorDefinition:
    """A sensor (on by default) that starts `job` once for every new set of files waiting in `where`."""

    @dg.sensor(name=name, job=job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
               description=f"Starts a load when files wait in {where}.")
    def _sensor(context: dg.SensorEvaluationContext):  # noqa: ARG001
        files = pending_files(Settings.from_env().inbox_dir)
        if not files:
            return dg.SkipReason(f"no files in {where}")
        return dg.RunRequest(run_key=drop_fingerprint(files), tags={"files": str(len(files))})

    return _sensor
