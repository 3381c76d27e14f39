"""The load framework: writes to the DuckDB warehouse and the raw landing zone (plain Python, no Dagster).

Rules this module enforces:
- every file that comes in is kept byte for byte, content-addressed by its sha256;
- a load is one transaction: all of a file's rows, or none, and the registry row with them;
- loading a file already loaded is a no-op, so re-running is idempotent;
- a file that fails validation never touches the database: its bytes stay in the landing
  zone with a JSON report beside them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

RAW_DDL = {
    "landed_files": """
        create table if not exists raw.landed_files (
            sha256 varchar primary key,
            source varchar not null,
            file_name varchar not null,
            url varchar,
            request_params varchar,
            content_type varchar,
            bytes bigint not null,
            stored_path varchar not null,
            vintage date,
            first_fetched_at timestamp not null,
            loaded_into varchar not null
        )""",
    "smhi_emissions": """
        create table if not exists raw.{table} (
            file_sha256 varchar not null,
            file_name varchar not null,
            vintage date not null,
            sub varchar not null,
            gas varchar not null,
            unit_raw varchar not null,
            sheet varchar not null,
            level varchar not null,
            lan_kod varchar,
            kommun_kod varchar,
            huvudsektor_raw varchar not null,
            undersektor_raw varchar not null,
            lan_namn_raw varchar,
            kommun_namn_raw varchar,
            year integer not null,
            tonnes double not null,
            source_row integer not null,
            fetched_at timestamp not null
        )""",
    "partner_submissions": """
        create table if not exists raw.partner_submissions (
            sha256 varchar primary key,
            partner_id varchar not null,
            reporting_year integer not null,
            file_name varchar not null,
            received_at timestamp not null,
            contact_name varchar,
            contact_email varchar,
            submitted_date date
        )""",
    "partner_emissions": """
        create table if not exists raw.partner_emissions (
            sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
            source_row integer not null, scope integer not null, category varchar, tonnes_co2e double not null,
            method varchar, inside_territory boolean, comment varchar
        )""",
    "partner_energy": """
        create table if not exists raw.partner_energy (
            sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
            source_row integer not null, energy_carrier varchar not null, mwh double not null,
            supplier varchar, comment varchar
        )""",
    "partner_actions": """
        create table if not exists raw.partner_actions (
            sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
            source_row integer not null, action_id varchar not null, title varchar, status varchar,
            start_year integer, investment_sek double, expected_annual_reduction_t double,
            realised_reduction_t double, comment varchar
        )""",
    "partner_removals": """
        create table if not exists raw.partner_removals (
            sha256 varchar not null, partner_id varchar not null, reporting_year integer not null,
            source_row integer not null, removal_type varchar not null, tonnes_co2 double not null,
            method varchar, permanence varchar, comment varchar
        )""",
    "scb_population": """
        create table if not exists raw.scb_population (
            file_sha256 varchar not null,
            table_id varchar not null,
            contents_code varchar not null,
            kommun_kod varchar not null,
            year integer not null,
            population bigint,
            status varchar,
            updated varchar,
            fetched_at timestamp not null
        )""",
    # Borlänge Energi's monthly reports (pipelines/defs/energy/loads.py): one row per accepted file ...
    "energy_feed_files": """
        create table if not exists raw.energy_feed_files (
            sha256 varchar primary key,
            file_name varchar not null,
            load_seq integer not null,
            received_at timestamp not null,
            period_start date not null,
            period_end date not null,
            declared_unit varchar not null,
            source_note varchar,
            is_synthetic boolean not null,
            networks integer not null,
            value_count integer not null
        )""",
    # ... and its values in the long format of sources/energy_feed/contract.py (energy in MWh).
    "energy_feed_values": """
        create table if not exists raw.energy_feed_values (
            sha256 varchar not null, network varchar not null, month date not null, measure varchar not null,
            category varchar not null, unit varchar not null, value double not null,
            source_row integer not null, source_column varchar not null
        )""",
    # Borlänge Energi's meter files (pipelines/defs/meters/loads.py): one row per accepted file, no
    # metering point in it (the values, pseudonymised, are in the meter lake).
    "meter_feed_files": """
        create table if not exists raw.meter_feed_files (
            sha256 varchar primary key, file_name varchar not null, load_seq integer not null,
            received_at timestamp not null, medium varchar not null, month date not null,
            value_count bigint not null, points integer not null, kwh decimal(18, 3) not null,
            resolutions varchar not null, is_synthetic boolean not null
        )""",
    # Electricity Maps' hourly carbon intensity (pipelines/defs/grid/loads.py): one row per accepted
    # file with its vintage (the release) ...
    "carbon_intensity_files": """
        create table if not exists raw.carbon_intensity_files (
            sha256 varchar primary key,
            file_name varchar not null,
            load_seq integer not null,
            received_at timestamp not null,
            vintage date not null,
            vintage_from varchar not null,
            header_version varchar not null,
            zone_id varchar not null,
            first_hour_utc timestamp not null,
            last_hour_utc timestamp not null,
            hours integer not null,
            source_note varchar
        )""",
    # ... and its hours as published (g CO2e/kWh; shares in %).
    "carbon_intensity_hours": """
        create table if not exists raw.carbon_intensity_hours (
            sha256 varchar not null, zone_id varchar not null, country varchar, zone_name varchar,
            hour_utc timestamp not null, direct_gco2_per_kwh double not null,
            lifecycle_gco2_per_kwh double not null, cfe_pct double, re_pct double, data_source varchar,
            is_estimated boolean not null, estimation_method varchar, source_row integer not null
        )""",
    # SCB's municipal energy statistics (KRE): TAB3654, TAB3451, TAB3452, one row per cell.
    "scb_energy": """
        create table if not exists raw.scb_energy (
            file_sha256 varchar not null,
            table_id varchar not null,
            contents_code varchar not null,
            kommun_kod varchar not null,
            category_variable varchar not null,
            category_code varchar not null,
            category_label varchar,
            fuel_code varchar not null,
            fuel_label varchar,
            year integer not null,
            mwh double,
            status varchar,
            unit varchar,
            updated varchar,
            note varchar,
            fetched_at timestamp not null
        )""",
    # Carbon sinks (pipelines/defs/sinks/loads.py): every fetch is kept, staging reads the newest.
    "scb_lulucf_national": """
        create table if not exists raw.scb_lulucf_national (
            file_sha256 varchar not null, table_id varchar not null, sector_code varchar not null,
            gas_code varchar not null, contents_code varchar not null, year integer not null,
            tonnes_co2e double, status varchar, unit_raw varchar not null, updated varchar,
            is_synthetic boolean not null, provenance_note varchar not null, fetched_at timestamp not null
        )""",
    "scb_forest_land": """
        create table if not exists raw.scb_forest_land (
            file_sha256 varchar not null, table_id varchar not null, key_source varchar not null,
            key_description varchar not null, kommun_kod varchar not null, year integer not null,
            hectares double, status varchar, unit_raw varchar not null, updated varchar,
            is_synthetic boolean not null, provenance_note varchar not null, fetched_at timestamp not null
        )""",
    # Kolada v3 KPI values (pipelines/defs/indicators/loads.py): one landed file per page; every fetch
    # is kept, staging reads the newest per KPI, id and year.
    "kolada_kpi_values": """
        create table if not exists raw.kolada_kpi_values (
            file_sha256 varchar not null, url varchar not null, kpi varchar not null, municipality varchar not null,
            year integer not null, gender varchar not null, value double, status varchar, count integer,
            is_deleted boolean not null, note varchar, is_synthetic boolean not null, is_derived boolean not null,
            fetched_at timestamp not null
        )""",
    # Consumption-based emissions (pipelines/consumption.py).
    "scb_consumption_emissions": """
        create table if not exists raw.scb_consumption_emissions (
            file_sha256 varchar not null, table_id varchar not null, use_code varchar not null,
            component varchar, use_label varchar, substance_code varchar not null, year integer not null,
            tonnes double, status varchar, unit_raw varchar, contents_code varchar, contents_label varchar,
            updated varchar, fetched_at timestamp not null
        )""",
    "scb_brp": """
        create table if not exists raw.scb_brp (
            file_sha256 varchar not null, table_id varchar not null, kommun_kod varchar not null,
            year integer not null, value double, status varchar, unit_raw varchar, contents_code varchar,
            contents_label varchar, updated varchar, fetched_at timestamp not null
        )""",
    "sei_household_emissions": """
        create table if not exists raw.sei_household_emissions (
            file_sha256 varchar not null, file_name varchar not null, sheet varchar not null,
            data_year integer not null, vintage date not null, kommun_kod varchar not null,
            kommun_namn_raw varchar, kommungrupp_kod integer, kg_co2e_per_capita double not null,
            source_row integer not null, fetched_at timestamp not null
        )""",
}


@dataclass(frozen=True)
class Store:
    """Where loads write: the DuckDB file and the landing zone."""

    warehouse_path: Path
    landing_dir: Path

    @classmethod
    def of(cls, settings) -> Store:
        """The store the settings name (their warehouse_path and landing_dir)."""
        return cls(settings.warehouse_path, settings.landing_dir)


class RejectedFile(RuntimeError):
    """A file that failed validation: its bytes are landed, a report sits beside them,
    and the warehouse was not touched."""

    def __init__(self, message: str, landed_path: Path, report_path: Path):
        super().__init__(message)
        self.landed_path = landed_path
        self.report_path = report_path


def naive_utc(moment: datetime) -> datetime:
    """DuckDB TIMESTAMP columns hold UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LandedFile:
    sha256: str
    path: Path
    bytes: int


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def land_bytes(landing_dir: Path, source: str, content: bytes, suffix: str) -> LandedFile:
    """Store `content` under landing/<source>/<sha[:2]>/<sha><suffix>, atomically, once."""
    digest = sha256_hex(content)
    target = landing_dir / source / digest[:2] / f"{digest}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)
    return LandedFile(digest, target, len(content))


