"""The meter lake's partitions: one per medium and month, written from the month's newest accepted
file (plain Python, no Dagster; the assets are in assets.py, the lake in
pipelines/lib/meter_lake.py). A partition needs no DuckDB warehouse lock: it reads the landing zone
and writes Parquet."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.defs.meters.loads import ACCEPTED, MEDIA, NORMALISED, SOURCE, WORK, source_dir
from pipelines.lib import leftovers
from pipelines.lib.meter_lake import Lake, Written
from pipelines.lib.warehouse import Store


@dataclass(frozen=True)
class PartitionResult:
    medium: str
    month: date
    file_name: str | None
    sha256: str | None
    written: Written | None

    @property
    def metadata(self) -> dict:
        if self.written is None:
            return {
                "medium": self.medium,
                "month": f"{self.month:%Y-%m}",
                "file": "none: no accepted file for the month",
            }
        revision = self.written.revision
        meta = {
            "medium": self.medium,
            "month": f"{self.month:%Y-%m}",
            "file": self.file_name,
            "sha256": self.sha256,
            "partition": self.written.path,
            "unchanged": self.written.unchanged,
        }
        if revision is not None:
            meta.update(
                revision=revision.revision,
                points=revision.points,
                intervals=revision.intervals,
                kwh=revision.wh / 1000,
                points_changed=revision.points_changed,
                intervals_changed=revision.intervals_changed,
                kwh_change=revision.wh_change / 1000,
            )
        return meta


def newest_accepted(store: Store, medium: str, month: date) -> dict | None:
    folder = store.landing_dir / SOURCE / ACCEPTED / medium / f"{month:%Y-%m}"
    markers = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return json.loads(markers[-1].read_text(encoding="utf-8")) if markers else None


def write_partition(store: Store, lake: Lake, medium: str, month: date) -> PartitionResult:
    """The month's newest accepted file into the lake partition; needs no DuckDB warehouse lock."""
    lake.adopt_single_kommun_layout()
    accepted = newest_accepted(store, medium, month)
    if accepted is None:
        return PartitionResult(medium, month, None, None, None)
    rows = store.landing_dir / SOURCE / NORMALISED / f"{accepted['sha256']}.parquet"
    # This run's scratch, held while it works: a killed run's is swept by the next run.
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=source_dir(store, WORK)))
    try:
        with leftovers.held_folder(run_dir):
            written = lake.write_partition(
                medium,
                month,
                rows,
                file_sha256=accepted["sha256"],
                is_synthetic=accepted["is_synthetic"],
                work_dir=run_dir,
            )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return PartitionResult(medium, month, accepted["file_name"], accepted["sha256"], written)


def stale_months(store: Store, lake: Lake) -> list[tuple[str, date, str]]:
    """(medium, month, sha256) of every month whose newest accepted file is not the one in its
    partition."""
    root = store.landing_dir / SOURCE / ACCEPTED
    lake.adopt_single_kommun_layout()
    stale = []
    for medium in MEDIA:
        folder = root / medium
        for month_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
            month = _month(month_dir.name)
            if month is None:  # not a folder the drop writes: no month to run
                continue
            accepted = newest_accepted(store, medium, month)
            if (
                accepted
                and lake.file_sha256(lake.partition_path(medium, month)) != accepted["sha256"]
            ):
                stale.append((medium, month, accepted["sha256"]))
    return stale


def _month(name: str) -> date | None:
    try:
        return date.fromisoformat(name + "-01") if len(name) == 7 else None
    except ValueError:
        return None
