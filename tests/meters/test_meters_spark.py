"""The meter marts on Apache Spark (METER_ENGINE=spark, pipelines/lib/meter_spark.py): a small lake
(two months, both media, a correction, a month of small cells) built by DuckDB and by dbt-spark on
a local Spark give the same rows in all seven marts; the same build through a Spark Connect server
on loopback gives the same tables; and no pseudonym or GSRN leaves the lake through Spark."""

from __future__ import annotations

import math
import re

import dagster as dg
import duckdb
import pytest

from pipelines.lib import meter_spark
from tests.helpers.meter_spark import connect_server, meter_settings, unused_loopback_port

# The load-duration percentiles: Spark's percentile_cont interpolates in another order than
# DuckDB's quantile_cont, so they may differ in the last bits.
INTERPOLATED = {"p50_kw", "p90_kw", "p99_kw"}
GSRN_PATTERN = re.compile(r"735999\d{12}")


def sorted_rows(con, table: str) -> tuple[list[str], list[tuple]]:
    columns = [c for (c, *_) in con.execute(f"describe {table}").fetchall()]
    order = ", ".join(str(i + 1) for i in range(len(columns)))
    return columns, con.execute(f"select * from {table} order by {order}").fetchall()


def same_cell(column: str, left, right) -> bool:
    if column in INTERPOLATED and left is not None and right is not None:
        return math.isclose(left, right, rel_tol=1e-12)
    return left == right


@pytest.mark.parametrize("table", meter_spark.TABLES)
def test_spark_builds_the_same_rows_as_duckdb(spark_meter_builds, table):
    schema = "intermediate" if table.startswith("int_") else "marts"
    with (
        duckdb.connect(str(spark_meter_builds.duckdb_warehouse), read_only=True) as on_duckdb,
        duckdb.connect(str(spark_meter_builds.spark_warehouse), read_only=True) as on_spark,
    ):
        columns, expected = sorted_rows(on_duckdb, f"{schema}.{table}")
        spark_columns, built = sorted_rows(on_spark, f"{schema}.{table}")
        types = on_duckdb.execute(f"select * from {schema}.{table} limit 0").description
        spark_types = on_spark.execute(f"select * from {schema}.{table} limit 0").description
    assert spark_columns == columns and [t[1] for t in spark_types] == [t[1] for t in types]
    assert len(built) == len(expected) > 0
    for want, got in zip(expected, built, strict=True):
        assert all(same_cell(c, w, g) for c, w, g in zip(columns, want, got, strict=True)), (
            want,
            got,
        )


def test_the_small_cells_and_the_correction_came_through_spark(spark_meter_builds):
    with duckdb.connect(str(spark_meter_builds.spark_warehouse), read_only=True) as con:
        hourly = dict(
            con.execute(
                "select is_suppressed, count(*) from marts.fct_meter_hourly_energy group by all"
            ).fetchall()
        )
        # the second month's few electricity points: every cell suppressed, no value shown
        small = con.execute("""select count(*), count(kwh) from marts.fct_meter_hourly_energy
                               where medium = 'el' and hour_utc >= '2024-01-31 23:00'""").fetchone()
        monthly = con.execute("""select month, is_suppressed, kwh is null
                                 from marts.fct_electricity_timing_effect_monthly
                                 order by month, kundkategori""").fetchall()
        corrections = con.execute("""select medium, month, corrections, last_correction_points
                                     from marts.fct_meter_data_quality
                                     order by medium, month""").fetchall()
    assert hourly[True] > 0 and hourly[False] > 0
    assert small[0] > 0 and small[1] == 0
    assert {(m.month, s, n) for m, s, n in monthly} == {(1, False, False), (2, True, True)}
    assert [c[2] for c in corrections] == [1, 0, 0, 0]
    assert corrections[0][3] > 0  # the corrected month says how many points it changed


def test_the_same_build_through_spark_connect(spark_meter_builds, tmp_path, monkeypatch):
    """dbt's unchanged session method, pointed at a Spark Connect server by SPARK_REMOTE: the
    tables it writes hold the local build's rows."""
    builds = spark_meter_builds
    with connect_server(tmp_path / "server", unused_loopback_port()) as url:
        monkeypatch.setenv("SPARK_REMOTE", url)
        settings = meter_settings(
            builds.root,
            builds.lake,
            METER_ENGINE="spark",
            SPARK_REMOTE=url,
            METER_SPARK_DIR=str(tmp_path / "meter_spark"),
            WAREHOUSE_PATH=str(builds.spark_warehouse),
        )
        build = meter_spark.spark_build(settings)
        assert meter_spark.CONNECT_TARGET in build.command and url not in " ".join(build.command)
        with duckdb.connect(str(builds.spark_warehouse), read_only=True) as con:
            meter_spark.export_inputs(con, build)
        meter_spark.run(build)
    local = builds.spark.spark.dir / "tables"
    with duckdb.connect() as con:
        for table in meter_spark.TABLES:
            via_connect = f"read_parquet('{build.table_dir(table)}/*.parquet')"
            via_local = f"read_parquet('{local / table}/*.parquet')"
            count = con.execute(f"select count(*) from {via_connect}").fetchone()[0]
            differing = con.execute(
                f"select count(*) from (select * from {via_connect} except all "
                f"select * from {via_local})"
            ).fetchone()[0]
            assert count > 0 and differing == 0, table