def land_stream(
    landing_dir: Path,
    source: str,
    handle,
    suffix: str,
    max_bytes: int,
    chunk_bytes: int = 8 * 1024 * 1024,
) -> LandedFile:
    """Copy an open file into landing/<source>/<sha[:2]>/<sha><suffix> in chunks, hashing as it
    goes (memory: one chunk); more than `max_bytes` raises ValueError and keeps nothing."""
    folder = landing_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".landing-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := handle.read(chunk_bytes):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError(f"larger than {max_bytes:,} bytes")
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = folder / sha[:2] / f"{sha}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return LandedFile(sha, target, size)


def write_rejection_report(landed: LandedFile, *, file_name: str, error: Exception) -> Path:
    """A JSON report beside a rejected file; the database is not touched."""
    report = landed.path.with_suffix(landed.path.suffix + ".rejected.json")
    report.write_text(
        json.dumps(
            {
                "file_name": file_name,
                "sha256": landed.sha256,
                "rejected_at": datetime.now(UTC).isoformat(),
                "error_type": type(error).__name__,
                "error": str(error),
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return report


# Every raw table exists from the first connection on, empty until its source loads, so that
# dbt can always build (a source nobody has delivered yet is an empty table, not an error).
RAW_TABLES = {
    "landed_files": "landed_files",
    "smhi_emissions_ggt": "smhi_emissions",
    "smhi_emissions_co2": "smhi_emissions",
    "scb_population": "scb_population",
    "partner_submissions": "partner_submissions",
    "partner_emissions": "partner_emissions",
    "partner_energy": "partner_energy",
    "partner_actions": "partner_actions",
    "partner_removals": "partner_removals",
    "energy_feed_files": "energy_feed_files",
    "energy_feed_values": "energy_feed_values",
    "carbon_intensity_files": "carbon_intensity_files",
    "carbon_intensity_hours": "carbon_intensity_hours",
    "scb_energy": "scb_energy",
    "scb_lulucf_national": "scb_lulucf_national",
    "scb_forest_land": "scb_forest_land",
    "scb_consumption_emissions": "scb_consumption_emissions",
    "scb_brp": "scb_brp",
    "sei_household_emissions": "sei_household_emissions",
    "kolada_kpi_values": "kolada_kpi_values",
    "meter_feed_files": "meter_feed_files",
}


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists raw")
    for table, kind in RAW_TABLES.items():
        con.execute(RAW_DDL[kind].format(table=table))
    return con


def is_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    return (
        con.execute("select count(*) from raw.landed_files where sha256 = ?", [sha256]).fetchall()[
            0
        ][0]
        > 0
    )


@dataclass(frozen=True)
class FileLoad:
    """One landed file and the rows it contributes to one raw table."""

    landed: LandedFile
    source: str
    file_name: str
    url: str
    request_params: dict
    content_type: str
    vintage: date | None
    fetched_at: datetime
    table: str
    rows: pl.DataFrame
    replace_where: tuple[str, list] | None = None  # rows this file supersedes, e.g. same vintage


@dataclass(frozen=True)
class LoadOutcome:
    table: str
    sha256: str
    rows_inserted: int
    rows_replaced: int
    skipped_as_duplicate: bool


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of the block's writes, or none of them."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def record_landed_file(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    *,
    source: str,
    file_name: str,
    loaded_into: str,
    fetched_at: datetime,
    url: str | None = None,
    request_params: dict | None = None,
    content_type: str | None = None,
    vintage: date | None = None,
) -> None:
    """The registry row of a loaded file; written in the same transaction as its rows."""
    con.execute(
        "insert into raw.landed_files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            landed.sha256,
            source,
            file_name,
            url,
            json.dumps(request_params or {}, ensure_ascii=False, sort_keys=True),
            content_type,
            landed.bytes,
            str(landed.path),
            vintage,
            naive_utc(fetched_at),
            loaded_into,
        ],
    )


def load_files(con: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> list[LoadOutcome]:
    """Load several files in ONE transaction: all of them or none."""
    with transaction(con):
        return [_load_one(con, load) for load in loads]


def _load_one(con: duckdb.DuckDBPyConnection, load: FileLoad) -> LoadOutcome:
    if is_loaded(con, load.landed.sha256):
        return LoadOutcome(load.table, load.landed.sha256, 0, 0, True)
    replaced = 0
    if load.replace_where is not None:
        clause, params = load.replace_where
        replaced = con.execute(
            f"select count(*) from raw.{load.table} where {clause}", params
        ).fetchall()[0][0]
        con.execute(f"delete from raw.{load.table} where {clause}", params)
    frame = load.rows  # noqa: F841 - read by DuckDB's replacement scan below
    columns = ", ".join(load.rows.columns)
    con.execute(f"insert into raw.{load.table} ({columns}) select {columns} from frame")
    record_landed_file(
        con,
        load.landed,
        source=load.source,
        file_name=load.file_name,
        url=load.url,
        request_params=load.request_params,
        content_type=load.content_type,
        vintage=load.vintage,
        fetched_at=load.fetched_at,
        loaded_into=load.table,
    )
    return LoadOutcome(load.table, load.landed.sha256, load.rows.height, replaced, False)


def load_into_warehouse(store: Store, loads: list[FileLoad]) -> list[LoadOutcome]:
    """Open the warehouse and load `loads` in one transaction."""
    with connect(store.warehouse_path) as con:
        return load_files(con, loads)


class Stopwatch:
    """Wall-clock seconds per named phase of a load, for its report."""

    def __init__(self):
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent content hash of every table: equal fingerprints
    mean the warehouse holds the same data (used to prove idempotence and untouched failures)."""
    tables = con.execute("""
        select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' order by 1, 2""").fetchall()
    result = {}
    for schema, name in tables:
        count, content = con.execute(
            f'select count(*), coalesce(sum(hash(t)), 0) from "{schema}"."{name}" as t'
        ).fetchall()[0]
        result[f"{schema}.{name}"] = (count, int(content))
    return result
