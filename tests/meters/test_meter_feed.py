"""The meter feed's validator, lake and drop on small files (no Dagster run, no dbt): the DST
Sundays, summer-time stamps, exact 15-minute sums, corrections with revisions, idempotent reruns."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main as borlange
from pipelines.defs.meters import loads, partitions
from pipelines.lib.meter_lake import Lake
from pipelines.lib.warehouse import Store
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY, Settings
from sources.meter_feed import contract as C
from sources.meter_feed.validate import pseudonym, validate_file, validate_path
from tests.helpers.meter_files import points, rows, write_csv, write_parquet

KEY = DEMO_METER_PSEUDONYM_KEY.encode()
FLATS = (("hushall_lagenhet", 1.0),)  # no production, at most 25 kW


def small(
    month: date, count: int = 5, *, minutes: int = 60, seed: int = 1, **options
) -> list[dict]:
    pts = points(
        "el", count, seed=seed, quarter_hour_share=1.0 if minutes == 15 else 0.0, mix=FLATS
    )
    return list(rows(month, pts, seed=seed, **options))


def codes(result) -> set[str]:
    return set(result.counts)


@pytest.mark.parametrize("sunday", [date(2025, 3, 30), date(2025, 10, 26)])
def test_dst_sunday_has_24_normal_time_hours_without_duplicate_or_gap(tmp_path, sunday):
    source = write_csv(tmp_path / f"el_{sunday:%Y-%m}.csv", small(sunday.replace(day=1)))
    out = tmp_path / "rows.parquet"
    result = validate_file(source, out_path=out, key=KEY)
    assert result.ok, result.problems
    day_start = datetime(sunday.year, sunday.month, sunday.day) - timedelta(
        hours=1
    )  # 00:00 normal time in UTC
    per_point = duckdb.sql(f"""
        select count(*), count(distinct start_utc), min(start_utc), max(start_utc)
        from read_parquet('{out}')
        where start_utc >= '{day_start}' and start_utc < '{day_start + timedelta(days=1)}'
        group by point_id""").fetchall()
    assert len(per_point) == 5
    assert all(row == (24, 24, day_start, day_start + timedelta(hours=23)) for row in per_point)
    # The whole month: every hour once (31 days, 744 hours), whatever the clocks did.
    assert result.rows == 5 * 744


@pytest.mark.parametrize("month, hours_that_day", [(date(2025, 3, 1), 23), (date(2025, 10, 1), 25)])
def test_a_file_stamped_in_summer_time_is_caught(tmp_path, month, hours_that_day):
    values = small(month, summer_time=True)
    sunday = "2025-03-30" if month.month == 3 else "2025-10-26"
    assert (
        sum(
            1
            for r in values
            if r["start"].startswith(sunday) and r["matpunkt"] == values[0]["matpunkt"]
        )
        == hours_that_day
    )
    result = validate_path(write_csv(tmp_path / "summer.csv", values))
    assert not result.ok
    assert result.counts["summer_time_stamps"] == 5  # each point's 02:00 normal time
    assert "gap" not in result.counts and "duplicate" not in result.counts
    problem = next(p for p in result.problems if p.code == "summer_time_stamps")
    assert (
        problem.value == f"{sunday}T02:00" and problem.column == "start" and problem.row is not None
    )


def test_plus_two_hour_offsets_name_their_instant_and_are_converted(tmp_path):
    values = small(date(2025, 6, 1), count=1)
    for r in values[:3]:  # the same instants, written in summer time with its offset
        moment = datetime.fromisoformat(r["start"]) + timedelta(hours=1)
        r["start"] = moment.strftime("%Y-%m-%dT%H:%M") + "+02:00"
    values[3]["start"] += "+01:00"  # normal time with its offset: nothing to convert
    result = validate_path(write_csv(tmp_path / "offsets.csv", values))
    assert result.ok and result.converted_offsets == {"+02:00": 3}
    assert "3 from +02:00" in result.report()


@pytest.fixture(scope="module")
def sunny_months(tmp_path_factory):
    """The generator's March and June (300 points, a dozen of them with solar panels following
    ENTSO-E's real 2024 solar series), starts with their +01:00."""
    from replay.meter_sample import write_month

    out = tmp_path_factory.mktemp("sunny")
    return {
        month: write_month(out, month, medium="el", points=300, seed=14, gaps=0).path
        for month in ("2024-03", "2024-06")
    }


