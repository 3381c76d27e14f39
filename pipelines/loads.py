"""Source-to-raw loads as plain functions (no Dagster): download, land the original bytes,
validate, then load in one transaction. The Dagster assets wrap these; the benchmark and
tests call them directly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from pipelines import warehouse
from pipelines.settings import SEEDS_DIR
from sources.scb import PxWebClient, decode_jsonstat2, fetch_population, published_population_years
from sources.smhi import SmhiClient, SmhiFormatError, load_reference, parse_smhi_excel


class RejectedFile(RuntimeError):
    """A file that failed validation: its bytes are landed, a report sits beside them,
    and the warehouse was not touched."""

    def __init__(self, message: str, landed_path: Path, report_path: Path):
        super().__init__(message)
        self.landed_path = landed_path
        self.report_path = report_path


@dataclass(frozen=True)
class Store:
    """Where loads write: the DuckDB file and the landing zone."""

    warehouse_path: Path
    landing_dir: Path


@dataclass(frozen=True)
class SmhiLoadReport:
    vintage: str
    gas: str
    sha256: str
    landed_path: Path
    rows_in_file: int
    rows_inserted: int
    unchanged: bool
    kommuner: int
    years: list[int]
    seconds: dict[str, float]


def smhi_rows(parsed, *, sha256: str, file_name: str, fetched_at: datetime) -> pl.DataFrame:
    """The parsed long frame with the file-level provenance on every row."""
    return parsed.frame.with_columns(
        file_sha256=pl.lit(sha256),
        file_name=pl.lit(file_name),
        vintage=pl.lit(parsed.vintage),
        sub=pl.lit(parsed.sub),
        gas=pl.lit(parsed.gas),
        unit_raw=pl.lit(parsed.unit),
        sheet=pl.lit(parsed.sheet),
        fetched_at=pl.lit(naive_utc(fetched_at)),
    )


def naive_utc(moment: datetime) -> datetime:
    """DuckDB TIMESTAMP columns hold UTC without a zone."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def load_smhi_release(client: SmhiClient, store: Store, *, sub: str, table: str) -> SmhiLoadReport:
    clock = _Stopwatch()
    download = client.download(sub=sub)
    clock.lap("download")
    landed = warehouse.land_bytes(store.landing_dir, "smhi", download.content, ".xlsx")
    try:
        parsed = parse_smhi_excel(download.content, file_name=download.filename, sub=sub,
                                  reference=load_reference(SEEDS_DIR))
    except SmhiFormatError as exc:
        report = warehouse.write_rejection_report(landed, file_name=download.filename, error=exc)
        raise RejectedFile(f"SMHI file rejected, nothing loaded: {exc}", landed.path, report) from exc
    clock.lap("parse")
    load = warehouse.FileLoad(
        landed=landed, source="smhi", file_name=download.filename, url=download.url,
        request_params=download.params, content_type=download.content_type, vintage=parsed.vintage,
        fetched_at=naive_utc(download.fetched_at), table=table,
        rows=smhi_rows(parsed, sha256=landed.sha256, file_name=download.filename, fetched_at=download.fetched_at),
        # A re-issued file of the same vintage supersedes the earlier one (its bytes stay landed).
        replace_where=("vintage = ?", [parsed.vintage]))
    with warehouse.connect(store.warehouse_path) as con:
        [outcome] = warehouse.load_files(con, [load])
    clock.lap("load")
    frame = parsed.frame
    return SmhiLoadReport(
        vintage=str(parsed.vintage), gas=parsed.gas, sha256=landed.sha256, landed_path=landed.path,
        rows_in_file=frame.height, rows_inserted=outcome.rows_inserted, unchanged=outcome.skipped_as_duplicate,
        kommuner=frame.filter(pl.col("level") == "kommun").get_column("kommun_kod").n_unique(),
        years=sorted(frame.get_column("year").unique().to_list()), seconds=clock.laps)


@dataclass(frozen=True)
class PopulationLoadReport:
    responses: int
    rows_inserted: int
    unchanged_responses: int
    years: list[int]
    kommuner: int
    seconds: dict[str, float]


def population_rows(raw_response: bytes, *, sha256: str, fetched_at: datetime) -> pl.DataFrame:
    """One SCB JSON-stat response as raw.scb_population rows."""
    payload = json.loads(raw_response)
    frame = decode_jsonstat2(payload)
    return pl.DataFrame({
        "file_sha256": sha256,
        "table_id": payload["extension"]["px"]["tableid"],
        "contents_code": frame.get_column("ContentsCode"),
        "kommun_kod": frame.get_column("Region"),
        "year": frame.get_column("Tid").cast(pl.Int32),
        "population": frame.get_column("value").cast(pl.Int64),
        "status": frame.get_column("status"),
        "updated": payload.get("updated"),
        "fetched_at": naive_utc(fetched_at),
    })


def load_population(client: PxWebClient, store: Store, *, first_year: int) -> PopulationLoadReport:
    clock = _Stopwatch()
    fetched_at = datetime.now(timezone.utc)
    result = fetch_population(client, published_population_years(client, first_year, fetched_at.year))
    clock.lap("download")
    loads = []
    for raw in result.raw_responses:
        landed = warehouse.land_bytes(store.landing_dir, "scb", raw, ".json")
        rows = population_rows(raw, sha256=landed.sha256, fetched_at=fetched_at)
        table_id = rows.get_column("table_id")[0]
        loads.append(warehouse.FileLoad(
            landed=landed, source="scb", file_name=f"{table_id}_{landed.sha256[:12]}.json",
            url=client.http.url(f"tables/{table_id}/data"), request_params={}, content_type="application/json",
            vintage=None, fetched_at=naive_utc(fetched_at), table="scb_population", rows=rows))
    clock.lap("parse")
    with warehouse.connect(store.warehouse_path) as con:
        outcomes = warehouse.load_files(con, loads)
    clock.lap("load")
    frame = result.frame
    return PopulationLoadReport(
        responses=len(loads), rows_inserted=sum(o.rows_inserted for o in outcomes),
        unchanged_responses=sum(o.skipped_as_duplicate for o in outcomes),
        years=sorted(frame.get_column("year").unique().to_list()),
        kommuner=frame.get_column("kommun_kod").n_unique(), seconds=clock.laps)


class _Stopwatch:
    def __init__(self):
        import time
        self._time = time.perf_counter
        self._last = self._time()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = self._time()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now
