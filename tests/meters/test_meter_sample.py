"""The synthetic meter generator (replay/meter_sample.py, issue 14) on small samples: the feed
contract's columns, GSRNs with a valid GS1 check digit, labelled synthetic, deterministic,
Swedish normal time, category totals that scale to the monthly utility reports (read here with the
csv module), shapes that follow the temperature, the evening and the sun."""

from __future__ import annotations

import csv
import math

import duckdb
import pyarrow.parquet as pq
import pytest

from replay.meter_sample import FULL_POINTS, write_month, write_sample
from tests.helpers import REPO

SEED_CSV = REPO / "dbt_project" / "seeds" / "meter_customer_categories.csv"
CONTRACT = [
    "matpunkt",
    "medium",
    "riktning",
    "natomrade",
    "kundkategori",
    "start",
    "upplosning",
    "kwh",
    "kvalitet",
]
REPORT_COLUMNS = {
    ("distributed", "households"): "Eldistribution hushåll",
    ("distributed", "services"): "Eldistribution service",
    ("distributed", "industry"): "Eldistribution industri",
    ("public_charging", ""): "Publik laddning",
    ("delivery", "single_family"): "Leverans småhus",
    ("delivery", "multi_family"): "Leverans flerbostadshus",
    ("delivery", "commercial_public"): "Leverans lokaler",
    ("delivery", "industry"): "Leverans industri",
}


@pytest.fixture(scope="module")
def january(tmp_path_factory):
    out = tmp_path_factory.mktemp("meters")
    results = write_sample(out, points=300, month="2024-01", seed=14)
    return {r.path.name: r for r in results}, out


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    out = tmp_path_factory.mktemp("meters_june")
    return write_month(out, "2024-06", medium="el", points=300, seed=14, gaps=0)


def seed_rows() -> dict[str, dict]:
    with SEED_CSV.open(encoding="utf-8") as handle:
        return {r["kundkategori"]: r for r in csv.DictReader(handle)}


def report_kwh(month: str) -> dict[tuple[str, str], float]:
    """The month's report as the utility sent it: Windows-1252, `;`, decimal comma, MWh."""
    path = REPO / "replay" / "payloads" / "energy" / f"borlange_energi_{month}.csv"
    lines = [
        line
        for line in path.read_text(encoding="cp1252").splitlines()
        if line and not line.startswith("#")
    ]
    header = next(i for i, line in enumerate(lines) if line.startswith("Nät;"))
    rows = list(csv.DictReader(lines[header:], delimiter=";"))
    return {
        key: 1000 * sum(float(r[column].replace(",", ".")) for r in rows)
        for key, column in REPORT_COLUMNS.items()
    }


def gs1_check_digit_is_valid(key: str) -> bool:
    """GS1 mod 10 for an 18-digit key, written from the left: odd positions weigh 3, even 1."""
    digits = [int(d) for d in key]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:17]))
    return (total + digits[17]) % 10 == 0


def test_the_files_have_the_contract_columns_and_say_synthetic(january):
    results, out = january
    assert sorted(results) == ["meters_el_2024-01.parquet", "meters_fjarrvarme_2024-01.parquet"]
    parquet = pq.ParquetFile(out / "meters_el_2024-01.parquet")
    assert parquet.schema_arrow.names == CONTRACT + ["syntetisk"]
    assert parquet.schema_arrow.metadata[b"syntetisk"] == b"true"
    with duckdb.connect() as con:
        row = con.execute(f"""
            select count(*), bool_and(syntetisk), count(distinct matpunkt), min(length(matpunkt)),
                max(length(matpunkt)),
                   bool_and(starts_with(matpunkt, '735999')), bool_and(ends_with(start, '+01:00')),
                   list(distinct upplosning), list(distinct medium)
            from '{out}/meters_el_2024-01.parquet'""").fetchone()
        ids = [
            r[0] for r in con.execute(f"select distinct matpunkt from '{out}/*.parquet'").fetchall()
        ]
    assert row[:8] == (
        results["meters_el_2024-01.parquet"].rows,
        True,
        300,
        18,
        18,
        True,
        True,
        ["PT1H"],
    )
    assert row[8] == ["el"]
    district_heating = round(
        300 * sum(FULL_POINTS["fjarrvarme"].values()) / sum(FULL_POINTS["el"].values())
    )
    assert len(ids) == 300 + district_heating  # ids never repeat across the media
    assert all(gs1_check_digit_is_valid(i) for i in ids)


