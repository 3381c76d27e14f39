"""The hourly carbon-intensity feed (issue 14): Electricity Maps' two header versions, strict
validation naming file, line and field, vintages (the newer release wins per hour, the older is
kept), and the real SE3 figures of the replay files against means computed here with the csv
module."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.grid import loads
from pipelines.lib.warehouse import Store
from sources.carbon_intensity import HEADERS, parse_carbon_intensity
from tests.helpers import REPO

PAYLOADS = REPO / "replay" / "payloads" / "carbon_intensity"
YEAR_2024 = PAYLOADS / "SE-SE3_2024_release-2025-04-03.csv.gz"
JAN_2022_NEW = PAYLOADS / "SE-SE3_2022-01_release-2025-04-03.csv.gz"
JAN_2022_EARLY = PAYLOADS / "SE-SE3_2022-01_hourly_release-2024-06-12.csv.gz"


def plain_rows(path: Path) -> list[dict]:
    """The file's data rows read with the csv module alone (no project code)."""
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def direct_of(row: dict) -> float:
    return float(
        row.get("Carbon intensity gCO₂eq/kWh (direct)")
        or row["Carbon Intensity gCO₂eq/kWh (direct)"]
    )


def small_file(rows: list[list[str]], version: str = "2025") -> bytes:
    lines = [",".join(HEADERS[version])] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def hour(
    ts: str,
    direct: str = "2.5",
    lifecycle: str = "20.1",
    zone: str = "SE-SE3",
    estimated: str = "false",
) -> list[str]:
    return [
        ts,
        "Sweden",
        "South Central Sweden",
        zone,
        direct,
        lifecycle,
        "99.5",
        "55.0",
        "entsoe.eu",
        estimated,
        "",
    ]


# --------------------------------------------------------------------------- the parser


@pytest.mark.parametrize("path, version", [(JAN_2022_NEW, "2025"), (JAN_2022_EARLY, "early")])
def test_both_header_versions_parse_to_the_published_values(path, version):
    parsed = parse_carbon_intensity(path.name, path.read_bytes(), zone_id="SE-SE3")
    expected = plain_rows(path)
    assert parsed.ok, parsed.report()
    assert parsed.header_version == version
    assert len(parsed.rows) == len(expected) == 744
    assert parsed.rows[0].hour_utc == datetime(2022, 1, 1, 0)
    assert [h.direct for h in parsed.rows] == [direct_of(r) for r in expected]
    assert parsed.notes[0].startswith("Contains data from Electricity Maps")
    assert parsed.vintage.isoformat() == {"2025": "2025-04-03", "early": "2024-06-12"}[version]


def test_the_two_releases_of_2022_differ():
    new = [direct_of(r) for r in plain_rows(JAN_2022_NEW)]
    early = [direct_of(r) for r in plain_rows(JAN_2022_EARLY)]
    assert new[0] == 2.25 and early[0] == 1.34  # the first hour of 2022 as each release has it
    assert sum(new) != sum(early)


@pytest.mark.parametrize(
    "rows, code, line, field",
    [
        (
            [hour("2024-01-01 00:00:00"), hour("2024-01-01 01:30:00")],
            "invalid_timestamp",
            3,
            "Datetime (UTC)",
        ),
        (
            [hour("2024-01-01 00:00:00"), hour("2024-01-01 00:00:00")],
            "duplicate_hour",
            3,
            "Datetime (UTC)",
        ),
        ([hour("2024-01-01 00:00:00"), hour("2024-01-01 03:00:00")], "gap", 3, "Datetime (UTC)"),
        (
            [hour("2024-01-01 00:00:00"), hour("2024-01-01 01:00:00", zone="SE-SE2")],
            "wrong_zone",
            3,
            "Zone id",
        ),
        (
            [hour("2024-01-01 00:00:00", direct="-1")],
            "out_of_range",
            2,
            "Carbon intensity gCO₂eq/kWh (direct)",
        ),
        (
            [hour("2024-01-01 00:00:00", direct="3 g")],
            "not_a_number",
            2,
            "Carbon intensity gCO₂eq/kWh (direct)",
        ),
        (
            [hour("2024-01-01 00:00:00", lifecycle="1.0")],
            "lifecycle_below_direct",
            2,
            "Carbon intensity gCO₂eq/kWh (Life cycle)",
        ),
        ([hour("2024-01-01 00:00:00", estimated="maybe")], "invalid_flag", 2, "Data estimated"),
    ],
)
def test_a_bad_line_is_named_by_file_line_and_field(rows, code, line, field):
    parsed = parse_carbon_intensity("bad.csv", small_file(rows), zone_id="SE-SE3")
    assert not parsed.ok
    problem = next(p for p in parsed.problems if p.code == code)
    assert (problem.file, problem.row, problem.column) == ("bad.csv", line, field)
    assert f"bad.csv: line {line}, {field}" in parsed.report()


