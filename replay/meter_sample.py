"""SYNTHETIC hourly meter values in the meter feed's contract (docs/feeds.md), the one home of the
load shapes: the demo's small sample (`write_sample`) and the full-scale generator
(bench/generate_meters.py) both call `write_month`.

    from replay.meter_sample import write_sample
    write_sample(out_dir, points=300, month="2024-01", seed=14)   # el + fjarrvarme, Parquet

No meter data of Borlänge Energi is public, so every value is invented, labelled synthetic in the
data (column `syntetisk` = true, and the Parquet file's metadata) and shaped by real series:
- outdoor temperature: SMHI's daily mean at Borlänge Flygplats (replay/payloads/meters/, built by
  replay/build_meter_payloads.py), spread over the day with a diurnal curve (±2.5 °C, warmest at
  15:00) because no hourly series exists offline; heating follows the degree-hours below 17 °C;
- daily and weekly rhythm per category (weekday, weekend and Swedish public holidays);
- EV charging: public sites by day and evening, home charging in the evening (a share of villas);
- solar: a few hundred prosumers feed in (riktning = inmatning) following ENTSO-E's hourly solar
  generation of Sweden in 2024 (a share of its highest hour); outside 2024 by the sun's elevation at
  Borlänge (60.48 N, 15.42 E) times a random daily cloudiness;
- district heating of houses and flats: the daily rhythm of a real Danish smart heat meter;
- some estimated values (kvalitet = estimerad) and a few gaps (absent hours).

Category totals match the monthly utility reports the demo loads (replay/payloads/energy/, so
fct_electricity and fct_district_heating_monthly): at full scale (FULL_POINTS) every category's
uttag sums, per month, to the report's value for its flow and category (seeds/
meter_customer_categories.csv); a smaller sample keeps the per-point level, so a category of n
points carries n / N of its full-scale total. Deterministic from the seed: the same arguments
give the same bytes.

Timestamps are Swedish normal time (UTC+01:00 all year, no DST; EIFS 2016:2): `start` is written
`2024-01-01T00:00:00+01:00`, a month is its days × 24 hours.
"""

from __future__ import annotations

import csv
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sources.energy_feed import contract as C
from sources.energy_feed.validate import load_feed_bytes
from sources.meter_feed.contract import gsrn

REPO_ROOT = Path(__file__).resolve().parent.parent
CATEGORIES_SEED = REPO_ROOT / "dbt_project" / "seeds" / "meter_customer_categories.csv"
TEMPERATURE_FILE = REPO_ROOT / "replay" / "payloads" / "meters" / "borlange_daily_temperature.csv"
SOLAR_FILE = REPO_ROOT / "replay" / "payloads" / "meters" / "se_solar_2024.csv"
HEAT_DIURNAL_FILE = REPO_ROOT / "replay" / "payloads" / "meters" / "dk_heat_diurnal.csv"
REPORTS_DIR = REPO_ROOT / "replay" / "payloads" / "energy"
GENERATOR = "replay/meter_sample.py"
NORMAL_TIME = "+01:00"
LATITUDE, LONGITUDE = 60.48, 15.42  # Borlänge
HEATING_BASE_C = 17.0  # degree-hours below this heat the buildings
MIN_PER_CATEGORY = 6  # a sample's category keeps more points than the marts suppress (< 5)
ROW_GROUP_POINTS = 2_000  # points per Parquet row group / CSV batch: bounds memory
NETWORK_AREAS = ("BLE01", "BLE02")  # SYNTHETIC network-area ids: the town and the countryside

# Points per category at full scale: ~30 000 electricity points, ~7 000 district-heating customers.
FULL_POINTS = {
    "el": {
        "hushall_lagenhet": 15_500,
        "hushall_villa": 6_200,
        "hushall_villa_elvarme": 4_400,
        "smaforetag": 3_100,
        "storre_foretag": 470,
        "laddning": 330,
    },
    "fjarrvarme": {
        "fjv_smahus": 5_200,
        "fjv_flerbostadshus": 1_050,
        "fjv_lokaler": 650,
        "fjv_industri": 100,
    },
}
PROSUMERS = {"hushall_villa": 250, "hushall_villa_elvarme": 150}  # full scale; "a few hundred"
HOME_EV_SHARE = {"hushall_villa": 0.35, "hushall_villa_elvarme": 0.2}