def test_every_normal_time_day_has_24_hours_without_duplicates_except_the_gaps(january):
    _, out = january
    with duckdb.connect() as con:
        duplicates = con.execute(f"""select count(*) from (select matpunkt, riktning, start,
            count(*) n
                                     from '{out}/*.parquet' group by all having n >
                                         1)""").fetchone()[0]
        short = con.execute(f"""
            select kundkategori, matpunkt, 24 * 31 - count(*) from '{out}/meters_el_2024-01.parquet'
            where riktning = 'uttag' group by all having count(*) <> 24 * 31""").fetchall()
        large = con.execute(f"""select count(*) from (select kundkategori from
            '{out}/meters_el_2024-01.parquet'
                                group by 1 having count(distinct matpunkt) >= 50)""").fetchone()[0]
        hours = con.execute(
            f"select count(distinct start) from '{out}/meters_el_2024-01.parquet'"
        ).fetchone()[0]
    assert duplicates == 0
    assert hours == 31 * 24
    # write_sample leaves one gap of 2-6 hours in each category of 50 points or more.
    assert len({category for category, *_ in short}) == len(short) == large == 2
    assert all(2 <= missing <= 6 for *_, missing in short)


def test_category_totals_scale_to_the_monthly_report(january):
    _, out = january
    report = report_kwh("2024-01")
    seed = seed_rows()
    with duckdb.connect() as con:
        per_category = con.execute(f"""select kundkategori, count(distinct matpunkt), sum(kwh) from
            '{out}/*.parquet'
                                       where riktning = 'uttag' group by all""").fetchall()
    scaled: dict[tuple[str, str], float] = {}
    for category, points, kwh in per_category:
        full = {**FULL_POINTS["el"], **FULL_POINTS["fjarrvarme"]}[category]
        key = (seed[category]["report_flow"], seed[category]["report_category"])
        scaled[key] = scaled.get(key, 0.0) + kwh * full / points
    assert set(scaled) == set(report)
    for key, total in report.items():
        assert scaled[key] == pytest.approx(total, rel=2e-3), (
            key
        )  # the one gap of 2–6 hours per medium


def test_no_value_is_negative_or_above_the_categorys_plausible_power(june):
    seed = seed_rows()
    with duckdb.connect() as con:
        rows = con.execute(
            f"select kundkategori, riktning, min(kwh), max(kwh) from '{june.path}' group by all"
        ).fetchall()
    for category, direction, low, high in rows:
        assert low >= 0 and high <= float(seed[category]["max_kw_per_point"]), (
            category,
            direction,
            high,
        )
        if direction == "inmatning":
            assert seed[category]["has_production"] == "true"
    assert {(c, d) for c, d, *_ in rows if d == "inmatning"} == {
        ("hushall_villa", "inmatning"),
        ("hushall_villa_elvarme", "inmatning"),
    }