def test_a_renamed_heading_is_reported_against_the_closest_version():
    content = small_file([hour("2024-01-01 00:00:00")]).replace(b"Zone id", b"Zone")
    parsed = parse_carbon_intensity("renamed.csv", content, zone_id="SE-SE3")
    assert [p.code for p in parsed.problems] == ["unknown_header"]
    assert (
        "missing Zone id" in parsed.problems[0].message
        and "unknown Zone" in parsed.problems[0].message
    )


def test_a_gzip_bomb_and_a_non_gzip_are_refused_without_reading_to_the_end():
    bomb = gzip.compress(b"0" * (9 * 1024 * 1024), mtime=0)
    assert [
        p.code for p in parse_carbon_intensity("bomb.csv.gz", bomb, zone_id="SE-SE3").problems
    ] == ["file_too_large"]
    broken = b"\x1f\x8b" + b"not gzip at all"
    assert [
        p.code for p in parse_carbon_intensity("x.csv.gz", broken, zone_id="SE-SE3").problems
    ] == ["unreadable_gzip"]


# --------------------------------------------------------------------------- the feed


def test_a_malformed_file_is_quarantined_while_a_good_one_in_the_same_drop_loads(tmp_path):
    inbox, store = tmp_path / "inbox", Store(tmp_path / "wh.duckdb", tmp_path / "landing")
    (inbox / "carbon_intensity").mkdir(parents=True)
    good = inbox / "carbon_intensity" / JAN_2022_NEW.name
    good.write_bytes(JAN_2022_NEW.read_bytes())
    bad_text = gzip.decompress(JAN_2022_EARLY.read_bytes()).replace(
        b"2022-01-02 05:00:00", b"2022-01-02 5:00", 1
    )
    (inbox / "carbon_intensity" / "SE-SE3_2022-01_broken.csv").write_bytes(bad_text)
    report = loads.process_drop(inbox, store, grid_zone="SE3")
    assert report.accepted == [f"carbon_intensity/{JAN_2022_NEW.name}"]
    assert report.rejected == ["carbon_intensity/SE-SE3_2022-01_broken.csv"]
    problem = report.problems["carbon_intensity/SE-SE3_2022-01_broken.csv"][0]
    line = 1 + next(
        i for i, text in enumerate(bad_text.splitlines()) if text.startswith(b"2022-01-02 5:00")
    )
    assert (problem["file"], problem["row"], problem["column"], problem["code"]) == (
        "SE-SE3_2022-01_broken.csv",
        line,
        "Datetime (UTC)",
        "invalid_timestamp",
    )
    with duckdb.connect(str(store.warehouse_path), read_only=True) as con:
        assert con.execute(
            "select count(*), sum(direct_gco2_per_kwh) from raw.carbon_intensity_hours"
        ).fetchone() == (744, pytest.approx(sum(direct_of(r) for r in plain_rows(JAN_2022_NEW))))
        landed = con.execute(
            "select count(*) from raw.landed_files where source = 'electricity_maps'"
        ).fetchone()[0]
    assert landed == 1
    assert (
        len(list((store.landing_dir / "electricity_maps").rglob("*.csv"))) == 1
    )  # the bad bytes, kept
    assert list((inbox / "quarantine" / "carbon_intensity").glob("*.report.txt"))
    # The same bytes again change nothing.
    good.write_bytes(JAN_2022_NEW.read_bytes())
    again = loads.process_drop(inbox, store, grid_zone="SE3")
    assert again.unchanged == [f"carbon_intensity/{JAN_2022_NEW.name}"] and not again.accepted


def test_a_file_of_another_zone_is_rejected(tmp_path):
    inbox, store = tmp_path / "inbox", Store(tmp_path / "wh.duckdb", tmp_path / "landing")
    (inbox / "carbon_intensity").mkdir(parents=True)
    (inbox / "carbon_intensity" / "se3.csv").write_bytes(gzip.decompress(JAN_2022_NEW.read_bytes()))
    report = loads.process_drop(inbox, store, grid_zone="SE2")
    assert report.rejected == ["carbon_intensity/se3.csv"]
    assert {p["code"] for p in report.problems["carbon_intensity/se3.csv"]} == {"wrong_zone"}


# ---------------------------------------------------------------- the models (the demo's warehouse)


def test_the_two_2022_releases_land_as_two_vintages_and_the_newer_wins(demo_con):
    vintages = demo_con.execute("""
        select f.vintage::varchar, f.header_version, count(*) from raw.carbon_intensity_hours h
        join raw.carbon_intensity_files f using (sha256)
        where h.hour_utc < '2022-02-01' group by all order by 1""").fetchall()
    assert vintages == [("2024-06-12", "early", 744), ("2025-04-03", "2025", 744)]
    in_force = demo_con.execute("""
        select count(*), sum(direct_gco2_per_kwh), min(vintage)::varchar, max(vintage)::varchar
        from intermediate.int_grid__hourly_carbon_intensity where hour_utc <
            '2022-02-01'""").fetchone()
    new = [direct_of(r) for r in plain_rows(JAN_2022_NEW)]
    assert in_force == (744, pytest.approx(sum(new)), "2025-04-03", "2025-04-03")
    assert (
        demo_con.execute("""select count(*) from staging.stg_electricity_maps__carbon_intensity
                               where vintage = '2024-06-12' and not is_current""").fetchone()[0]
        == 744
    )


