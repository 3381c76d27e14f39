"""Small meter files in the feed's contract for the tests (the demo's sample and the full-scale year
are replay/meter_sample.py's): a handful of points, one month, simple invented shapes, and the
broken exports the validator must catch (stamped in local summer time). Deterministic from a seed;
each file says SYNTHETIC in a comment line and in its `syntetisk` column."""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from sources.meter_feed import contract
from sources.meter_feed.contract import gsrn

COLUMNS = (*contract.COLUMNS, *contract.OPTIONAL_COLUMNS)
NORMAL_TIME = timezone(timedelta(hours=1))
LOCAL_TIME = ZoneInfo("Europe/Stockholm")
LABEL = (
    "# SYNTETISKA DATA / SYNTHETIC DATA: invented meter values "
    "(tests/helpers/meter_files.py), not Borlänge Energi's"
)
SEED = 14

EL_MIX = (("hushall_lagenhet", 0.5), ("hushall_villa", 0.3), ("hushall_villa_elvarme", 0.2))
HEAT_MIX = (("fjv_smahus", 0.7), ("fjv_flerbostadshus", 0.3))


@dataclass(frozen=True)
class Point:
    gsrn: str
    medium: str
    kundkategori: str
    natomrade: str
    minutes: int  # 60 or 15
    scale: float


def points(
    medium: str,
    count: int,
    *,
    seed: int = SEED,
    quarter_hour_share: float = 0.1,
    mix=None,
    first_number: int = 0,
) -> list[Point]:
    rng = random.Random(f"{seed}-{medium}")
    mix = mix or (EL_MIX if medium == "el" else HEAT_MIX)
    names = [name for name, _ in mix]
    weights = [weight for _, weight in mix]
    area = "BLE01" if medium == "el" else "BLE02"  # areas of the network registry
    offset = 100_000_000 if medium == "el" else 200_000_000
    return [
        Point(
            gsrn(offset + first_number + i * 7919),
            medium,
            rng.choices(names, weights)[0],
            area,
            15 if rng.random() < quarter_hour_share else 60,
            rng.uniform(0.6, 1.4),
        )
        for i in range(count)
    ]


def _kw(point: Point, moment: datetime, rng: random.Random) -> tuple[float, float]:
    """(consumption kW, production kW) at a moment in normal time: an evening and a morning peak."""
    h = moment.hour + moment.minute / 60
    level = {
        "hushall_lagenhet": 0.3,
        "hushall_villa": 0.6,
        "hushall_villa_elvarme": 1.5,
        "fjv_smahus": 3.0,
        "fjv_flerbostadshus": 60.0,
    }.get(point.kundkategori, 1.0)
    shape = 1 + 2 * math.exp(-((h - 19) ** 2) / 6) + math.exp(-((h - 7.5) ** 2) / 3)
    return level * shape * point.scale * rng.uniform(0.85, 1.15), 0.0


def rows(
    month: date,
    pts: list[Point],
    *,
    seed: int = SEED,
    summer_time: bool = False,
    estimated_share: float = 0.02,
) -> Iterator[dict]:
    """The contract's rows for the month, in normal time (or, with `summer_time`, stamped wrongly
    in local time without an offset, as a broken export would)."""
    zone = LOCAL_TIME if summer_time else NORMAL_TIME  # a broken export covers the local month
    start = datetime(month.year, month.month, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone).astimezone(
        UTC
    )
    for point in pts:
        rng = random.Random(f"{seed}-{point.gsrn}")
        step = timedelta(minutes=point.minutes)
        moment = start  # stepped in UTC, stamped in the zone
        while moment < end:
            stamp = moment.astimezone(zone)
            consumption, production = _kw(point, moment.astimezone(NORMAL_TIME), rng)
            for direction, kw in (("uttag", consumption), ("inmatning", production)):
                if direction == "inmatning":
                    continue
                quality = "estimerad" if rng.random() < estimated_share else "uppmatt"
                wh = round(kw * point.minutes / 60 * 1000)
                yield {
                    "matpunkt": point.gsrn,
                    "medium": point.medium,
                    "riktning": direction,
                    "natomrade": point.natomrade,
                    "kundkategori": point.kundkategori,
                    "start": stamp.strftime("%Y-%m-%dT%H:%M"),
                    "upplosning": "PT1H" if point.minutes == 60 else "PT15M",
                    "wh": wh,
                    "kvalitet": quality,
                    "syntetisk": "ja",
                }
            moment += step


def kwh_text(wh: int) -> str:
    """Whole Wh as the contract's kWh with decimal comma."""
    sign = "-" if wh < 0 else ""
    return f"{sign}{abs(wh) // 1000},{abs(wh) % 1000:03d}"


def write_csv(path: Path, values, *, compress: bool | None = None) -> Path:
    compress = path.suffix == ".gz" if compress is None else compress
    buffer = io.StringIO()
    buffer.write(LABEL + "\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in values:
        writer.writerow(
            [
                r["matpunkt"],
                r["medium"],
                r["riktning"],
                r["natomrade"],
                r["kundkategori"],
                r["start"],
                r["upplosning"],
                "" if r["wh"] is None else kwh_text(r["wh"]),
                r["kvalitet"],
                r["syntetisk"],
            ]
        )
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(
        gzip.compress(data, mtime=0) if compress else data
    )  # mtime 0: the same bytes every time
    return path


def write_parquet(path: Path, values) -> Path:
    values = list(values)
    columns = {c: [r[c] for r in values] for c in COLUMNS if c != "kwh"}
    columns["kwh"] = [
        None if r["wh"] is None else kwh_text(r["wh"]).replace(",", ".") for r in values
    ]
    table = pa.table({c: columns.get(c, columns.get("wh")) for c in COLUMNS})
    table = table.replace_schema_metadata({"synthetic": "true"})
    pq.write_table(table, path, compression="zstd")
    return path


def meter_partitions_job():
    """Both media's partition assets in one job on the multiprocess executor (rebuilt in each
    child)."""
    from pipelines.defs.meters.assets import el_values, fjarrvarme_values
    from pipelines.resources import resources_for
    from pipelines.settings import Settings

    defs = dg.Definitions(
        assets=[el_values, fjarrvarme_values],
        resources=resources_for(Settings.from_env()),
        jobs=[dg.define_asset_job("meter_partitions", executor_def=dg.multiprocess_executor)],
    )
    return defs.resolve_job_def("meter_partitions")
