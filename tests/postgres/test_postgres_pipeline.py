"""The whole pipeline with PostgreSQL as the warehouse engine (DBT_TARGET=postgres): the same
environment variable switches dbt's target and the Dagster assets (raw loads mirrored to
PostgreSQL, the trajectory and the publish step reading marts from it)."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from pipelines.settings import Settings


@pytest.fixture
def pipeline_database(postgres_server):
    """A database of its own, so that this run does not disturb the parity tests' marts."""
    from psycopg2 import sql

    name = "borlange_pipeline"
    con = postgres_server.connect(superuser=True)
    try:
        con.rollback()
        con.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with con.cursor() as cur:
            cur.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))
            cur.execute(
                sql.SQL("create database {} owner {}").format(
                    sql.Identifier(name), sql.Identifier(postgres_server.user)
                )
            )
    finally:
        con.close()
    return name


def test_the_demo_job_builds_the_marts_in_postgres(
    postgres_server, pipeline_database, isolated_env, monkeypatch
):
    from pipelines.demo import materialize_all

    for key, value in {
        **postgres_server.env(),
        "PGDATABASE": pipeline_database,
        "DBT_TARGET": "postgres",
        "TRAJECTORY_AS_OF_YEAR": "2026",
        "SERVING_DIR": str(isolated_env / "serving"),
        # A target folder of its own: dagster-dbt caches a manifest by its path for the life of
        # the process, and this worker's folder holds the DuckDB target's (with the meter marts,
        # which PostgreSQL does not build: their dependants would be skipped, not run).
        "DBT_TARGET_DIR": str(isolated_env / "dbt_target"),
    }.items():
        monkeypatch.setenv(key, value)
    materialize_all(offline=True, instance=dg.DagsterInstance.ephemeral())

    import psycopg2

    with (
        psycopg2.connect(
            dbname=pipeline_database,
            host=postgres_server.host,
            port=postgres_server.port,
            user=postgres_server.user,
            password=postgres_server.password,
        ) as pg,
        pg.cursor() as cur,
    ):
        cur.execute(
            "select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081' and year = 2024 "
            "and gas = 'CO2e'"
        )
        assert cur.fetchone()[0] == pytest.approx(423_796, abs=1)
        cur.execute(
            "select trend_sum_t, allowed_sum_t from marts.trajectory "
            "where kommun_kod = '2081' and method = 'carbon_law'"
        )
        trend, allowed = cur.fetchone()
        assert trend == pytest.approx(7_154_677, rel=0.001) and allowed == pytest.approx(
            3_295_459, rel=0.001
        )
        cur.execute("select count(*) from marts.fct_carbon_budget where kommun_kod = '2081'")
        assert cur.fetchone()[0] > 0
        # The plan runs without the meter marts (DuckDB-only): its scenarios reach PostgreSQL.
        cur.execute(
            "select count(distinct scenario) from marts.fct_scenario_emissions "
            "where kommun_kod = '2081'"
        )
        assert cur.fetchone()[0] == 3

    # The serving copy for BI was published from PostgreSQL's marts.
    serving = Settings.from_env().serving.dir / "borlange.duckdb"
    with duckdb.connect(str(serving), read_only=True) as con:
        rows = con.execute(
            "select count(*) from marts.trajectory where kommun_kod = '2081'"
        ).fetchall()[0][0]
    assert rows == 4
