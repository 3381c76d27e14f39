"""Borlänge Energi's meter files from the inbox (plain Python, no Dagster; the assets are in
assets.py, the partitions in partitions.py, the reconciliation with the monthly reports in
reconcile.py).

A meter file goes through two steps:

1. the drop (a file feed of the shared processor, pipelines/lib/drops.py, streaming):
       <INBOX_DIR>/<METER_INBOX_FOLDER>/<file>       waiting (CSV, CSV.gz or Parquet; docs/feeds.md)
   the file is copied into the landing zone (its raw bytes, GSRNs included, stay there and only
   there), validated in bounded memory (sources/meter_feed/validate.py), and its rows written,
   pseudonymised, once, as the lake partition they become, to
   <landing>/<source>/normalised/<sha256>.parquet; raw.meter_feed_files gets one row (no metering
   point in it) and <landing>/<source>/accepted/<medium>/<YYYY-MM>/ a marker;
2. the partition (one Dagster partition per medium and month, no DuckDB warehouse lock): the
   newest accepted file of the month replaces the lake partition (pipelines/lib/meter_lake.py; a
   copy of the normalised file's bytes), with a revision row saying what changed. A resubmitted
   month is a new file: it replaces the partition, and the earlier file stays in the landing zone.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.defs.meters.raw_tables import METER_FEED_FILES
from pipelines.lib import drops, leftovers
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from sources.energy_feed.registry import load_network_areas
from sources.file_limits import printable
from sources.meter_feed import contract
from sources.meter_feed.validate import Limits, MeterFile, validate_file

SOURCE = "borlange_energi_meters"
MEDIA = contract.MEDIA
NORMALISED, ACCEPTED, WORK = "normalised", "accepted", "work"
INBOX_FOLDER = "meters"  # METER_INBOX_FOLDER's default
LANDING_MAX_BYTES = 500 * 1024**3  # METER_LANDING_MAX_GB's default
LEFTOVER_MIN_AGE_S = 3600.0  # METER_LEFTOVER_MIN_AGE_S's default


class MissingKey(RuntimeError):
    """Meter files wait, and no METER_PSEUDONYM_KEY is set: nothing is read."""


def key_bytes(pseudonym_key: str | None) -> bytes:
    if not pseudonym_key:
        raise MissingKey(
            "METER_PSEUDONYM_KEY is not set: meter files are not read without the secret key that "
            "pseudonymises the metering points (docs/operators.md)"
        )
    return pseudonym_key.encode("utf-8")


def source_dir(store: Store, *parts: str) -> Path:
    return (
        drops.private_dir(store.landing_dir, SOURCE, *parts)
        if parts
        else drops.private_dir(store.landing_dir, SOURCE)
    )


def meter_feed(
    store: Store,
    *,
    pseudonym_key: str | None,
    folder: str = INBOX_FOLDER,
    max_file_bytes: int = Limits.max_file_bytes,
    landing_max_bytes: int = LANDING_MAX_BYTES,
) -> FileFeed:
    """Meter files waiting in <inbox>/<folder>/ as a streaming file feed of the shared drop
    processor; `pseudonym_key` is the secret of the GSRN pseudonyms."""
    limits = Limits(max_file_bytes=max_file_bytes)

    def admit(handle, name: str) -> tuple[str, str] | None:
        """Before a byte is copied: no sparse file, and room in the landing zone's quota."""
        info = os.fstat(handle.fileno())
        if leftovers.has_holes(handle.fileno()):
            return (
                "sparse_file",
                f"{printable(name)} is a sparse file ({info.st_size:,} bytes declared, "
                f"{info.st_blocks * 512:,} stored): a copy would write its holes out as real "
                "bytes, and a meter file has none; it was not copied",
            )
        used = leftovers.real_bytes(store.landing_dir / SOURCE)
        if used + info.st_size > landing_max_bytes:
            return (
                "landing_zone_full",
                f"{printable(name)} ({info.st_size:,} bytes) would take the meter landing zone, "
                f"which holds {used:,} bytes, past its quota of {landing_max_bytes:,} "
                "(METER_LANDING_MAX_GB); it was not copied. An operator frees space or raises "
                "the quota, then moves the file back into the inbox (docs/operators.md)",
            )
        return None

    categories = contract.load_categories()
    areas = load_network_areas()

    def validate_landed(path: Path, landed: LandedFile) -> MeterFile:
        folder = source_dir(store, NORMALISED)
        target = folder / f"{landed.sha256}.parquet"
        staged = folder / f".{landed.sha256}.tmp"
        # Held while it is written and checked: a killed run's is swept, this run's never.
        claim = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, drops.PRIVATE_FILE)
        try:
            leftovers.hold(claim)
            result = validate_file(
                landed.path,
                out_path=staged,
                key=key_bytes(pseudonym_key),
                categories=categories,
                areas=areas,
                limits=limits,
                name=path.name,
                file_sha256=landed.sha256,
            )
            if not result.ok:
                staged.unlink(missing_ok=True)
                return result
            os.chmod(staged, drops.PRIVATE_FILE)
            os.replace(staged, target)
        finally:
            os.close(claim)
        result.out_path = target
        return result

    return FileFeed(
        name="meter values",
        source=SOURCE,
        drop_folder=folder,
        nested=False,
        loaded_into="meter_lake",
        load=insert_meter_file,
        max_file_bytes=max_file_bytes,
        validate_landed=validate_landed,
        admit=admit,
    )


def leftover_places(store: Store) -> list[tuple[Path, str]]:
    """Where a killed meter run leaves temporary files and folders: a partial copy into the
    landing zone, a half-written normalised file and its check's spill, a partition's scratch."""
    root = store.landing_dir / SOURCE
    return [
        (root, ".landing-*"),
        (root, "*/.landing-*"),
        (root / NORMALISED, ".*.tmp"),
        (root / NORMALISED, "meter-check-*"),
        (root / WORK, "run-*"),
        (root / WORK, "meter-partition-*"),
    ]


def sweep_leftovers(store: Store, min_age_s: float = LEFTOVER_MIN_AGE_S) -> list[leftovers.Swept]:
    """A killed run's leftovers, removed at the start of the next run: each older than
    `min_age_s` and held by no live run (pipelines/lib/leftovers.py)."""
    return leftovers.sweep(leftover_places(store), min_age_s=min_age_s)


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
        f"insert into raw.{METER_FEED_FILES.name} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        f"supersedes {result.medium} {result.month:%Y-%m} from {name} "
        f"(received {at:%Y-%m-%d %H:%M} UTC)"
        for name, at in previous
    ]


def process_drop(
    inbox: Path,
    store: Store,
    *,
    pseudonym_key: str | None,
    folder: str = INBOX_FOLDER,
    max_file_bytes: int = Limits.max_file_bytes,
    landing_max_bytes: int = LANDING_MAX_BYTES,
    settle_s: float = 0.0,
) -> DropReport:
    feed = meter_feed(
        store,
        pseudonym_key=pseudonym_key,
        folder=folder,
        max_file_bytes=max_file_bytes,
        landing_max_bytes=landing_max_bytes,
    )
    if drops.pending_files(feed, inbox, settle_s=settle_s):
        key_bytes(pseudonym_key)  # refuse before reading anything
    return drops.process_drop(feed, inbox, store, settle_s=settle_s)
