"""The meter feed contract (docs/feeds.md): Borlänge Energi's meter values, one row per metering
point and interval, in monthly files per medium. Plain Python, no Dagster.

    matpunkt      GSRN, 18 digits starting 735999, the last a GS1 check digit (pseudonymised at
                  ingest, never stored as is)
    medium        el | fjarrvarme
    riktning      uttag (consumption) | inmatning (production)
    natomrade     the network area id, one of the network registry's (dbt_project/seeds/
                  network_areas.csv, each area of a network in energy_networks.csv)
    kundkategori  the customer category (dbt_project/seeds/meter_customer_categories.csv)
    start         interval start, ISO 8601 with an offset (Z, +01:00, +02:00...: converted to
                  normal time), or without one meaning Swedish normal time, UTC+01:00 all year
                  (EIFS 2016:2);
                  between 2000 and 2099, and the file's month one the lake keeps (FIRST_MONTH up to
                  the last month that has ended)
    upplosning    PT1H | PT15M
    kwh           energy in the interval, decimal comma in CSV, at most 3 decimals (whole Wh), at
                  most MAX_KWH either way; empty only when kvalitet is saknas
    kvalitet      uppmatt | estimerad | korrigerad | saknas
    syntetisk     optional: ja/nej (true/false); a file labelled synthetic is shown as such
                  everywhere

Every problem refuses the file, except a gap (an interval of the month a point has no row for):
gaps are reported, the file loads, and the marts count them (fct_meter_data_quality).

CSV: `;`-separated, UTF-8 (other encodings are refused as such), optionally gzip (its unpacked
size and ratio bounded); lines starting with `#` before the header are comments
(a comment containing SYNTETISK or SYNTHETIC labels the whole file synthetic). Parquet: the same
column names; `start` as text or timestamp, `kwh` as text, decimal, float or integer; the
key-value metadata `syntetisk=true` (or `synthetic=true`) also labels it.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

COLUMNS = (
    "matpunkt",
    "medium",
    "riktning",
    "natomrade",
    "kundkategori",
    "start",
    "upplosning",
    "kwh",
    "kvalitet",
)
OPTIONAL_COLUMNS = ("syntetisk",)
MEDIA = ("el", "fjarrvarme")
DIRECTIONS = ("uttag", "inmatning")
QUALITIES = ("uppmatt", "estimerad", "korrigerad", "saknas")
RESOLUTIONS = {"PT1H": 60, "PT15M": 15}  # minutes
GSRN_PREFIX = "735999"  # Sweden's metering points
GSRN = re.compile(GSRN_PREFIX + r"\d{12}")
NORMAL_TIME = timezone(timedelta(hours=1))  # Swedish normal time, all year
NORMAL_OFFSET_MIN = 60
# An explicit offset names its instant unambiguously, whatever it is (+02:00 is summer time): it is
# converted to normal time. Beyond these no place on Earth keeps its clocks.
OFFSET_RANGE_MIN = (-12 * 60, 14 * 60)
# The partitions of the lake (pipelines/defs/meters/assets.py) run from this month to the last
# month that has ended; a file for another month would have no partition to go to.
FIRST_MONTH = date(2019, 1, 1)
# A start outside these years is a typo or a placeholder (0001-01-01, 9999-12-31), not a meter
# value; the bounds also keep every instant inside what Python's datetime holds after the offset.
START_YEARS = (2000, 2099)
# kWh of one value, either way: the CSV's 12 integer digits; far beyond any connection, and its Wh
# (x 1000) far inside a 64-bit integer, so a huge value is refused, never wrapped.
MAX_KWH = 10**12 - 1
SYNTHETIC_MARKERS = ("SYNTETISK", "SYNTHETIC")
WARNINGS = frozenset({"gap"})  # reported; the file still loads
# Solar production as a clock: Borlänge's solar noon in normal time, and how far the production
# centroid of Sweden's panels lags it (ENTSO-E's 2024 solar series: 0.05-0.32 h every month).
# A file without offsets whose production centroid is off by more than the tolerance looks
# stamped an hour off (local summer time, or UTC); an hour's shift moves it 0.7-1.3 h.
LONGITUDE_E = 15.42
SOLAR_CENTROID_LAG_H = 0.2
SOLAR_SHIFT_TOLERANCE_H = 0.5
SOLAR_MIN_POINTS, SOLAR_MIN_DAYS = 3, 10
TRUE_WORDS, FALSE_WORDS = ("ja", "true", "1", "yes"), ("nej", "false", "0", "no", "")
# A lake partition's row groups (pipelines/lib/meter_lake.py), which the validator writes a valid
# file's rows in.
PARTITION_ROW_GROUP_ROWS = 1_000_000

CATEGORIES_CSV = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "meter_customer_categories.csv"
)


@dataclass(frozen=True)
class Category:
    medium: str
    kundkategori: str
    report_category: str
    max_kw: float
    has_production: bool


def last_month(today: date) -> date:
    """The last month that has ended on `today`: the newest month a file may be for."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def load_categories(path: Path = CATEGORIES_CSV) -> dict[tuple[str, str], Category]:
    """(medium, kundkategori) -> its bounds, from the utility's category seed."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            (r["medium"], r["kundkategori"]): Category(
                r["medium"],
                r["kundkategori"],
                r["report_category"],
                float(r["max_kw_per_point"]),
                r["has_production"] == "true",
            )
            for r in csv.DictReader(handle)
        }


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of the 17 digits before it: weights 3 and 1 alternating from
    the right (GS1 General Specifications, 7.9)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gsrn(serial: int) -> str:
    """A Swedish metering point's GSRN from an 11-digit serial: 735999, the serial, the check
    digit."""
    body = f"{GSRN_PREFIX}{serial:011d}"
    return body + gs1_check_digit(body)


def gsrn_is_valid(text: str) -> bool:
    return bool(GSRN.fullmatch(text)) and gs1_check_digit(text[:17]) == text[17]


def solar_noon_h(month: date) -> float:
    """Borlänge's solar noon on the 15th of the month, in hours after midnight normal time
    (UTC+01:00's meridian is 15° E; the equation of time in its usual three-term approximation)."""
    b = 2 * math.pi * (date(month.year, month.month, 15).timetuple().tm_yday - 81) / 364
    equation_of_time_min = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)
    return 12 - (LONGITUDE_E - 15) * 4 / 60 - equation_of_time_min / 60


def month_bounds_utc(month: date) -> tuple[datetime, datetime]:
    """A month in Swedish normal time as naive UTC instants [start, end)."""
    start = datetime(month.year, month.month, 1, tzinfo=NORMAL_TIME)
    following = datetime(
        month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=NORMAL_TIME
    )
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        following.astimezone(UTC).replace(tzinfo=None),
    )


def last_sunday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    day = following - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def dst_hour_utc(month: date) -> datetime | None:
    """The hour a file stamped in local summer time gets wrong: on the last Sunday of March (no
    02:00 local) and of October (02:00 local twice) it is 02:00 normal time, 01:00 UTC."""
    if month.month not in (3, 10):
        return None
    sunday = last_sunday(month.year, month.month)
    return datetime(sunday.year, sunday.month, sunday.day, 1, 0)
