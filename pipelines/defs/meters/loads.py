"""Borlänge Energi's meter values: the inbox, the lake partitions and the reconciliation with the
monthly reports (plain Python, no Dagster; the assets are in assets.py).

A meter file goes through two steps:

1. the drop (a file feed of the shared processor, pipelines/lib/drops.py, streaming):
       <INBOX_DIR>/<METER_INBOX_FOLDER>/<file>       waiting (CSV, CSV.gz or Parquet; docs/feeds.md)
   the file is copied into the landing zone (its raw bytes, GSRNs included, stay there and only
   there), validated in bounded memory (sources/meter_feed/validate.py), and its rows written,
   pseudonymised, to <landing>/<source>/normalised/<sha256>.parquet; raw.meter_feed_files gets one
   row (no metering point in it) and <landing>/<source>/accepted/<medium>/<YYYY-MM>/ a marker;
2. the partition (one Dagster partition per medium and month, no DuckDB warehouse lock): the
   newest accepted file of the month replaces the lake partition (pipelines/lib/meter_lake.py),
   with a revision row saying what changed. A resubmitted month is a new file: it replaces the
   partition, and the earlier file stays in the landing zone.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.lib import drops
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.meter_lake import Lake, Written
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from pipelines.settings import Settings
from sources.meter_feed import contract
from sources.meter_feed.validate import Limits, MeterFile, validate_file

SOURCE = "borlange_energi_meters"
MEDIA = contract.MEDIA
NORMALISED, ACCEPTED = "normalised", "accepted"
RAW_TABLES = ("meter_feed_files", "landed_files")


class MissingKey(RuntimeError):
    """Meter files wait, and no METER_PSEUDONYM_KEY is set: nothing is read."""


def lake_of(settings: Settings) -> Lake:
    return Lake(
        settings.meter_lake_root,
        s3_endpoint=settings.meter_lake_s3_endpoint,
        s3_region=settings.meter_lake_s3_region,
    )


def key_of(settings: Settings) -> bytes:
    if not settings.meter_pseudonym_key:
        raise MissingKey(
            "METER_PSEUDONYM_KEY is not set: meter files are not read without the secret key that "
            "pseudonymises the metering points (docs/operators.md)"
        )
    return settings.meter_pseudonym_key.encode("utf-8")


def source_dir(store: Store, *parts: str) -> Path:
    return (
        drops.private_dir(store.landing_dir, SOURCE, *parts)
        if parts
        else drops.private_dir(store.landing_dir, SOURCE)
    )


def meter_feed(settings: Settings, store: Store) -> FileFeed:
    """Meter files as a streaming file feed of the shared drop processor."""
    limits = Limits(max_file_bytes=settings.meter_max_file_bytes)
    categories = contract.load_categories()

    def validate_landed(path: Path, landed: LandedFile) -> MeterFile:
        folder = source_dir(store, NORMALISED)
        target = folder / f"{landed.sha256}.parquet"
        staged = folder / f".{landed.sha256}.tmp"
        result = validate_file(
            landed.path,
            out_path=staged,
            key=key_of(settings),
            categories=categories,
            limits=limits,
            name=path.name,
        )
        if not result.ok:
            staged.unlink(missing_ok=True)
            return result
        os.chmod(staged, drops.PRIVATE_FILE)
        os.replace(staged, target)
        result.out_path = target
        return result

    return FileFeed(
        name="meter values",
        source=SOURCE,
        drop_folder=settings.meter_inbox_folder,
        nested=False,
        loaded_into="meter_lake",
        load=insert_meter_file,
        max_file_bytes=settings.meter_max_file_bytes,
        validate_landed=validate_landed,
    )


def insert_meter_file(
    con: duckdb.DuckDBPyConnection, result: MeterFile, landed: LandedFile, received_at: datetime
) -> list[str]:
    """The accepted file's registry row (inside the processor's transaction) and its marker for the
    partition step; returns the file it supersedes for the month, if any."""
    previous = con.execute(
        """select file_name, received_at from raw.meter_feed_files
                              where medium = ? and month = ? order by load_seq desc limit 1""",
        [result.medium, result.month],
    ).fetchall()
    (load_seq,) = con.execute(
        "select coalesce(max(load_seq), 0) + 1 from raw.meter_feed_files"
    ).fetchone()
    con.execute(
        "insert into raw.meter_feed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            landed.sha256,
            result.file,
            load_seq,
            naive_utc(received_at),
            result.medium,
            result.month,
            result.rows,
            result.points,
            Decimal(result.wh_total) / 1000,
            ",".join(f"PT{m}M" if m != 60 else "PT1H" for m in result.resolutions),
            result.is_synthetic,
        ],
    )
    store_root = landed.path.parents[2]  # <landing>/<source>/<sha[:2]>/<file>
    marker_dir = drops.private_dir(
        store_root, SOURCE, ACCEPTED, result.medium, f"{result.month:%Y-%m}"
    )
    marker = marker_dir / f"{load_seq:08d}_{landed.sha256[:12]}.json"
    marker.write_text(
        json.dumps(
            {
                "sha256": landed.sha256,
                "file_name": result.file,
                "load_seq": load_seq,
                "received_at": naive_utc(received_at).isoformat(),
                "is_synthetic": result.is_synthetic,
                "rows": result.rows,
                "points": result.points,
            }
        ),
        encoding="utf-8",
    )
    os.chmod(marker, drops.PRIVATE_FILE)
    return [
        f"supersedes {result.medium} {result.month:%Y-%m} from {name} (received {at:%Y-%m-%d %H:%M} UTC)"
        for name, at in previous
    ]


def process_drop(settings: Settings, store: Store, *, settle_s: float = 0.0) -> DropReport:
    feed = meter_feed(settings, store)
    if drops.pending_files(feed, settings.inbox_dir, settle_s=settle_s):
        key_of(settings)  # refuse before reading anything
    return drops.process_drop(feed, settings.inbox_dir, store, settle_s=settle_s)


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


def write_partition(settings: Settings, medium: str, month: date) -> PartitionResult:
    """The month's newest accepted file into the lake partition; needs no DuckDB warehouse lock."""
    store = Store.of(settings)
    accepted = newest_accepted(store, medium, month)
    if accepted is None:
        return PartitionResult(medium, month, None, None, None)
    rows = store.landing_dir / SOURCE / NORMALISED / f"{accepted['sha256']}.parquet"
    work = source_dir(store, "work")
    written = lake_of(settings).write_partition(
        medium,
        month,
        rows,
        file_sha256=accepted["sha256"],
        is_synthetic=accepted["is_synthetic"],
        work_dir=work,
    )
    return PartitionResult(medium, month, accepted["file_name"], accepted["sha256"], written)