# Hour-of-day rhythms in normal time (relative; 24 values).
RESIDENTIAL = {
    "weekday": [
        0.55,
        0.5,
        0.48,
        0.47,
        0.48,
        0.6,
        0.9,
        1.15,
        1.0,
        0.85,
        0.8,
        0.8,
        0.85,
        0.8,
        0.8,
        0.9,
        1.1,
        1.4,
        1.55,
        1.5,
        1.4,
        1.2,
        0.95,
        0.7,
    ],
    "weekend": [
        0.6,
        0.55,
        0.5,
        0.48,
        0.47,
        0.5,
        0.6,
        0.75,
        0.95,
        1.1,
        1.15,
        1.15,
        1.1,
        1.05,
        1.0,
        1.0,
        1.15,
        1.4,
        1.5,
        1.45,
        1.35,
        1.2,
        0.95,
        0.72,
    ],
}
BUSINESS = {
    "weekday": [0.35] * 6
    + [
        0.6,
        0.9,
        1.5,
        1.7,
        1.75,
        1.75,
        1.7,
        1.7,
        1.7,
        1.6,
        1.4,
        1.0,
        0.7,
        0.55,
        0.45,
        0.4,
        0.38,
        0.36,
    ],
    "weekend": [0.35] * 8
    + [0.45, 0.55, 0.6, 0.6, 0.6, 0.6, 0.55, 0.5, 0.45, 0.4, 0.38, 0.37, 0.36, 0.35, 0.35, 0.35],
}
INDUSTRY = {
    "weekday": [0.65] * 6
    + [
        0.9,
        1.2,
        1.3,
        1.3,
        1.3,
        1.3,
        1.25,
        1.3,
        1.3,
        1.3,
        1.25,
        1.2,
        1.15,
        1.1,
        1.05,
        0.95,
        0.75,
        0.68,
    ],
    "weekend": [0.7] * 24,
}


def _heat_rhythm() -> dict:
    """The Danish heat meter's mean hour-of-day profile (replay/payloads/meters/)."""
    with HEAT_DIURNAL_FILE.open(encoding="utf-8") as handle:
        values = [float(line.split(";")[1]) for line in handle if line[0].isdigit()]
    return {"weekday": values, "weekend": values}


HEAT = _heat_rhythm()
# Probability that a charger charges in the hour (public sites; home chargers of EV owners).
PUBLIC_CHARGING = [
    0.02,
    0.015,
    0.01,
    0.01,
    0.01,
    0.015,
    0.03,
    0.07,
    0.11,
    0.12,
    0.12,
    0.13,
    0.14,
    0.13,
    0.13,
    0.14,
    0.16,
    0.17,
    0.16,
    0.13,
    0.1,
    0.07,
    0.05,
    0.03,
]
HOME_CHARGING = [
    0.05,
    0.03,
    0.02,
    0.01,
    0.01,
    0.01,
    0.01,
    0.01,
    0.005,
    0.005,
    0.005,
    0.005,
    0.005,
    0.005,
    0.005,
    0.01,
    0.03,
    0.08,
    0.14,
    0.16,
    0.15,
    0.12,
    0.09,
    0.07,
]


@dataclass(frozen=True)
class Shape:
    """kW of one point in an hour = level × (base × rhythm + heating × degree-hours) × noise,
    plus charging; then the category is scaled to its report total."""

    rhythm: dict
    base_kw: float
    heating_kw_per_k: float
    level_sigma: float  # spread of the points' levels (lognormal)
    noise_sigma: float  # hour-to-hour noise (lognormal)