def test_no_pseudonym_or_gsrn_in_what_spark_writes(spark_meter_builds):
    builds = spark_meter_builds
    lake_values = f"{builds.lake.root}/values/**/*.parquet"
    with duckdb.connect() as con:
        pseudonyms = {
            p
            for (p,) in con.execute(
                f"select distinct point_id from read_parquet('{lake_values}')"
            ).fetchall()
        }
    assert len(pseudonyms) > 80 and all(len(p) == 64 for p in pseudonyms)

    def leaked(text: str) -> bool:
        return bool(GSRN_PATTERN.search(text)) or any(p in text for p in pseudonyms)

    def parquet_text(con, files: str) -> list[str]:
        relation = f"read_parquet('{files}')"
        columns = con.execute(f"describe select * from {relation}").fetchall()
        found = [name for name, *_ in columns]
        for name, kind, *_ in columns:
            if kind == "VARCHAR":
                found += [
                    v
                    for (v,) in con.execute(f'select distinct "{name}" from {relation}').fetchall()
                ]
        return [v for v in found if v]

    spark_dir = builds.spark.spark.dir
    scanned = 0
    with duckdb.connect() as con:
        # the scanner finds them where they are, so it can fail
        assert any(leaked(v) for v in parquet_text(con, lake_values))
        for folder in sorted({p.parent for p in spark_dir.rglob("*.parquet")}):
            text = parquet_text(con, f"{folder}/*.parquet")
            assert not any(leaked(v) for v in text) and "point_id" not in text, folder
            scanned += 1
    assert scanned == len(meter_spark.TABLES) + len(meter_spark.INPUTS)
    for path in spark_dir.rglob("*"):  # Spark's other files: _SUCCESS, checksums, metadata
        if path.is_file() and path.suffix != ".parquet":
            assert not leaked(path.read_bytes().decode("latin-1")), path
    # The warehouse that loaded Spark's tables: text in every meter relation but the staging view.
    with duckdb.connect(str(builds.spark_warehouse), read_only=True) as con:
        relations = con.execute("""select table_schema, table_name, column_name
                                   from information_schema.columns
                                   where table_schema in ('marts', 'intermediate')
                                         and data_type = 'VARCHAR'""").fetchall()
        for schema, table, column in relations:
            values = con.execute(f'select distinct "{column}" from {schema}.{table}').fetchall()
            assert not any(v and leaked(v) for (v,) in values), (table, column)


def test_dagster_builds_the_meter_models_on_spark_before_the_warehouse_loads_them(tmp_path):
    """METER_ENGINE=spark: the asset meters/spark_marts (after the lake and the warehouse inputs),
    then the warehouse's meter models in a dbt step of their own, after it (the default engine's
    graph is tests/architecture/test_definitions.py's)."""
    from pipelines.defs.transform.assets import SPARK_MARTS_KEY, dbt_definitions
    from pipelines.resources import resources_for
    from pipelines.settings import Settings

    settings = Settings.from_env({"METER_ENGINE": "spark", "DBT_TARGET_DIR": str(tmp_path)})
    resources = dg.Definitions(resources=resources_for(settings))
    on_spark = dg.Definitions.merge(dbt_definitions(settings), resources).resolve_asset_graph()
    hourly = dg.AssetKey(["marts", "fct_meter_hourly_energy"])
    spark_node = on_spark.get(SPARK_MARTS_KEY)
    assert {dg.AssetKey(["meters", "el_values"]), dg.AssetKey(["meters", "fjarrvarme_values"])} | {
        dg.AssetKey(["intermediate", "int_grid__hourly_carbon_intensity"]),
        dg.AssetKey(["reference", "fuel_emission_factors"]),
    } <= spark_node.parent_keys
    assert on_spark.get(hourly).parent_keys == {SPARK_MARTS_KEY}
    step = on_spark.assets_def_for_key(hourly).node_def.name
    assert (
        step != on_spark.assets_def_for_key(dg.AssetKey(["marts", "fct_emissions"])).node_def.name
    )
