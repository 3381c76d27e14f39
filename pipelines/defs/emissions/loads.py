"""SMHI's emission exports and SCB's population to raw, as plain functions (no Dagster): download,
land the original bytes, validate, then load in one transaction. The assets in assets.py wrap
these; the benchmark and tests call them directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.lib import warehouse
from pipelines.lib.responses import ResponsesLoaded, scb_response_loads
from pipelines.lib.warehouse import RejectedFile, Stopwatch, Store, naive_utc
from pipelines.settings import SEEDS_DIR
from sources.scb import PxWebClient, fetch_population, population_frame, published_population_years
from sources.smhi import SmhiClient, SmhiFormatError, load_reference, parse_smhi_excel


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


def load_smhi_release(client: SmhiClient, store: Store, *, sub: str, table: str) -> SmhiLoadReport:
    clock = Stopwatch()
    download = client.download(sub=sub)
    clock.lap("download")
    landed = warehouse.land_bytes(store.landing_dir, "smhi", download.content, ".xlsx")
    try:
        parsed = parse_smhi_excel(
            download.content,
            file_name=download.filename,
            sub=sub,
            reference=load_reference(SEEDS_DIR),
        )
    except SmhiFormatError as exc:
        report = warehouse.write_rejection_report(landed, file_name=download.filename, error=exc)
        raise RejectedFile(
            f"SMHI file rejected, nothing loaded: {exc}", landed.path, report
        ) from exc
    clock.lap("parse")
    load = warehouse.FileLoad(
        landed=landed,
        source="smhi",
        file_name=download.filename,
        url=download.url,
        request_params=download.params,
        content_type=download.content_type,
        vintage=parsed.vintage,
        fetched_at=naive_utc(download.fetched_at),
        table=table,
        rows=smhi_rows(
            parsed,
            sha256=landed.sha256,
            file_name=download.filename,
            fetched_at=download.fetched_at,
        ),
        # A re-issued file of the same vintage supersedes the earlier one (its bytes stay landed);
        # `sub` too, for a table that keeps both exports (the nowcast's archived releases).
        replace_where=("vintage = ? and sub = ?", [parsed.vintage, parsed.sub]),
    )
    [outcome] = warehouse.load_into_warehouse(store, [load])
    clock.lap("load")
    frame = parsed.frame
    return SmhiLoadReport(
        vintage=str(parsed.vintage),
        gas=parsed.gas,
        sha256=landed.sha256,
        landed_path=landed.path,
        rows_in_file=frame.height,
        rows_inserted=outcome.rows_inserted,
        unchanged=outcome.skipped_as_duplicate,
        kommuner=frame.filter(pl.col("level") == "kommun").get_column("kommun_kod").n_unique(),
        years=sorted(frame.get_column("year").unique().to_list()),
        seconds=clock.laps,
    )


@dataclass(frozen=True)
class PopulationLoadReport:
    responses: int
    rows_inserted: int
    unchanged_responses: int
    years: list[int]
    kommuner: int
    seconds: dict[str, float]


def load_population(client: PxWebClient, store: Store, *, first_year: int) -> PopulationLoadReport:
    clock = Stopwatch()
    fetched_at = datetime.now(UTC)
    result = fetch_population(
        client, published_population_years(client, first_year, fetched_at.year)
    )
    clock.lap("download")
    loads = [
        load
        for table_result in result.results
        for load in scb_response_loads(
            client,
            table_result,
            store.landing_dir,
            table="scb_population",
            rows_of=population_frame,
            fetched_at=fetched_at,
            request_params={},
        )
    ]
    clock.lap("parse")
    loaded = ResponsesLoaded.of("scb_population", warehouse.load_into_warehouse(store, loads))
    clock.lap("load")
    frame = result.frame
    return PopulationLoadReport(
        responses=loaded.responses,
        rows_inserted=loaded.rows_inserted,
        unchanged_responses=loaded.unchanged_responses,
        years=sorted(frame.get_column("year").unique().to_list()),
        kommuner=frame.get_column("kommun_kod").n_unique(),
        seconds=clock.laps,
    )