SHAPES = {
    "hushall_lagenhet": Shape(RESIDENTIAL, 0.22, 0.004, 0.4, 0.35),
    "hushall_villa": Shape(RESIDENTIAL, 0.45, 0.035, 0.4, 0.35),
    "hushall_villa_elvarme": Shape(RESIDENTIAL, 0.5, 0.14, 0.35, 0.3),
    "smaforetag": Shape(BUSINESS, 3.0, 0.08, 0.6, 0.2),
    "storre_foretag": Shape(INDUSTRY, 55.0, 0.4, 0.8, 0.12),
    "laddning": Shape(RESIDENTIAL, 0.0, 0.0, 0.3, 0.0),  # charging only (below)
    "fjv_smahus": Shape(HEAT, 0.35, 0.16, 0.3, 0.25),
    "fjv_flerbostadshus": Shape(HEAT, 3.0, 1.3, 0.5, 0.15),
    "fjv_lokaler": Shape(BUSINESS, 4.0, 2.5, 0.6, 0.15),
    "fjv_industri": Shape(INDUSTRY, 20.0, 8.0, 0.8, 0.12),
}


@dataclass(frozen=True)
class Category:
    kundkategori: str
    medium: str
    has_production: bool
    max_kw_per_point: float
    report_flow: str
    report_category: str


def categories(seed_path: Path = CATEGORIES_SEED) -> dict[str, Category]:
    """The seed of the utility's categories (dbt_project/seeds/meter_customer_categories.csv)."""
    with seed_path.open(encoding="utf-8", newline="") as handle:
        return {
            row["kundkategori"]: Category(
                row["kundkategori"],
                row["medium"],
                row["has_production"] == "true",
                float(row["max_kw_per_point"]),
                row["report_flow"],
                row["report_category"],
            )
            for row in csv.DictReader(handle)
        }


# --------------------------------------------------------------------------- calendar and weather


def month_hours(month: str) -> list[datetime]:
    """The hours of a month in Swedish normal time (naive, UTC+01:00)."""
    first = datetime.strptime(month, "%Y-%m")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [
        first + timedelta(hours=h) for h in range(int((following - first) / timedelta(hours=1)))
    ]


def easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> set[date]:
    """Swedish public holidays and the eves most workplaces close (midsummer, Christmas)."""
    e = easter(year)
    midsummer_eve = next(date(year, 6, d) for d in range(19, 26) if date(year, 6, d).weekday() == 4)
    return {
        date(year, 1, 1),
        date(year, 1, 6),
        e - timedelta(days=2),
        e + timedelta(days=1),
        date(year, 5, 1),
        e + timedelta(days=39),
        date(year, 6, 6),
        midsummer_eve,
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    }


def daily_temperature(path: Path = TEMPERATURE_FILE) -> dict[date, float]:
    values = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(("#", "date")):
                continue
            day, temp, _ = line.rstrip("\n").split(";")
            values[date.fromisoformat(day)] = float(temp)
    return values


@dataclass(frozen=True)
class Hours:
    """One month's hours and the series every category shares."""

    month: str
    local: list[datetime]
    is_weekend: np.ndarray  # weekend or public holiday
    hour_of_day: np.ndarray
    temperature: np.ndarray  # °C, the day's mean with the diurnal curve
    degree_hours: np.ndarray  # max(0, 17 - T)
    sun: np.ndarray  # clear-sky output per kWp (0..~0.85)
    day_index: np.ndarray

    @classmethod
    def of(cls, month: str, seed: int) -> Hours:
        local = month_hours(month)
        days = daily_temperature()
        year = local[0].year
        free = holidays(year)
        missing = sorted({t.date() for t in local} - set(days))
        if missing:
            raise ValueError(
                f"no Borlänge temperature for {missing[0]} (the bundled series covers "
                f"{min(days)}–{max(days)})"
            )
        hour_of_day = np.array([t.hour for t in local])
        temperature = np.array([days[t.date()] for t in local]) + 2.5 * np.cos(
            2 * np.pi * (hour_of_day - 15) / 24
        )
        is_weekend = np.array([t.weekday() >= 5 or t.date() in free for t in local])
        day_index = np.array([t.day - 1 for t in local])
        solar = solar_shares()
        if all(t in solar for t in local):
            sun = 0.8 * np.array(
                [solar[t] for t in local]
            )  # the best hour of the year: 0.8 kW per kWp
        else:
            clouds = np.random.default_rng([seed, year, int(month[5:]), 99]).beta(
                2.0, 1.5, size=day_index.max() + 1
            )
            sun = clear_sky(local) * (0.25 + 0.75 * clouds[day_index])
        return cls(
            month,
            local,
            is_weekend,
            hour_of_day,
            temperature,
            np.maximum(0.0, HEATING_BASE_C - temperature),
            sun,
            day_index,
        )

    def rhythm(self, profile: dict) -> np.ndarray:
        weekday, weekend = np.array(profile["weekday"]), np.array(profile["weekend"])
        return np.where(self.is_weekend, weekend[self.hour_of_day], weekday[self.hour_of_day])

    def starts(self) -> list[str]:
        return [f"{t:%Y-%m-%dT%H:%M:%S}{NORMAL_TIME}" for t in self.local]


