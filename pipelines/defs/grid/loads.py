"""Electricity Maps' hourly carbon intensity into raw tables (plain Python, no Dagster; the asset
is in assets.py). A file feed of the shared drop processor (pipelines/lib/drops.py), under the
inbox folder (INBOX_DIR):

    carbon_intensity/<file> drops (.csv or .csv.gz, sources/carbon_intensity.py)
    quarantine/carbon_intensity/<sha>_<file> rejected, with <…>.report.txt beside it (line, field,
    problem) processed/carbon_intensity/<sha>_<file> accepted, or already loaded

Every accepted file is kept (raw.carbon_intensity_files and _hours); its vintage is the release
named in the file name, else the day it was received. Staging takes, per zone and hour, the
newest vintage (then the file loaded last); older releases stay as history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.defs.grid.raw_tables import CARBON_INTENSITY_HOURS
from pipelines.lib import drops
from pipelines.lib.drops import DropReport, FileFeed
from pipelines.lib.warehouse import LandedFile, Store, naive_utc
from sources.carbon_intensity import MAX_FILE_BYTES, Parsed, parse_carbon_intensity, zone_id_of

SOURCE = "electricity_maps"  # landing-zone folder and raw.landed_files.source
INBOX_FOLDER = "carbon_intensity"


def intensity_feed(grid_zone: str) -> FileFeed:
    """The hourly carbon-intensity files of one bidding zone as a feed of the drop processor."""
    zone_id = zone_id_of(grid_zone)

    def validate(path: Path, content: bytes) -> Parsed:
        return parse_carbon_intensity(
            path.name, content, zone_id=zone_id, received=datetime.now(UTC).date()
        )

    return FileFeed(
        name="carbon intensity",
        source=SOURCE,
        drop_folder=INBOX_FOLDER,
        nested=False,
        loaded_into=CARBON_INTENSITY_HOURS.name,
        validate=validate,
        load=insert_file,
        max_file_bytes=MAX_FILE_BYTES,
    )


def process_drop(inbox: Path, store: Store, *, grid_zone: str, settle_s: float = 0.0) -> DropReport:
    return drops.process_drop(intensity_feed(grid_zone), inbox, store, settle_s=settle_s)


def hour_rows(parsed: Parsed, sha256: str) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (
                sha256,
                h.zone_id,
                h.country,
                h.zone_name,
                h.hour_utc,
                h.direct,
                h.lifecycle,
                h.cfe_pct,
                h.re_pct,
                h.data_source,
                h.is_estimated,
                h.estimation_method,
                h.source_row,
            )
            for h in parsed.rows
        ],
        schema={
            "sha256": pl.String,
            "zone_id": pl.String,
            "country": pl.String,
            "zone_name": pl.String,
            "hour_utc": pl.Datetime("us"),
            "direct_gco2_per_kwh": pl.Float64,
            "lifecycle_gco2_per_kwh": pl.Float64,
            "cfe_pct": pl.Float64,
            "re_pct": pl.Float64,
            "data_source": pl.String,
            "is_estimated": pl.Boolean,
            "estimation_method": pl.String,
            "source_row": pl.Int32,
        },
        orient="row",
    )


def insert_file(
    con: duckdb.DuckDBPyConnection, parsed: Parsed, landed: LandedFile, received_at: datetime
) -> list[str]:
    """One validated file's registry row and hours (inside the drop processor's transaction);
    returns what it supersedes or is superseded by, for the drop's report."""
    con.register("carbon_intensity_rows", hour_rows(parsed, landed.sha256))
    hours = [h.hour_utc for h in parsed.rows]
    notes = overlap_notes(con, parsed, min(hours), max(hours))
    con.execute(
        """
        insert into raw.carbon_intensity_files
        select ?, ?, coalesce(max(load_seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? from
            raw.carbon_intensity_files""",
        [
            landed.sha256,
            parsed.file,
            naive_utc(received_at),
            parsed.vintage,
            parsed.vintage_from,
            parsed.header_version,
            parsed.rows[0].zone_id,
            min(hours),
            max(hours),
            len(hours),
            " | ".join(parsed.notes) or None,
        ],
    )
    con.execute("insert into raw.carbon_intensity_hours select * from carbon_intensity_rows")
    con.unregister("carbon_intensity_rows")
    return notes


def overlap_notes(
    con: duckdb.DuckDBPyConnection, parsed: Parsed, first: datetime, last: datetime
) -> list[str]:
    """Earlier files with the same hours: an older vintage (this one wins) or newer (it stays)."""
    earlier = con.execute(
        """
        select file_name, vintage from raw.carbon_intensity_files
        where zone_id = ? and first_hour_utc <= ? and last_hour_utc >= ? order by load_seq""",
        [parsed.rows[0].zone_id, last, first],
    ).fetchall()
    return [
        f"{'supersedes' if vintage <= parsed.vintage else 'is older than'} {name} (vintage "
        f"{vintage}) for the hours both cover"
        for name, vintage in earlier
    ]