def stale_months(settings: Settings) -> list[tuple[str, date, str]]:
    """(medium, month, sha256) of every month whose newest accepted file is not the one in its partition."""
    store = Store.of(settings)
    root = store.landing_dir / SOURCE / ACCEPTED
    lake = lake_of(settings)
    stale = []
    for medium in MEDIA:
        folder = root / medium
        for month_dir in sorted(folder.iterdir()) if folder.is_dir() else []:
            month = date.fromisoformat(month_dir.name + "-01")
            accepted = newest_accepted(store, medium, month)
            if (
                accepted
                and lake.file_sha256(lake.partition_path(medium, month)) != accepted["sha256"]
            ):
                stale.append((medium, month, accepted["sha256"]))
    return stale


def stage_demo_sample(
    inbox: Path, folder: str, work: Path, *, month: str, points: int = 300
) -> list[Path]:
    """The demo's SYNTHETIC meter sample (replay/meter_sample.py: `points` electricity points and
    proportionally fewer district-heating customers, one month), built beside the inbox and renamed
    into the meter inbox as the utility would drop it."""
    from replay.meter_sample import write_sample

    staging = work / "meter-sample"
    built = [result.path for result in write_sample(staging, points=points, month=month)]
    target = inbox / folder
    target.mkdir(parents=True, exist_ok=True)
    moved = [Path(shutil.move(str(path), target / path.name)) for path in built]
    shutil.rmtree(staging, ignore_errors=True)
    return moved


# --------------------------------------------------------------------------- reconciliation


@dataclass(frozen=True)
class Reconciliation:
    rows: list[dict]  # medium, month, report_category, metered_mwh, reported_mwh, difference_share
    tolerance: float

    @property
    def mismatched(self) -> list[dict]:
        return [
            r
            for r in self.rows
            if r["difference_share"] is None or abs(r["difference_share"]) > self.tolerance
        ]


def reconcile(con: duckdb.DuckDBPyConnection, *, tolerance: float) -> Reconciliation:
    """Each month's metered consumption per report category (intermediate.int_meters__hourly_energy,
    uttag, before any suppression) against the utility's monthly report (fct_electricity distributed,
    fct_district_heating_monthly deliveries), MWh."""
    rows = con.execute("""
        with metered as (
            select h.medium, date_trunc('month', h.hour_utc + interval 1 hour)::date as month, c.report_flow,
                   coalesce(c.report_category, '') as report_category, sum(h.wh) / 1e6 as metered_mwh
            from intermediate.int_meters__hourly_energy as h
            join reference.meter_customer_categories as c using (medium, kundkategori)
            where h.riktning = 'uttag'
            group by all
        ), reported as (
            select 'el' as medium, month, flow as report_flow, category as report_category, sum(value) as reported_mwh
            from marts.fct_electricity where flow in ('distributed', 'public_charging') group by all
            union all
            select 'fjarrvarme', month, 'delivery', category, sum(value) from marts.fct_district_heating_monthly
            where measure = 'delivery' group by all
        )
        select m.medium, m.month, m.report_flow || coalesce(' ' || nullif(m.report_category, ''), '') as report_category,
               m.metered_mwh, r.reported_mwh, (m.metered_mwh - r.reported_mwh) / nullif(r.reported_mwh, 0)
        from metered as m left join reported as r using (medium, month, report_flow, report_category)
        order by 1, 2, 3""").fetchall()
    names = (
        "medium",
        "month",
        "report_category",
        "metered_mwh",
        "reported_mwh",
        "difference_share",
    )
    return Reconciliation([dict(zip(names, row)) for row in rows], tolerance)