def solar_shares(path: Path = SOLAR_FILE) -> dict[datetime, float]:
    """Sweden's solar generation per normal-time hour as a share of its highest hour (2024)."""
    with path.open(encoding="utf-8") as handle:
        return {
            datetime.strptime(line[:16], "%Y-%m-%dT%H:%M"): float(line.split(";")[1])
            for line in handle
            if line[:2] == "20"
        }


def clear_sky(local: list[datetime]) -> np.ndarray:
    """Output per kWp of a panel by the sun's elevation at Borlänge, mid-hour (a simple model)."""
    utc_mid = np.array(
        [(t - datetime(t.year, 1, 1)).total_seconds() / 3600 - 1 + 0.5 for t in local]
    )
    day_of_year = utc_mid / 24
    declination = np.radians(23.44) * np.sin(2 * np.pi * (day_of_year - 80) / 365.25)
    hour_angle = np.radians(15 * ((utc_mid % 24) + LONGITUDE / 15 - 12))
    lat = np.radians(LATITUDE)
    sin_elevation = np.sin(lat) * np.sin(declination) + np.cos(lat) * np.cos(declination) * np.cos(
        hour_angle
    )
    return 0.85 * np.clip(sin_elevation, 0, None) ** 1.2


# --------------------------------------------------------------------------- report totals


def report_totals(month: str, reports_dir: Path = REPORTS_DIR) -> dict[tuple[str, str], float]:
    """(report flow, category) -> kWh of the month in the utility's report the demo loads."""
    matches = sorted(reports_dir.glob(f"*{month}*.csv"))
    if not matches:
        raise ValueError(
            f"no monthly utility report for {month} in {reports_dir} (the bundled reports are 2024)"
        )
    totals: dict[tuple[str, str], float] = {}
    for path in matches:
        feed = load_feed_bytes(path.name, path.read_bytes())
        if not feed.ok:
            raise ValueError(f"{path.name} is not a valid report")
        flows = {
            C.ELECTRICITY_DISTRIBUTION: "distributed",
            C.PUBLIC_CHARGING: "public_charging",
            C.DELIVERY: "delivery",
        }
        for row in feed.frame.iter_rows(named=True):
            if row["measure"] in flows and row["month"].strftime("%Y-%m") == month:
                factor = 1000.0 if row["unit"] == C.MWH else 1.0
                key = (flows[row["measure"]], row["category"] or "")
                totals[key] = totals.get(key, 0.0) + row["value"] * factor
    return totals


# --------------------------------------------------------------------------- points


def allocate(points: int, medium: str) -> dict[str, int]:
    """Points per category for a sample of `points`: proportional to full scale, at least
    MIN_PER_CATEGORY each, largest remainders first; the full count gives the full scale."""
    full = FULL_POINTS[medium]
    total = sum(full.values())
    if points == total:
        return dict(full)
    if points < MIN_PER_CATEGORY * len(full):
        raise ValueError(
            f"at least {MIN_PER_CATEGORY * len(full)} {medium} points ({MIN_PER_CATEGORY} per "
            "category)"
        )
    exact = {k: max(MIN_PER_CATEGORY, points * n / total) for k, n in full.items()}
    counts = {k: int(v) for k, v in exact.items()}
    order = sorted(full, key=lambda k: exact[k] - counts[k], reverse=True)
    i = 0
    while sum(counts.values()) != points:
        k = order[i % len(order)]
        step = 1 if sum(counts.values()) < points else -1
        if step > 0 or counts[k] > MIN_PER_CATEGORY:
            counts[k] += step
        i += 1
    return counts