def test_the_int_model_has_its_fixed_columns(demo_con):
    columns = demo_con.execute("""
        select column_name, data_type from information_schema.columns
        where table_schema = 'intermediate' and table_name = 'int_grid__hourly_carbon_intensity'
        order by ordinal_position""").fetchall()[:7]
    assert columns == [
        ("zone", "VARCHAR"),
        ("hour_utc", "TIMESTAMP"),
        ("direct_gco2_per_kwh", "DOUBLE"),
        ("lifecycle_gco2_per_kwh", "DOUBLE"),
        ("is_estimated", "BOOLEAN"),
        ("vintage", "DATE"),
        ("source_id", "VARCHAR"),
    ]


@pytest.mark.parametrize("day", ["2024-03-31", "2024-10-27"])  # Sweden's DST Sundays of 2024
def test_a_dst_sunday_has_24_hours_in_utc_and_in_normal_time(demo_con, day):
    utc, normal = demo_con.execute(
        """
        select count(*) filter (where cast(hour_utc as date) = ?::date),
               count(distinct hour_utc) filter (where cast(hour_utc + interval 1 hour as date) =
                   ?::date)
        from intermediate.int_grid__hourly_carbon_intensity""",
        [day, day],
    ).fetchone()
    assert (utc, normal) == (24, 24)


def test_the_2024_mean_and_the_monthly_mart_match_the_file(demo_con):
    rows = plain_rows(YEAR_2024)
    mean_2024 = sum(direct_of(r) for r in rows) / len(rows)
    assert demo_con.execute("""select count(*), avg(direct_gco2_per_kwh) from
        intermediate.int_grid__hourly_carbon_intensity
                               where year(hour_utc) = 2024""").fetchone() == (
        8784,
        pytest.approx(mean_2024),
    )
    assert round(mean_2024, 2) == 2.23  # SOURCE.md's published mean for SE-SE3 2024
    # June 2024 in Swedish normal time: 2024-05-31 23:00 UTC up to 2024-06-30 22:00 UTC.
    june = [
        r for r in rows if "2024-05-31 23:00:00" <= r["Datetime (UTC)"] <= "2024-06-30 22:00:00"
    ]
    lifecycle = [float(r["Carbon intensity gCO₂eq/kWh (Life cycle)"]) for r in june]
    estimated = sum(r["Data estimated"] == "true" for r in june)
    mart = demo_con.execute("""
        select hours, is_complete_month, mean_direct_gco2_per_kwh, mean_lifecycle_gco2_per_kwh,
            estimated_share,
               vintage::varchar, annual_factor_gco2e_per_kwh
        from marts.fct_grid_carbon_intensity_monthly where zone = 'SE3' and month =
            '2024-06-01'""").fetchone()
    with (REPO / "dbt_project" / "seeds" / "fuel_emission_factors.csv").open(
        encoding="utf-8"
    ) as handle:
        annual = float(
            next(r["factor"] for r in csv.DictReader(handle) if r["fuel"] == "electricity")
        )
    assert mart == (
        720,
        True,
        pytest.approx(sum(direct_of(r) for r in june) / 720),
        pytest.approx(sum(lifecycle) / 720),
        pytest.approx(estimated / 720),
        "2025-04-03",
        annual,
    )


HOURLY = REPO.parent / "shared" / "data" / "hourly"


@pytest.mark.skipif(
    not (HOURLY / "carbon_intensity").exists(),
    reason="../shared/data/hourly is not beside the repo",
)
def test_the_replay_files_rebuild_byte_for_byte_from_the_shared_figures(tmp_path):
    from replay import build_carbon_intensity_payloads

    build_carbon_intensity_payloads.build(HOURLY / "carbon_intensity", tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in PAYLOADS.iterdir())
    for name in built:
        assert (tmp_path / name).read_bytes() == (PAYLOADS / name).read_bytes(), name


def test_every_normal_time_hour_of_the_meter_year_has_an_intensity(demo_con):
    # 2024-01-01 00:00+01:00 is 2023-12-31 23:00 UTC: the bundled last day of 2023 covers it.
    months = demo_con.execute("""select count(*), bool_and(is_complete_month), sum(hours) from
        marts.fct_grid_carbon_intensity_monthly
                                 where zone = 'SE3' and year = 2024""").fetchone()
    assert months == (12, True, 8784)
