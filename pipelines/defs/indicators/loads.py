"""Kolada KPI values into raw.kolada_kpi_values (no Dagster): the KPIs of the seed
indicator_definitions, for the report kommun, its län (region '00' + län) and Sweden ('0000').
Every page Kolada answers is landed with its sha256 and loaded in one transaction; a page already
loaded is skipped, so re-runs are idempotent. Each fetch is kept; staging reads the newest."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipelines.lib import warehouse
from pipelines.lib.warehouse import FileLoad, Store
from pipelines.settings import DBT_PROJECT_DIR
from sources.kolada import KoladaClient, KoladaFetch, parse_page, region_id

SEEDS = DBT_PROJECT_DIR / "seeds"
FIRST_YEAR = 2015
TABLE = "kolada_kpi_values"


@dataclass(frozen=True)
class KoladaLoadReport:
    pages: int
    pages_loaded: int
    rows_inserted: int
    kpis: list[str]
    ids: list[str]
    years: list[int]
    synthetic_values: int
    derived_values: int
    sha256: str


def kolada_kpis(seeds: Path = SEEDS) -> list[str]:
    with (seeds / "indicator_definitions.csv").open(encoding="utf-8", newline="") as fh:
        return [
            r["kpi_id"] for r in csv.DictReader(fh) if r["computed_by"] == "kolada" and r["kpi_id"]
        ]


def lan_of(kommun_kod: str, seeds: Path = SEEDS) -> str:
    with (seeds / "scb_kommuner.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kommun_kod"] == kommun_kod:
                return row["lan_kod"]
    raise ValueError(f"kommun {kommun_kod!r} is not in seeds/scb_kommuner.csv")


def frame_of(fetch: KoladaFetch) -> dict[str, pl.DataFrame]:
    """Rows per landed page (sha256 -> frame): each row keeps the page it came from."""
    frames: dict[str, list[dict]] = {p.sha256: [] for p in fetch.pages}
    urls = {p.sha256: p.url for p in fetch.pages}
    for page in fetch.pages:
        for v in parse_page(page.content, page.url):
            frames[page.sha256].append(
                {
                    "file_sha256": page.sha256,
                    "url": urls[page.sha256],
                    "kpi": v.kpi,
                    "municipality": v.municipality,
                    "year": v.year,
                    "gender": v.gender,
                    "value": v.value,
                    "status": v.status,
                    "count": v.count,
                    "is_deleted": v.is_deleted,
                    "note": v.note or None,
                    "is_synthetic": v.note.startswith("SYNTHETIC"),
                    "is_derived": v.note.startswith("DERIVED"),
                    "fetched_at": fetch.fetched_at.replace(tzinfo=None),
                }
            )
    schema = {
        "file_sha256": pl.Utf8,
        "url": pl.Utf8,
        "kpi": pl.Utf8,
        "municipality": pl.Utf8,
        "year": pl.Int32,
        "gender": pl.Utf8,
        "value": pl.Float64,
        "status": pl.Utf8,
        "count": pl.Int32,
        "is_deleted": pl.Boolean,
        "note": pl.Utf8,
        "is_synthetic": pl.Boolean,
        "is_derived": pl.Boolean,
        "fetched_at": pl.Datetime("us"),
    }
    return {sha: pl.DataFrame(rows, schema=schema) for sha, rows in frames.items()}


def load_kolada(
    client: KoladaClient, store: Store, kommun_kod: str, *, today: date | None = None
) -> KoladaLoadReport:
    today = today or datetime.now(UTC).date()
    kpis = kolada_kpis()
    ids = [kommun_kod, region_id(lan_of(kommun_kod)), "0000"]
    years = list(range(FIRST_YEAR, today.year + 1))
    fetch = client.fetch(kpis, ids, years)
    frames = frame_of(fetch)
    loads = []
    for page in fetch.pages:
        landed = warehouse.land_bytes(store.landing_dir, "kolada", page.content, ".json")
        loads.append(
            FileLoad(
                landed=landed,
                source="kolada",
                file_name=f"kolada_{landed.sha256[:12]}.json",
                url=page.url,
                request_params={"kpis": kpis, "ids": ids, "years": years},
                content_type="application/json",
                vintage=fetch.fetched_at.date(),
                fetched_at=fetch.fetched_at,
                table=TABLE,
                rows=frames[page.sha256],
            )
        )
    outcomes = warehouse.load_into_warehouse(store, loads)
    rows = pl.concat(list(frames.values())) if frames else pl.DataFrame()
    digest = warehouse.sha256_hex(json.dumps(sorted(p.sha256 for p in fetch.pages)).encode())
    return KoladaLoadReport(
        pages=len(fetch.pages),
        pages_loaded=sum(not o.skipped_as_duplicate for o in outcomes),
        rows_inserted=sum(o.rows_inserted for o in outcomes),
        kpis=kpis,
        ids=ids,
        years=years,
        synthetic_values=int(rows["is_synthetic"].sum()) if len(rows) else 0,
        derived_values=int(rows["is_derived"].sum()) if len(rows) else 0,
        sha256=digest,
    )