def restamped(source: Path, target: Path, *, lag_hours: int, offset: str = "") -> Path:
    """The same labels, each value moved `lag_hours` later (the energy of 11:00 labelled 12:00, as a
    meter clock on summer time does), the starts written with `offset` (none: the contract's normal
    time)."""
    duckdb.sql(f"""copy (select * exclude (n) replace (left(start, 16) || '{offset}' as start,
                            coalesce(lag(kwh, {lag_hours}) over w, lead(kwh, {-lag_hours}) over w,
                                     kwh) as kwh)
                         from (select *, row_number() over () as n from read_parquet('{source}'))
                         window w as (partition by matpunkt, riktning order by start) order by n)
                   to '{target}' (format parquet)""")
    return target


@pytest.mark.parametrize("month", ["2024-03", "2024-06"])
def test_production_off_the_solar_clock_is_caught_when_starts_have_no_offset(
    sunny_months, tmp_path, month
):
    """A month wholly in summer has no 23- or 25-hour day: a file stamped in local summer time (or
    in UTC without its Z) shows in when the panels produce. Sweden's 2024 solar centroid lags
    Borlänge's solar noon by 0.05-0.32 h; an hour's shift moves it past the 0.5 h tolerance either
    way."""
    source = sunny_months[month]
    assert validate_path(restamped(source, tmp_path / "plain.parquet", lag_hours=0)).ok
    late = validate_path(restamped(source, tmp_path / "late.parquet", lag_hours=1))
    early = validate_path(restamped(source, tmp_path / "early.parquet", lag_hours=-1))
    assert (
        not late.ok
        and not early.ok
        and late.counts["shifted_peak"] == early.counts["shifted_peak"] == 1
    )
    (late_problem,), (early_problem,) = (
        [p for p in r.problems if p.code == "shifted_peak"] for r in (late, early)
    )
    assert "local summer time" in late_problem.message and "UTC" in early_problem.message

    def first_production(path: Path) -> int:
        return duckdb.sql(f"""select min(n) from (select riktning, kwh, row_number() over () as n
                                                 from read_parquet('{path}'))
                              where riktning = 'inmatning' and kwh > 0""").fetchall()[0][0]

    assert (
        late_problem.row == first_production(tmp_path / "late.parquet")
        and late_problem.column == "start"
    )
    assert early_problem.row == first_production(tmp_path / "early.parquet")
    # The production centroid the problem names, recomputed: an hour apart, around the solar clock.
    late_h, early_h = (
        int(p.value[:2]) + int(p.value[3:]) / 60 for p in (late_problem, early_problem)
    )
    assert late_h - early_h == pytest.approx(2.0, abs=0.05)
    noon = C.solar_noon_h(date.fromisoformat(month + "-01")) + C.SOLAR_CENTROID_LAG_H
    assert late_h - noon > C.SOLAR_SHIFT_TOLERANCE_H and noon - early_h > C.SOLAR_SHIFT_TOLERANCE_H
    # Starts with an explicit +01:00 are not second-guessed (the sender's remedy for a false alarm).
    assert validate_path(
        restamped(source, tmp_path / "explicit.parquet", lag_hours=1, offset="+01:00")
    ).ok