@dataclass
class Points:
    """The points of one category: fixed across months (ids, levels, EV, solar)."""

    ids: np.ndarray
    area: np.ndarray  # index into NETWORK_AREAS
    level: np.ndarray  # mean 1
    charger_kw: np.ndarray  # 0 without a charger
    solar_kwp: np.ndarray  # 0 without panels

    @classmethod
    def of(
        cls, seed: int, medium: str, kundkategori: str, first_index: int, n: int, full_n: int
    ) -> Points:
        rng = np.random.default_rng([seed, _code(medium), _code(kundkategori)])
        offset = 0 if medium == "el" else 1_000_000
        serials = (
            (np.arange(first_index, first_index + n, dtype=np.int64) + offset) * 7919
            + 104_729
            + seed
        )
        ids = np.array([gsrn(int(s) % 10**11) for s in serials])
        shape = SHAPES[kundkategori]
        level = rng.lognormal(0.0, shape.level_sigma, n) if shape.level_sigma else np.ones(n)
        level /= level.mean()
        area = (rng.random(n) < 0.25).astype(np.int32)
        charger = np.zeros(n)
        if kundkategori == "laddning":
            charger = rng.uniform(11.0, 22.0, n)
        elif kundkategori in HOME_EV_SHARE:
            has_ev = rng.random(n) < HOME_EV_SHARE[kundkategori]
            charger = np.where(has_ev, rng.choice([3.7, 7.4, 11.0], n), 0.0)
        solar = np.zeros(n)
        if kundkategori in PROSUMERS:
            count = min(n, max(MIN_PER_CATEGORY, round(PROSUMERS[kundkategori] * n / full_n)))
            chosen = rng.choice(n, size=count, replace=False)
            solar[chosen] = rng.uniform(4.0, 12.0, count)
        return cls(ids, area, level, charger, solar)


def _code(text: str) -> int:
    return int.from_bytes(text.encode(), "little") % (2**31)


# --------------------------------------------------------------------------- one month


def category_kw(
    kundkategori: str, points: Points, hours: Hours, rng: np.random.Generator
) -> np.ndarray:
    """Unscaled kW (= kWh in the hour) per point (rows) and hour (columns)."""
    shape = SHAPES[kundkategori]
    n, h = len(points.level), len(hours.local)
    base = shape.base_kw * hours.rhythm(shape.rhythm) + shape.heating_kw_per_k * hours.degree_hours
    kw = points.level[:, None] * base[None, :]
    if shape.noise_sigma:
        kw *= rng.lognormal(-(shape.noise_sigma**2) / 2, shape.noise_sigma, (n, h))
    if points.charger_kw.any():
        profile = np.array(PUBLIC_CHARGING if kundkategori == "laddning" else HOME_CHARGING)[
            hours.hour_of_day
        ]
        if kundkategori == "laddning":
            profile = profile * np.where(hours.is_weekend, 0.8, 1.0)
        charging = rng.random((n, h)) < profile[None, :]
        kw += (
            charging
            * points.charger_kw[:, None]
            * rng.uniform(0.3, 1.0, (n, h))
            * points.level[:, None]
        )
    return kw


def category_kwh(
    kundkategori: str,
    points: Points,
    hours: Hours,
    rng: np.random.Generator,
    target_kwh: float,
    cats: dict[str, Category],
) -> np.ndarray:
    """kWh per point and hour: the shapes scaled to the category's total, whole Wh.

    A connection's fuse caps its draw, and the validator refuses more than the category's
    max_kw_per_point. The levels are lognormal, unbounded: one seed's rare draw (a level 8.6 times
    the mean, drawn once 1 240 villas are sampled, so at 6 000 points and up) with a home charger,
    which follows the level, drew 79 kW on a 50 kW connection. Capping at the connection keeps
    every sample as it was (no other value reaches the cap) and makes every scale valid."""
    kw = category_kw(kundkategori, points, hours, rng)
    kw *= target_kwh / kw.sum()
    np.minimum(kw, cats[kundkategori].max_kw_per_point, out=kw)
    return np.round(kw, 3)