def test_solar_feeds_in_by_day_and_charging_peaks_in_the_evening(june):
    with duckdb.connect() as con:
        solar = dict(
            con.execute(f"""select substr(start, 12, 2)::int h, avg(kwh) from '{june.path}'
                                     where riktning = 'inmatning' group by 1""").fetchall()
        )
        villas = dict(
            con.execute(f"""select substr(start, 12, 2)::int h, avg(kwh) from '{june.path}'
                                      where kundkategori = 'hushall_villa' and riktning = 'uttag'
                                          group by 1""").fetchall()
        )
        prosumers = con.execute(f"""select count(distinct matpunkt) from '{june.path}'
                                    where riktning = 'inmatning'""").fetchone()[0]
    assert max(solar, key=solar.get) in (10, 11, 12, 13)  # the sun is south at ~12:00 normal time
    assert solar[1] < 0.01 * solar[12] and solar[12] > 1.0  # June nights in the north are light
    assert sum(villas[h] for h in (18, 19, 20, 21)) > 1.3 * sum(villas[h] for h in (2, 3, 4, 5))
    assert prosumers >= 12


def test_electric_heating_follows_borlanges_temperature(january):
    _, out = january
    temperature_file = REPO / "replay" / "payloads" / "meters" / "borlange_daily_temperature.csv"
    with temperature_file.open(encoding="utf-8") as handle:
        temps = {
            r["date"]: float(r["temp_c"])
            for r in csv.DictReader(
                (line for line in handle if not line.startswith("#")), delimiter=";"
            )
            if r["date"].startswith("2024-01")
        }
    with duckdb.connect() as con:
        daily = dict(
            con.execute(f"""select substr(start, 1, 10), sum(kwh) from
                '{out}/meters_el_2024-01.parquet'
                                     where kundkategori = 'hushall_villa_elvarme' and riktning =
                                         'uttag'
                                     group by 1""").fetchall()
        )
    days = sorted(temps)
    x, y = [temps[d] for d in days], [daily[d] for d in days]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    corr = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / math.sqrt(
        sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)
    )
    assert corr < -0.9


def test_the_same_seed_gives_the_same_bytes_and_the_csv_the_same_values(tmp_path, january):
    results, out = january
    again = write_month(tmp_path, "2024-01", medium="el", points=300, seed=14, gaps=1)
    assert again.path.read_bytes() == (out / "meters_el_2024-01.parquet").read_bytes()
    other = write_month(tmp_path / "other", "2024-01", medium="el", points=300, seed=15, gaps=1)
    assert other.path.read_bytes() != again.path.read_bytes()
    gz = write_month(
        tmp_path / "csv", "2024-01", medium="el", points=300, seed=14, fmt="csv.gz", gaps=1
    )
    with duckdb.connect() as con:
        csv_sum = con.execute(f"""select count(*), sum(kwh) from read_csv('{gz.path}', delim=';',
            decimal_separator=',',
                                  header=true, columns={{'matpunkt': 'VARCHAR', 'medium': 'VARCHAR',
                                      'riktning': 'VARCHAR',
                                  'natomrade': 'VARCHAR', 'kundkategori': 'VARCHAR', 'start':
                                      'VARCHAR',
                                  'upplosning': 'VARCHAR', 'kwh': 'DOUBLE', 'kvalitet': 'VARCHAR',
                                  'syntetisk': 'BOOLEAN'}})""").fetchone()
        parquet_sum = con.execute(f"select count(*), sum(kwh) from '{again.path}'").fetchone()
        estimated = con.execute(
            f"select count(*) from '{again.path}' where kvalitet = 'estimerad'"
        ).fetchone()[0]
    assert csv_sum == (parquet_sum[0], pytest.approx(parquet_sum[1]))
    assert 0 < estimated < 0.02 * parquet_sum[0]


HOURLY = REPO.parent / "shared" / "data" / "hourly"


@pytest.mark.skipif(
    not (HOURLY / "temperature").exists(), reason="../shared/data/hourly is not beside the repo"
)
def test_the_real_series_rebuild_byte_for_byte_from_the_shared_files(tmp_path):
    from replay import build_meter_payloads

    committed = REPO / "replay" / "payloads" / "meters"
    built = build_meter_payloads.build(HOURLY, tmp_path)
    assert sorted(p.name for p in built) == sorted(p.name for p in committed.iterdir())
    for path in built:
        assert path.read_bytes() == (committed / path.name).read_bytes(), path.name