def test_row_problems_name_file_row_and_field(tmp_path):
    values = small(date(2025, 2, 1), count=5)
    values[0]["wh"] = -5  # line 3
    values[10]["riktning"] = "inmatning"  # line 13: flats have no production
    values[20]["wh"] = 30_000  # line 23: 30 kWh in an hour > 25 kW
    values[30] = dict(values[29])  # line 33: a duplicate of line 32
    values[40]["kundkategori"] = "okand"  # line 43
    values[50]["matpunkt"] = "123"  # line 53
    good = values[60]["matpunkt"]  # line 63: one digit off, its check digit now wrong
    values[60]["matpunkt"] = good[:10] + str((int(good[10]) + 1) % 10) + good[11:]
    result = validate_path(write_csv(tmp_path / "bad.csv", values))
    found = {(p.code, p.row, p.column) for p in result.problems}
    assert {
        ("negative_value", 3, "kwh"),
        ("production_not_allowed", 13, "riktning"),
        ("implausible_value", 23, "kwh"),
        ("duplicate", 32, "start"),
        ("unknown_category", 43, "kundkategori"),
        ("invalid_gsrn", 53, "matpunkt"),
        ("gsrn_check_digit", 63, "matpunkt"),
    } <= found
    assert result.counts["gsrn_check_digit"] == sum(
        1 for r in values if r["matpunkt"] == values[60]["matpunkt"]
    )
    assert all(p.file == "bad.csv" for p in result.problems)
    # The GSRN is never echoed: the row names the point.
    assert not any(re.search(r"735999\d{12}", json.dumps(p.to_dict())) for p in result.problems)


def test_gaps_and_mixed_resolutions(tmp_path):
    hourly = small(date(2025, 2, 1), count=5)
    gap_point = hourly[-1]["matpunkt"]
    values = [
        r
        for r in hourly
        if not (
            r["matpunkt"] == gap_point and r["start"] in ("2025-02-10T05:00", "2025-02-10T06:00")
        )
    ]
    quarter = small(date(2025, 2, 1), count=1, minutes=15, seed=1)
    values += [
        r for r in quarter if r["start"] < "2025-02-01T02:00"
    ]  # point 1 of seed 1 again, at 15 minutes
    result = validate_path(write_csv(tmp_path / "gaps.csv", values))
    gap = [p for p in result.problems if p.code == "gap"]
    assert (
        len(gap) == 1 and gap[0].value == "2025-02-10T05:00" and "2 interval(s)" in gap[0].message
    )
    assert result.counts["mixed_resolution"] == 1 and not result.ok
    # A gap alone is reported and the file loads (the marts count the missing intervals).
    only_gaps = validate_path(
        write_csv(
            tmp_path / "only_gaps.csv",
            [
                r
                for r in values
                if r["upplosning"] == "PT1H" and r["matpunkt"] != quarter[0]["matpunkt"]
            ],
        )
    )
    assert only_gaps.ok and only_gaps.counts == {"gap": 1}


def test_quarter_hours_are_exact_wh_that_sum_to_the_hour(tmp_path):
    values = small(date(2025, 2, 1), count=5, minutes=15)
    for i, r in enumerate(values):
        r["wh"] = [333, 333, 334, 1][
            i % 4
        ]  # 0,333 + 0,333 + 0,334 + 0,001 kWh: 1,001 kWh an hour exactly
    source = write_parquet(tmp_path / "quarter.parquet", values)
    out = tmp_path / "rows.parquet"
    assert validate_file(source, out_path=out, key=KEY).ok
    hours = duckdb.sql(f"""select date_trunc('hour', start_utc), sum(wh), count(*)
                           from read_parquet('{out}')
                           group by all""").fetchall()
    assert len(hours) == 5 * 28 * 24 / 5 and {(s, n) for _, s, n in hours} == {(5 * 1001, 20)}
    # The same with Python's Decimal from the file's text: 1,001 kWh per point and hour.
    assert sum(Decimal(r["wh"]) / 1000 for r in values[:4]) == Decimal("1.001")