def expected_kwh(kundkategori: str, hours: Hours) -> float:
    """A category's mean unscaled energy per point in the month: its share of a report category."""
    shape = SHAPES[kundkategori]
    base = shape.base_kw * hours.rhythm(shape.rhythm) + shape.heating_kw_per_k * hours.degree_hours
    energy = float(base.sum())
    profile = np.array(PUBLIC_CHARGING if kundkategori == "laddning" else HOME_CHARGING)[
        hours.hour_of_day
    ]
    if kundkategori == "laddning":
        energy += float((profile * np.where(hours.is_weekend, 0.8, 1.0)).sum()) * 16.5 * 0.65
    elif kundkategori in HOME_EV_SHARE:
        energy += float(profile.sum()) * HOME_EV_SHARE[kundkategori] * 7.4 * 0.65
    return energy


def category_targets(
    medium: str, month: str, hours: Hours, counts: dict[str, int], cats: dict[str, Category]
) -> dict[str, float]:
    """kWh of each category's uttag in the month: its report category's total, split between the
    categories sharing it by their full-scale expected energy, times the sample's share of
    points."""
    totals = report_totals(month)
    full = FULL_POINTS[medium]
    weight = {k: full[k] * expected_kwh(k, hours) for k in full}
    targets = {}
    for k in full:
        key = (cats[k].report_flow, cats[k].report_category)
        if key not in totals:
            raise ValueError(f"the report for {month} has no {key[0]} {key[1]!r} for category {k}")
        group = sum(
            w for j, w in weight.items() if (cats[j].report_flow, cats[j].report_category) == key
        )
        targets[k] = totals[key] * weight[k] / group * counts[k] / full[k]
    return targets


@dataclass
class MonthResult:
    path: Path
    rows: int
    bytes: int
    seconds: float
    kwh_by_category: dict[str, float] = field(default_factory=dict)  # uttag, as written


SCHEMA = pa.schema(
    [
        ("matpunkt", pa.string()),
        ("medium", pa.string()),
        ("riktning", pa.string()),
        ("natomrade", pa.string()),
        ("kundkategori", pa.string()),
        ("start", pa.string()),
        ("upplosning", pa.string()),
        ("kwh", pa.float64()),
        ("kvalitet", pa.string()),
        ("syntetisk", pa.bool_()),
    ]
)


