"""Dagster building blocks the domains share: the ingestion asset of an SCB table, a load report
as metadata, a rejected file as a failure, and the drop asset's results and inbox sensor of a
file feed (its folder moves and loading are in pipelines/lib/drops.py)."""

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import dagster as dg

from pipelines.lib import drops
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.warehouse import RawTable, RejectedFile, Store
from pipelines.resources import InboxResource, ScbResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL
from sources.scb import PxWebClient

INGESTION = dict(group_name="ingestion", pool=DUCKDB_POOL, kinds={"python", "duckdb"})


def report_metadata(report) -> dict:
    """A load report (a dataclass) as asset metadata: lists joined, paths linked, dicts as JSON,
    notes as markdown; empty fields left out."""
    metadata = {}
    for key, value in asdict(report).items():
        if value is None:
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = dg.MetadataValue.json(value)
        elif isinstance(value, Path):
            value = dg.MetadataValue.path(str(value))
        elif key == "note":
            value = dg.MetadataValue.md(value)
        metadata[key] = value
    return metadata


def rejected(exc: RejectedFile) -> dg.Failure:
    """A file that failed validation, as the step's failure with links to its bytes and report."""
    return dg.Failure(
        description=str(exc),
        metadata={
            "landed_file": dg.MetadataValue.path(str(exc.landed_path)),
            "report": dg.MetadataValue.path(str(exc.report_path)),
        },
    )


def load_result(context: dg.AssetExecutionContext, table: RawTable, report) -> dg.MaterializeResult:
    """A load report as the asset's result: its sha256 (if any) as the data version, its fields as
    metadata, and a warning in the log when the table holds synthetic replay data."""
    if getattr(report, "synthetic", False):
        context.log.warning(
            f"raw.{table.name} holds SYNTHETIC replay data: figures built on it are not real."
        )
    sha256 = getattr(report, "sha256", None)
    return dg.MaterializeResult(
        data_version=dg.DataVersion(sha256) if sha256 else None, metadata=report_metadata(report)
    )


def scb_table_asset(
    table: RawTable, description: str, load: Callable[[PxWebClient, Store, ScbResource], object]
) -> dg.AssetsDefinition:
    """The ingestion asset of an SCB table loaded into raw.<table> by `load(client, store, scb)`."""

    @dg.asset(key=["raw", table.name], description=description, **INGESTION)
    def _asset(
        context: dg.AssetExecutionContext, scb: ScbResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.loading(table) as store:
            report = load(scb.client(log=context.log.warning), store, scb)
        return load_result(context, table, report)

    return _asset


def fenced(text: str) -> str:
    """`text` as a Markdown code block it cannot close: the fence is longer than any run of
    backticks inside it (CommonMark), so a report's text never breaks out into the UI's Markdown."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def drop_results(report: DropReport, check_name: str):
    """What a drop asset yields: which files loaded, were unchanged or were quarantined, and its
    WARN check carrying each quarantine report (the report names the row, column and value)."""
    yield dg.MaterializeResult(
        metadata={
            "accepted": dg.MetadataValue.json(report.accepted),
            "unchanged": dg.MetadataValue.json(report.unchanged),
            "rejected": dg.MetadataValue.json(report.rejected),
            "refused": dg.MetadataValue.json(report.refused),
            "superseded": dg.MetadataValue.json(report.notes),
        }
    )
    yield dg.AssetCheckResult(
        check_name=check_name,
        passed=not (report.rejected or report.refused),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined": dg.MetadataValue.json(report.rejected),
            "refused": dg.MetadataValue.json(report.refused),
            "reports": dg.MetadataValue.md(
                "\n\n".join(f"{fenced(f)}\n\n{fenced(t)}" for f, t in report.reports.items())
                or "none"
            ),
        },
    )


def drop_fingerprint(files) -> str:
    """Identifies a set of waiting files, so each new drop triggers exactly one run."""
    digest = hashlib.sha256()
    for path in files:
        info = path.lstat()  # never follows a link
        digest.update(f"{path}|{info.st_size}|{info.st_mtime_ns}|{info.st_ctime_ns}\n".encode())
    return digest.hexdigest()


def inbox_sensor(
    name: str, job, asset_key: dg.AssetKey, feed_of: Callable[[InboxResource], FileFeed]
) -> dg.SensorDefinition:
    """A sensor (on by default) that materializes the inbox asset `asset_key` of `job` once for
    every new set of files waiting for the feed `feed_of(inboxes)` gives; what lies downstream
    follows by its automation condition (pipelines/defs/automation/assets.py)."""

    @dg.sensor(
        name=name,
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Loads {asset_key.to_user_string()} when files wait for it in INBOX_DIR.",
    )
    def _sensor(inboxes: InboxResource):
        feed = feed_of(inboxes)
        files = drops.pending_files(feed, inboxes.path, settle_s=inboxes.settle_s)
        if not files:
            return dg.SkipReason(f"no files in <INBOX_DIR>/{feed.drop_pattern}")
        return dg.RunRequest(
            run_key=drop_fingerprint(files),
            asset_selection=[asset_key],
            tags={"files": str(len(files))},
        )

    return _sensor