def test_pseudonyms_are_keyed_hmacs(tmp_path):
    values = small(date(2025, 2, 1), count=5)
    out = tmp_path / "rows.parquet"
    validate_file(write_csv(tmp_path / "p.csv", values), out_path=out, key=KEY)
    ids = {
        r[0] for r in duckdb.sql(f"select distinct point_id from read_parquet('{out}')").fetchall()
    }
    gsrns = {r["matpunkt"] for r in values}
    assert ids == {hashlib.new("sha256") and pseudonym(KEY, g) for g in gsrns}
    assert ids.isdisjoint(gsrns) and ids != {pseudonym(b"another key", g) for g in gsrns}
    assert not any(g in out.read_bytes().decode("latin-1") for g in gsrns)


@pytest.fixture
def meter_settings(tmp_path) -> Settings:
    return Settings.from_env(
        {
            "WAREHOUSE_PATH": str(tmp_path / "wh" / "borlange.duckdb"),
            "LANDING_DIR": str(tmp_path / "wh" / "landing"),
            "INBOX_DIR": str(tmp_path / "inbox"),
            "INBOX_SETTLE_SECONDS": "0",
            "METER_LAKE_ROOT": str(tmp_path / "lake"),
            "METER_PSEUDONYM_KEY": DEMO_METER_PSEUDONYM_KEY,
        }
    )


def store_of(settings: Settings) -> Store:
    return Store(settings.warehouse.path, settings.warehouse.landing_dir)


def drop_meter_file(settings: Settings, name: str, values) -> loads.DropReport:
    folder = settings.inboxes.dir / settings.meters.inbox_folder
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / name, values)
    return loads.process_drop(
        settings.inboxes.dir,
        store_of(settings),
        pseudonym_key=settings.meters.pseudonym_key,
        folder=settings.meters.inbox_folder,
    )


def write_partition(settings: Settings, medium: str, month: date) -> partitions.PartitionResult:
    return partitions.write_partition(
        store_of(settings), Lake(settings.meters.lake_root), medium, month
    )


def test_a_correction_replaces_its_month_and_keeps_the_revision(meter_settings):
    month = date(2025, 1, 1)
    first = small(month)
    assert drop_meter_file(meter_settings, "el_2025-01.csv", first).accepted
    write_partition(meter_settings, "el", month)
    corrected = [dict(r) for r in first]
    corrected[5]["wh"] += 250  # one point, two intervals changed, +250 - 40 Wh
    corrected[6]["wh"] -= 40
    corrected[6]["kvalitet"] = "korrigerad"
    report = drop_meter_file(meter_settings, "el_2025-01_rattad.csv", corrected)
    assert (
        report.accepted
        and "supersedes el 2025-01 from el_2025-01.csv" in report.notes[report.accepted[0]][0]
    )
    result = write_partition(meter_settings, "el", month)
    revision = result.written.revision
    assert (
        revision.revision,
        revision.points_changed,
        revision.intervals_changed,
        revision.wh_change,
    ) == (2, 1, 2, 210)
    assert revision.wh == sum(r["wh"] for r in corrected) and revision.wh_before == sum(
        r["wh"] for r in first
    )
    lake = Lake(meter_settings.meters.lake_root)
    table = lake.read_partition("el", month)
    assert sum(table.column("wh").to_pylist()) == sum(r["wh"] for r in corrected)
    assert len(lake.revisions("el", month)) == 2
    # Both files stay in the landing zone, byte for byte; the registry has both.
    with duckdb.connect(str(meter_settings.warehouse.path), read_only=True) as con:
        registry = con.execute(
            "select file_name, load_seq from raw.meter_feed_files order by load_seq"
        ).fetchall()
        landed = [
            Path(p)
            for (p,) in con.execute(
                "select stored_path from raw.landed_files order by first_fetched_at"
            ).fetchall()
        ]
    assert registry == [("el_2025-01.csv", 1), ("el_2025-01_rattad.csv", 2)]
    assert len(landed) == 2 and all(p.exists() for p in landed)


