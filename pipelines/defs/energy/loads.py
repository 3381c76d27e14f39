"""Borlänge Energi's monthly reports into raw tables (plain Python, no Dagster; the asset is in
assets.py).

Utility reports are a file feed of the shared drop processor (pipelines/lib/drops.py), under
the inbox folder (INBOX_DIR):
    energy/<file> drops (CSV or XLSX, contract in sources/energy_feed/contract.py)
    quarantine/energy/<sha>_<file> rejected, with <…>.report.txt beside it (row, column, problem)
    processed/energy/<sha>_<file> accepted, or already loaded

A corrected resubmission of the same network and month is a new file with a higher `load_seq`;
staging takes, per network and month, the newest file that reports it, and the earlier one stays
as history.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.defs.energy.raw_tables import ENERGY_FEED_VALUES
from pipelines.lib import drops
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from sources.energy_feed.validate import Feed, Limits, load_feed_bytes

SOURCE = "borlange_energi"  # landing-zone folder and raw.landed_files.source of the reports
INBOX_FOLDER = "energy"


def report_feed(limits: Limits | None = None) -> FileFeed:
    """The utility's monthly reports as a file feed of the shared drop processor."""
    limits = limits or Limits()

    def validate(path: Path, content: bytes) -> Feed:
        return load_feed_bytes(path.name, content, limits)

    return FileFeed(
        name="energy reports",
        source=SOURCE,
        drop_folder=INBOX_FOLDER,
        nested=False,
        loaded_into=ENERGY_FEED_VALUES.name,
        validate=validate,
        load=insert_report,
        max_file_bytes=limits.max_file_bytes,
    )


def process_drop(
    inbox: Path, store: Store, *, limits: Limits | None = None, settle_s: float = 0.0
) -> DropReport:
    return drops.process_drop(report_feed(limits), inbox, store, settle_s=settle_s)


def report_values(feed: Feed, sha256: str) -> pl.DataFrame:
    """The validated long frame as raw.energy_feed_values rows."""
    return feed.frame.select(
        pl.lit(sha256).alias("sha256"),
        "network",
        "month",
        "measure",
        "category",
        "unit",
        "value",
        pl.col("row").cast(pl.Int32).alias("source_row"),
        pl.col("column").alias("source_column"),
    )


def insert_report(
    con: duckdb.DuckDBPyConnection, feed: Feed, landed: LandedFile, received_at: datetime
) -> list[str]:
    """One validated report's registry row and values (inside the drop processor's transaction);
    returns the network-months it supersedes, for the drop's report."""
    months = feed.frame.get_column("month")
    superseded = superseded_months(con, feed)
    con.register("report_rows", report_values(feed, landed.sha256))
    # load_seq orders the files as they were accepted: the newest file for a network and
    # month is the one in force (timestamps could tie; a sequence cannot).
    con.execute(
        """
        insert into raw.energy_feed_files
        select ?, ?, coalesce(max(load_seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? from
            raw.energy_feed_files""",
        [
            landed.sha256,
            feed.file,
            naive_utc(received_at),
            months.min(),
            months.max(),
            feed.meta.get("enhet") or "MWh",
            feed.meta.get("källa"),
            feed.is_synthetic,
            feed.frame.get_column("network").n_unique(),
            feed.frame.height,
        ],
    )
    con.execute("insert into raw.energy_feed_values select * from report_rows")
    con.unregister("report_rows")
    return superseded


def superseded_months(con: duckdb.DuckDBPyConnection, feed: Feed) -> list[str]:
    """The network-months this report takes over from an earlier file (the newest in force)."""
    con.register("reported_months", feed.frame.select("network", "month").unique())
    rows = con.execute("""
        select v.network, v.month, arg_max(f.file_name, f.load_seq), max(f.received_at)
        from raw.energy_feed_values as v
        join raw.energy_feed_files as f using (sha256)
        join reported_months as r on r.network = v.network and r.month = v.month
        group by v.network, v.month order by v.network, v.month""").fetchall()
    con.unregister("reported_months")
    return [
        f"supersedes {network} {month:%Y-%m} from {file_name} (received "
        f"{received:%Y-%m-%d %H:%M} UTC)"
        for network, month, file_name, received in rows
    ]
