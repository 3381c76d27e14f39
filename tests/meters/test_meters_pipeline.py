"""The meter sample through the demo (the session's demo_warehouse): the marts against the landed
files recomputed in plain DuckDB, small cells suppressed, no GSRN or point id outside the lake, the
reconciliation check; and two partitions at once under the multiprocess executor."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.meters import loads
from pipelines.defs.meters.assets import reconcile_result
from pipelines.defs.meters.reconcile import reconcile
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY
from tests.helpers.meter_files import meter_partitions_job, points, rows, write_csv

GSRN = re.compile(r"735999\d{12}")


def landed_meter_files(con) -> list[str]:
    return [
        p
        for (p,) in con.execute(
            """select stored_path from raw.landed_files
                                         where source = ? order by stored_path""",
            [loads.SOURCE],
        ).fetchall()
    ]


def recomputed_hourly(files: list[str]) -> dict:
    """The hourly cells straight from the landed (raw, GSRN) files: Wh and distinct points."""
    con = duckdb.connect()
    listing = ", ".join(f"'{f}'" for f in files)
    assert con.execute(
        f"select bool_and(ends_with(start, '+01:00')) from read_parquet([{listing}])"
    ).fetchone()[0]
    cells = con.execute(f"""
        select medium, riktning, natomrade, kundkategori,
               strptime(left(start, 19), '%Y-%m-%dT%H:%M:%S') - interval 1 hour as hour_utc,
               sum(round(kwh * 1000))::bigint as wh, count(distinct matpunkt) as points
        from read_parquet([{listing}]) group by all""").fetchall()
    return {tuple(c[:5]): (c[5], c[6]) for c in cells}


def test_hourly_mart_matches_the_landed_files_and_suppresses_small_cells(demo_con):
    files = landed_meter_files(demo_con)
    assert len(files) == 2 and {Path(f).suffix for f in files} == {".parquet"}
    expected = recomputed_hourly(files)
    mart = {
        tuple(r[:5]): r[5:]
        for r in demo_con.execute("""
        select medium, riktning, natomrade, kundkategori, hour_utc, kwh, point_count, is_suppressed
        from marts.fct_meter_hourly_energy""").fetchall()
    }
    assert mart.keys() == expected.keys() and len(mart) > 1000
    suppressed = 0
    for key, (kwh, count, is_suppressed) in mart.items():
        wh, points_ = expected[key]
        assert count == points_ and is_suppressed == (points_ < 5)
        if is_suppressed:
            suppressed += 1
            assert kwh is None
        else:
            assert kwh * 1000 == wh  # exact: a DECIMAL of whole Wh
    assert suppressed > 0 and suppressed < len(mart)
    # The same holds for the load profiles and the timing effect: no value for a small cell.
    assert (
        demo_con.execute("""select count(*) from marts.fct_meter_daily_profile
                               where (point_count < 5) != is_suppressed
                                     or (is_suppressed and mean_kw is not null)""").fetchone()[0]
        == 0
    )


def test_the_timing_effect_is_the_hourly_against_the_annual_factor(demo_con):
    rows_ = demo_con.execute("""
        select kundkategori, kwh, emissions_hourly_kg, emissions_annual_kg, timing_effect_kg,
               annual_gco2_per_kwh, hours_without_factor
        from marts.fct_electricity_timing_effect_monthly
        where month = '2024-03-01' order by 1""").fetchall()
    assert len(rows_) == 6
    for kundkategori, kwh, hourly, annual, effect, annual_factor, missing in rows_:
        assert missing == 0 and annual_factor == 40.0
        recomputed = demo_con.execute(
            """
            select sum(h.kwh * g.lifecycle_gco2_per_kwh) / 1000
            from marts.fct_meter_hourly_energy as h
            join intermediate.int_grid__hourly_carbon_intensity as g using (hour_utc)
            where h.medium = 'el' and h.riktning = 'uttag' and h.kundkategori = ?""",
            [kundkategori],
        ).fetchone()[0]
        small = demo_con.execute(
            """select count(*) from marts.fct_meter_hourly_energy where medium = 'el'
               and riktning = 'uttag' and kundkategori = ? and is_suppressed""",
            [kundkategori],
        ).fetchone()[0]
        if small == 0:  # all its cells are published: the month is their sum
            # to the gram: the mart sums each hour's kg exactly at six decimals (rerun-stable)
            assert hourly == pytest.approx(float(recomputed), abs=1e-3)
        assert annual == pytest.approx(
            float(kwh) * 40 / 1000, rel=1e-9
        ) and effect == pytest.approx(hourly - annual)


def test_no_gsrn_or_point_id_outside_the_lake(demo_warehouse, demo_con):
    gsrns = set()
    for path in landed_meter_files(demo_con):
        gsrns |= {
            g
            for (g,) in duckdb.sql(
                f"select distinct matpunkt from read_parquet('{path}')"
            ).fetchall()
        }
    assert len(gsrns) == 370
    pseudonyms = {
        hmac.new(DEMO_METER_PSEUDONYM_KEY.encode(), g.encode(), hashlib.sha256).hexdigest()
        for g in gsrns
    }
    needles = gsrns | pseudonyms

    def text_columns(con, schemas) -> list[str]:
        found = []
        for schema, table, column in con.execute(f"""
                select table_schema, table_name, column_name from information_schema.columns
                where table_schema in ({", ".join(f"'{s}'" for s in schemas)})
                      and data_type = 'VARCHAR'""").fetchall():
            found += [
                v
                for (v,) in con.execute(
                    f'select distinct "{column}" from "{schema}"."{table}"'
                ).fetchall()
                if v
            ]
        return found

    def leaks(values) -> set[str]:
        return {
            v for v in values if v in needles or GSRN.search(v) or any(p in v for p in pseudonyms)
        }

    # The scanner finds them where they are (the staging view over the lake), so it can fail.
    assert pseudonyms <= set(text_columns(demo_con, ["staging"]))
    # The warehouse's marts, and raw + trajectory (what `borlange mirror` copies to PostgreSQL).
    assert not leaks(text_columns(demo_con, ["marts", "raw", "trajectory", "reference"]))
    # The serving copy (what BI opens) and its Parquet export, by value and by byte.
    serving = demo_warehouse.serving.dir
    with duckdb.connect(str(serving / "borlange.duckdb"), read_only=True) as con:
        assert not leaks(text_columns(con, ["marts"]))
    exports = sorted((serving / "parquet" / "current").glob("*.parquet"))
    assert any("fct_meter_hourly_energy" in p.name for p in exports)
    for export in exports:
        data = export.read_bytes().decode("latin-1")
        assert not GSRN.search(data) and not any(p in data for p in pseudonyms), export.name
    # The report.
    reports = list(demo_warehouse.report.dir.glob("klimatrapport_*.html"))
    assert reports
    for report in reports:
        page = report.read_text(encoding="utf-8")
        assert (
            "elmatning" in page and not GSRN.search(page) and not any(p in page for p in pseudonyms)
        )
    # Nothing but staging holds a per-point relation.
    per_point = demo_con.execute("""select table_schema || '.' || table_name
                                    from information_schema.columns
                                    where column_name in ('point_id', 'matpunkt')""").fetchall()
    assert {t for (t,) in per_point} == {"staging.stg_meters__values"}


def test_the_lake_is_private(demo_warehouse):
    root = Path(demo_warehouse.meters.lake_root)
    entries = list(root.rglob("*"))
    assert any(p.suffix == ".parquet" for p in entries)
    assert all(
        (p.stat().st_mode & 0o777) == (0o700 if p.is_dir() else 0o600) for p in [root, *entries]
    )


def test_reconciliation_warns_on_a_mismatched_month():
    con = duckdb.connect()
    con.execute("create schema intermediate; create schema reference; create schema marts")
    con.execute("""create table reference.meter_customer_categories as select * from (values
        ('el', 'hushall_lagenhet', 'distributed', 'households'),
        ('el', 'smaforetag', 'distributed', 'services'),
        ('fjarrvarme', 'fjv_smahus', 'delivery', 'single_family'))
        t(medium, kundkategori, report_flow, report_category)""")
    con.execute("""create table intermediate.int_meters__hourly_energy as select * from (values
        -- 2024-02 in normal time
        ('el', 'uttag', 'A', 'hushall_lagenhet', timestamp '2024-01-31 23:00', 60000000),
        ('el', 'uttag', 'A', 'hushall_lagenhet', timestamp '2024-02-10 12:00', 40000000),
        -- production: not counted
        ('el', 'inmatning', 'A', 'hushall_lagenhet', timestamp '2024-02-10 12:00', 9000000),
        ('el', 'uttag', 'A', 'smaforetag', timestamp '2024-02-10 12:00', 50500000),
        ('fjarrvarme', 'uttag', 'A', 'fjv_smahus', timestamp '2024-02-10 12:00', 10000000)
        ) t(medium, riktning, natomrade, kundkategori, hour_utc, wh)""")
    con.execute("""create table marts.fct_electricity as select * from (values
        (date '2024-02-01', 'distributed', 'households', 120.0),
        (date '2024-02-01', 'distributed', 'services', 50.0))
        t(month, flow, category, value)""")
    con.execute("""create table marts.fct_district_heating_monthly as select * from (values
        (date '2024-02-01', 'delivery', 'single_family', 10.0))
        t(month, measure, category, value)""")
    result = reconcile(con, tolerance=0.02)
    by_category = {r["report_category"]: r for r in result.rows}
    assert by_category["distributed households"]["metered_mwh"] == pytest.approx(
        100.0
    )  # 60 + 40 MWh
    assert by_category["distributed households"]["difference_share"] == pytest.approx(-20 / 120)
    assert by_category["distributed services"]["difference_share"] == pytest.approx(
        0.01
    )  # within 2 %
    assert by_category["delivery single_family"]["difference_share"] == pytest.approx(0.0)
    check = reconcile_result(result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["mismatched"].value == 1
    assert reconcile_result(reconcile(con, tolerance=0.25)).passed


# --------------------------------------------------------------------------- multiprocess


def test_two_partitions_run_at_once_under_the_multiprocess_executor(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "wh" / "borlange.duckdb"))
    monkeypatch.setenv("LANDING_DIR", str(tmp_path / "wh" / "landing"))
    monkeypatch.setenv("INBOX_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("METER_LAKE_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("METER_PSEUDONYM_KEY", DEMO_METER_PSEUDONYM_KEY)
    monkeypatch.setenv("INBOX_SETTLE_SECONDS", "0")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    from pipelines.lib.meter_lake import Lake
    from pipelines.lib.warehouse import Store
    from pipelines.settings import Settings

    settings = Settings.from_env()
    month = date(2025, 1, 1)
    inbox = settings.inboxes.dir / settings.meters.inbox_folder
    inbox.mkdir(parents=True)
    write_csv(inbox / "el.csv", rows(month, points("el", 5, quarter_hour_share=0.0)))
    write_csv(inbox / "heat.csv", rows(month, points("fjarrvarme", 5, quarter_hour_share=0.0)))
    store = Store(settings.warehouse.path, settings.warehouse.landing_dir)
    report = loads.process_drop(
        settings.inboxes.dir, store, pseudonym_key=settings.meters.pseudonym_key
    )
    assert len(report.accepted) == 2
    # The warehouse is held open for writing the whole time: the partitions never need it.
    (tmp_path / "dagster").mkdir()
    with (
        duckdb.connect(str(settings.warehouse.path)),
        dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance,
    ):
        result = dg.execute_job(
            dg.reconstructable(meter_partitions_job),
            instance=instance,
            tags={"dagster/partition": "2025-01-01"},
        )
        assert result.success
        steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        assert steps == {"meters__el_values", "meters__fjarrvarme_values"}
        logs = " ".join(str(e.message) for e in result.all_events).lower()
        assert "lock" not in logs
    lake = Lake(settings.meters.lake_root)
    assert lake.read_partition("el", month).num_rows == 5 * 744
    assert lake.read_partition("fjarrvarme", month).num_rows == 5 * 744
