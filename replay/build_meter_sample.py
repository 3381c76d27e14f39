"""The demo's SYNTHETIC meter sample: a few hundred metering points for one month, in the meter feed
contract (docs/feeds.md), deterministic from a seed. Not Borlänge Energi's data: invented load
shapes (evening peaks, electric heating in the cold mornings, night-time car charging, a little
March sun on the prosumers' panels, daytime services, flat industry; district heating following
the same cold). Every file says SYNTHETIC in a comment line and in its `syntetisk` column.

    python -m replay.build_meter_sample OUT_DIR [--month 2024-03] [--el-points 200] [--heat-points 40]

The tests build their small files with the same functions (`points`, `rows`, `write_csv`, `write_parquet`).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = ("matpunkt", "medium", "riktning", "natomrade", "kundkategori", "start", "upplosning", "kwh", "kvalitet",
           "syntetisk")
NORMAL_TIME = timezone(timedelta(hours=1))
LOCAL_TIME = ZoneInfo("Europe/Stockholm")
LABEL = "# SYNTETISKA DATA / SYNTHETIC DATA: invented meter values (replay/build_meter_sample.py), not Borlänge Energi's"
DEMO_MONTH = date(2024, 3, 1)        # a month of the bundled monthly reports (replay/payloads/energy)
SEED = 14

EL_MIX = (("hushall_lagenhet", 0.40), ("hushall_villa", 0.18), ("hushall_elvarme", 0.17), ("hushall_elbil", 0.10),
          ("hushall_prosument", 0.07), ("service", 0.06), ("industri", 0.02))
HEAT_MIX = (("smahus", 0.6), ("flerbostadshus", 0.25), ("lokaler", 0.12), ("industri", 0.03))


@dataclass(frozen=True)
class Point:
    gsrn: str
    medium: str
    kundkategori: str
    natomrade: str
    minutes: int            # 60 or 15
    scale: float


def gsrn(number: int) -> str:
    return f"735999{number:012d}"


def points(medium: str, count: int, *, seed: int = SEED, quarter_hour_share: float = 0.1,
           mix=None, first_number: int = 0) -> list[Point]:
    rng = random.Random(f"{seed}-{medium}")
    mix = mix or (EL_MIX if medium == "el" else HEAT_MIX)
    names = [name for name, _ in mix]
    weights = [weight for _, weight in mix]
    area = "BOR" if medium == "el" else "BOR-FV"
    offset = 100_000_000 if medium == "el" else 200_000_000
    return [Point(gsrn(offset + first_number + i * 7919), medium, rng.choices(names, weights)[0], area,
                  15 if rng.random() < quarter_hour_share else 60, rng.uniform(0.6, 1.4)) for i in range(count)]


def _kw(point: Point, moment: datetime, rng: random.Random) -> tuple[float, float]:
    """(consumption kW, production kW) at a moment in normal time."""
    h = moment.hour + moment.minute / 60
    weekend = moment.weekday() >= 5
    evening = math.exp(-((h - 19) ** 2) / 6)
    morning = math.exp(-((h - 7.5) ** 2) / 3)
    cold = min(1.0, max(0.0, 0.55 + 0.3 * math.cos((h - 5) / 24 * 2 * math.pi)
                        - 0.006 * (moment.timetuple().tm_yday - 60)))
    c = point.kundkategori
    production = 0.0
    if c == "hushall_lagenhet":
        kw = 0.25 + 0.9 * evening + 0.4 * morning
    elif c == "hushall_villa":
        kw = 0.5 + 1.6 * evening + 0.8 * morning
    elif c == "hushall_elvarme":
        kw = 1.0 + 7.0 * cold + 1.5 * evening
    elif c == "hushall_elbil":
        charging = 9.0 if (h >= 22 or h < 2) and rng.random() < 0.7 else 0.0
        kw = 0.5 + 1.5 * evening + charging
    elif c == "hushall_prosument":
        kw = 0.6 + 1.4 * evening + 0.6 * morning
        production = max(0.0, 4.0 * math.sin((h - 6.5) / 11 * math.pi)) * rng.uniform(0.2, 1.0) if 6.5 < h < 17.5 else 0.0
    elif c == "service":
        kw = (20 + 110 * (8 <= h < 18) * (not weekend)) * 1.0
    elif c == "industri":
        kw = 900 + 250 * (6 <= h < 22) * (not weekend)
    elif c == "smahus":
        kw = 2.0 + 9.0 * cold + 1.5 * morning
    elif c == "flerbostadshus":
        kw = 40 + 140 * cold + 35 * morning
    elif c == "lokaler":
        kw = 30 + 160 * cold * (not weekend) + 40 * (8 <= h < 17)
    else:
        kw = 600 + 500 * cold
    return kw * point.scale * rng.uniform(0.85, 1.15), production * point.scale


def rows(month: date, pts: list[Point], *, seed: int = SEED, summer_time: bool = False,
         estimated_share: float = 0.02) -> Iterator[dict]:
    """The contract's rows for the month, in normal time (or, with `summer_time`, stamped wrongly
    in local time without an offset, as a broken export would)."""
    zone = LOCAL_TIME if summer_time else NORMAL_TIME     # a broken export covers the local month
    start = datetime(month.year, month.month, 1, tzinfo=zone).astimezone(timezone.utc)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone).astimezone(timezone.utc)
    for point in pts:
        rng = random.Random(f"{seed}-{point.gsrn}")
        step = timedelta(minutes=point.minutes)
        moment = start                                     # stepped in UTC, stamped in the zone
        while moment < end:
            stamp = moment.astimezone(zone)
            consumption, production = _kw(point, moment.astimezone(NORMAL_TIME), rng)
            for direction, kw in (("uttag", consumption), ("inmatning", production)):
                if direction == "inmatning" and point.kundkategori != "hushall_prosument":
                    continue
                quality = "estimerad" if rng.random() < estimated_share else "uppmatt"
                wh = round(kw * point.minutes / 60 * 1000)
                yield {"matpunkt": point.gsrn, "medium": point.medium, "riktning": direction,
                       "natomrade": point.natomrade, "kundkategori": point.kundkategori,
                       "start": stamp.strftime("%Y-%m-%dT%H:%M"), "upplosning": "PT1H" if point.minutes == 60 else "PT15M",
                       "wh": wh, "kvalitet": quality, "syntetisk": "ja"}
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
        writer.writerow([r["matpunkt"], r["medium"], r["riktning"], r["natomrade"], r["kundkategori"], r["start"],
                         r["upplosning"], "" if r["wh"] is None else kwh_text(r["wh"]), r["kvalitet"], r["syntetisk"]])
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)    # mtime 0: the same bytes every time
    return path


def write_parquet(path: Path, values) -> Path:
    values = list(values)
    columns = {c: [r[c] for r in values] for c in COLUMNS if c != "kwh"}
    columns["kwh"] = [None if r["wh"] is None else kwh_text(r["wh"]).replace(",", ".") for r in values]
    table = pa.table({c: columns.get(c, columns.get("wh")) for c in COLUMNS})
    table = table.replace_schema_metadata({"synthetic": "true"})
    pq.write_table(table, path, compression="zstd")
    return path


def build(out_dir: Path, *, month: date = DEMO_MONTH, el_points: int = 200, heat_points: int = 40,
          seed: int = SEED) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    el = write_csv(out_dir / f"matvarden_el_{month:%Y-%m}.csv.gz", rows(month, points("el", el_points, seed=seed), seed=seed))
    heat = write_parquet(out_dir / f"matvarden_fjarrvarme_{month:%Y-%m}.parquet",
                         rows(month, points("fjarrvarme", heat_points, seed=seed, quarter_hour_share=0.0), seed=seed))
    return [el, heat]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--month", default=f"{DEMO_MONTH:%Y-%m}")
    parser.add_argument("--el-points", type=int, default=200)
    parser.add_argument("--heat-points", type=int, default=40)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    year, month = map(int, args.month.split("-"))
    for path in build(args.out_dir, month=date(year, month, 1), el_points=args.el_points,
                      heat_points=args.heat_points, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