def test_a_partition_rerun_changes_nothing(meter_settings):
    month = date(2025, 1, 1)
    values = small(month)
    drop_meter_file(meter_settings, "el.csv", values)
    write_partition(meter_settings, "el", month)
    lake = Lake(meter_settings.meters.lake_root)
    path = Path(lake.partition_path("el", month))
    before = (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        lake.revisions("el", month),
    )
    assert write_partition(meter_settings, "el", month).written.unchanged
    report = drop_meter_file(
        meter_settings, "el_again.csv", values
    )  # the same bytes under another name
    assert report.unchanged and not report.accepted
    assert write_partition(meter_settings, "el", month).written.unchanged
    assert (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        lake.revisions("el", month),
    ) == before
    # Private to the pipeline's user.
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    # A rewrite from scratch gives the same bytes (deterministic order and layout).
    path.unlink()
    write_partition(meter_settings, "el", month)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before[0]


def test_a_bad_file_is_quarantined_and_nothing_is_written(meter_settings):
    values = small(date(2025, 1, 1), summer_time=False)
    values[3]["wh"] = -1
    report = drop_meter_file(meter_settings, "bad.csv", values)
    assert report.rejected == [f"{meter_settings.meters.inbox_folder}/bad.csv"]
    assert "negative_value" in report.reports[report.rejected[0]]
    assert partitions.newest_accepted(store_of(meter_settings), "el", date(2025, 1, 1)) is None


def test_no_key_no_load(meter_settings):
    settings = meter_settings.updated(meters={"pseudonym_key": None})
    with pytest.raises(loads.MissingKey):
        drop_meter_file(settings, "el.csv", small(date(2025, 1, 1), count=1))
    assert (
        settings.inboxes.dir / settings.meters.inbox_folder / "el.csv"
    ).exists()  # left waiting, unread


def test_validate_meters_cli(tmp_path, capsys):
    good = write_csv(tmp_path / "good.csv.gz", small(date(2025, 4, 1)))
    bad_values = small(date(2025, 4, 1))
    bad_values[0]["kvalitet"] = "bra"
    bad = write_csv(tmp_path / "bad.csv", bad_values)
    assert borlange(["validate", "meters", str(good)]) == 0
    assert (
        "OK good.csv.gz: el 2025-04, 3,600 values from 5 metering points" in capsys.readouterr().out
    )
    assert borlange(["validate", "meters", str(good), str(bad), "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["problems"][0] | {"message": None} == {
        "file": "bad.csv",
        "sheet": None,
        "row": 3,
        "column": "kvalitet",
        "column_letter": None,
        "value": "bra",
        "code": "invalid_quality",
        "message": None,
        "message_sv": None,
        "expected": "",
    }
    assert borlange(["validate", "meters", str(tmp_path / "missing.csv")]) == 1
    with pytest.raises(SystemExit) as usage:
        borlange(["validate", "meters", "--max-file-mb", "-1", str(good)])
    assert usage.value.code == 2


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty_file"),
        (b"\x00\xff" * 5000, "unsupported_encoding"),  # NUL in every other byte: UTF-16
        (b"PAR1 this is not a parquet file", "unreadable_file"),
        (b"\x1f\x8b\x08\x00garbage", "unreadable_file"),  # a broken gzip stream
        (b"matpunkt;medium\n735999000000000001;el\n", "missing_column"),
        (b"# only a comment\n", "no_rows"),
    ],
)
def test_hostile_files_are_problems_not_tracebacks(tmp_path, content, code):
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    result = validate_path(path)
    assert not result.ok and code in result.counts


def test_a_line_longer_than_a_block_is_refused_in_bounded_memory(tmp_path):
    from sources.meter_feed.validate import Limits

    path = tmp_path / "long.csv"
    header = ";".join(
        (
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
    )
    path.write_bytes(header.encode() + b"\n" + b"7" * (3 * 1024 * 1024) + b";el\n")
    result = validate_path(path, limits=Limits(block_bytes=1024 * 1024))
    assert not result.ok and "unreadable_file" in result.counts