def write_month(
    out_dir: Path,
    month: str,
    *,
    medium: str = "el",
    points: int | None = None,
    seed: int = 14,
    fmt: str = "parquet",
    gaps: int = 3,
    estimated_share: float = 0.003,
) -> MonthResult:
    """One month of one medium as one file: meters_<medium>_<month>.parquet or .csv.gz."""
    started = time.perf_counter()
    cats = categories()
    full = FULL_POINTS[medium]
    counts = allocate(points if points is not None else sum(full.values()), medium)
    hours = Hours.of(month, seed)
    starts = pa.array(hours.starts())
    targets = category_targets(medium, month, hours, counts, cats)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".parquet" if fmt == "parquet" else ".csv.gz"
    path = out_dir / f"meters_{medium}_{month}{suffix}"
    tmp = path.with_name("." + path.name + ".part")
    metadata = {
        "syntetisk": "true",
        "generator": GENERATOR,
        "seed": str(seed),
        "month": month,
        "medium": medium,
        "points": str(sum(counts.values())),
        "note": "SYNTHETIC meter values, not Borlänge Energi's; shaped by SMHI's Borlänge "
        "temperature (CC BY 4.0)",
    }
    schema = SCHEMA.with_metadata(metadata)
    writer = _Writer(tmp, schema, fmt)
    rows, written = 0, {}
    first_index = 0
    try:
        for ci, kundkategori in enumerate(full):
            n = counts[kundkategori]
            pts = Points.of(seed, medium, kundkategori, first_index, n, full[kundkategori])
            first_index += n
            rng = np.random.default_rng([seed, _code(month), ci])
            kwh = category_kwh(kundkategori, pts, hours, rng, targets[kundkategori], cats)
            quality = _quality(rng, n, len(hours.local), estimated_share, kwh)
            keep = _gaps(rng, n, len(hours.local), gaps if n >= 50 else 0)
            written[kundkategori] = float(kwh[keep].sum())
            production = None
            if pts.solar_kwp.any():
                production = np.round(
                    0.7
                    * pts.solar_kwp[:, None]
                    * hours.sun[None, :]
                    * rng.lognormal(-0.02, 0.2, kwh.shape),
                    3,
                )
            for a in range(0, n, ROW_GROUP_POINTS):
                b = min(n, a + ROW_GROUP_POINTS)
                table = _table(
                    pts,
                    a,
                    b,
                    medium,
                    kundkategori,
                    starts,
                    "uttag",
                    kwh[a:b],
                    quality[a:b],
                    keep[a:b],
                )
                if production is not None:
                    producing = np.flatnonzero(pts.solar_kwp[a:b] > 0)
                    if producing.size:
                        sel = a + producing
                        table = pa.concat_tables(
                            [
                                table,
                                _table(
                                    pts,
                                    sel,
                                    None,
                                    medium,
                                    kundkategori,
                                    starts,
                                    "inmatning",
                                    production[sel],
                                    np.zeros((sel.size, len(starts)), np.int8),
                                    np.ones((sel.size, len(starts)), bool),
                                ),
                            ]
                        )
                writer.write(table)
                rows += table.num_rows
        writer.close()
        tmp.replace(path)
    finally:
        writer.close()
        tmp.unlink(missing_ok=True)
    return MonthResult(path, rows, path.stat().st_size, time.perf_counter() - started, written)


QUALITY = np.array(["uppmatt", "estimerad", "korrigerad", "saknas"])


def _quality(rng: np.random.Generator, n: int, h: int, share: float, kwh: np.ndarray) -> np.ndarray:
    """kvalitet codes (index into QUALITY): blocks of 24–72 estimated hours on a few points, the
    values there flattened to the point's mean over the block (as an estimate looks)."""
    quality = np.zeros((n, h), np.int8)
    blocks = rng.binomial(n, min(1.0, share * h / 48))
    for point in rng.choice(n, size=min(n, blocks), replace=False) if blocks else []:
        length = int(rng.integers(24, 73))
        start = int(rng.integers(0, max(1, h - length)))
        quality[point, start : start + length] = 1
        kwh[point, start : start + length] = round(
            float(kwh[point, start : start + length].mean()), 3
        )
    return quality


def _gaps(rng: np.random.Generator, n: int, h: int, gaps: int) -> np.ndarray:
    """True where a row is written: `gaps` points miss 2–6 consecutive hours."""
    keep = np.ones((n, h), bool)
    for point in rng.choice(n, size=min(n, gaps), replace=False) if gaps else []:
        length = int(rng.integers(2, 7))
        start = int(rng.integers(1, h - length - 1))
        keep[point, start : start + length] = False
    return keep


def _dictionary(indices: np.ndarray, values) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), values)


def _table(
    pts: Points,
    a,
    b,
    medium: str,
    kundkategori: str,
    starts: pa.Array,
    riktning: str,
    kwh: np.ndarray,
    quality: np.ndarray,
    keep: np.ndarray,
) -> pa.Table:
    """Rows (point-major) of points a:b (or the index array a) as the contract's columns."""
    index = np.arange(a, b) if b is not None else np.asarray(a)
    n, h = index.size, len(starts)
    mask = keep.ravel()
    point_idx = np.repeat(np.arange(n, dtype=np.int32), h)[mask]
    hour_idx = np.tile(np.arange(h, dtype=np.int32), n)[mask]
    rows = point_idx.size
    return pa.table(
        {
            "matpunkt": _dictionary(point_idx, pa.array(pts.ids[index])),
            "medium": _dictionary(np.zeros(rows, np.int32), pa.array([medium])),
            "riktning": _dictionary(np.zeros(rows, np.int32), pa.array([riktning])),
            "natomrade": _dictionary(pts.area[index][point_idx], pa.array(NETWORK_AREAS)),
            "kundkategori": _dictionary(np.zeros(rows, np.int32), pa.array([kundkategori])),
            "start": _dictionary(hour_idx, starts),
            "upplosning": _dictionary(np.zeros(rows, np.int32), pa.array(["PT1H"])),
            "kwh": pa.array(kwh.ravel()[mask]),
            "kvalitet": _dictionary(quality.ravel()[mask].astype(np.int32), pa.array(QUALITY)),
            "syntetisk": pa.array(np.ones(rows, bool)),
        }
    )


class _Writer:
    """Parquet (a row group per batch) or gzipped CSV (`;`, decimal comma, UTF-8, a header line)."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        if fmt not in ("parquet", "csv.gz"):
            raise ValueError(f"format must be parquet or csv.gz, not {fmt!r}")
        self.fmt, self.schema, self.closed = fmt, schema, False
        if fmt == "parquet":
            self.parquet = pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=True)
        else:  # zlib at level 6: Arrow's gzip stream compresses several times slower
            self.file = open(path, "wb")
            self.gzip = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: a gzip member, mtime 0
            self.header = True

    def write(self, table: pa.Table) -> None:
        if self.fmt == "parquet":
            self.parquet.write_table(_plain(table, self.schema), row_group_size=table.num_rows)
            return
        milli = pc.cast(pc.round(pc.multiply(table["kwh"], 1000.0)), pa.int64())
        whole = pc.cast(pc.divide(milli, 1000), pa.string())
        fraction = pc.utf8_lpad(
            pc.cast(pc.subtract(milli, pc.multiply(pc.divide(milli, 1000), 1000)), pa.string()),
            3,
            "0",
        )
        columns = {name: pc.cast(table[name], pa.string()) for name in table.column_names}
        columns["kwh"] = pc.binary_join_element_wise(whole, fraction, ",")
        columns["syntetisk"] = pc.if_else(table["syntetisk"], "true", "false")
        if self.header:  # Arrow would quote the names
            self.file.write(
                self.gzip.compress((";".join(table.column_names) + "\n").encode("utf-8"))
            )
            self.header = False
        buffer = pa.BufferOutputStream()
        pacsv.write_csv(
            pa.table(columns),
            buffer,
            pacsv.WriteOptions(delimiter=";", quoting_style="none", include_header=False),
        )
        self.file.write(self.gzip.compress(buffer.getvalue()))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.fmt == "parquet":
            self.parquet.close()
        else:
            self.file.write(self.gzip.flush())
            self.file.close()


def _plain(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The dictionary columns as the schema's strings (Parquet dictionary-encodes them again)."""
    return pa.table([pc.cast(table[f.name], f.type) for f in schema], schema=schema)


def write_sample(
    out_dir: Path,
    points: int = 300,
    month: str = "2024-01",
    seed: int = 14,
    *,
    media: tuple[str, ...] = ("el", "fjarrvarme"),
    fmt: str = "parquet",
) -> list[MonthResult]:
    """The demo's small SYNTHETIC sample: `points` electricity points and proportionally fewer
    district-heating customers (at least 24), one month, one file per medium."""
    results = []
    for medium in media:
        n = (
            points
            if medium == "el"
            else max(
                MIN_PER_CATEGORY * len(FULL_POINTS[medium]),
                round(
                    points
                    * sum(FULL_POINTS["fjarrvarme"].values())
                    / sum(FULL_POINTS["el"].values())
                ),
            )
        )
        results.append(
            write_month(
                out_dir,
                month,
                medium=medium,
                points=n,
                seed=seed,
                fmt=fmt,
                gaps=1 if n >= 50 else 0,
            )
        )
    return results


def months_of(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]
