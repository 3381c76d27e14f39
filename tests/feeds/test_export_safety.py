"""Untrusted text on its way out (hardening): formula-like text is inert in every CSV/Parquet the
project writes, a "$…$" name cannot crash a chart, and a report cannot break out of its Markdown
fence."""

from __future__ import annotations

import base64

import polars as pl
import pytest

from pipelines.defs.common import fenced
from pipelines.defs.report import charts as report_charts
from pipelines.defs.trajectory import charts as trajectory_charts
from sources.formula_safety import neutralise, neutralise_frame, neutralise_sql

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text
    assert neutralise_frame(pl.DataFrame({"name": [text], "tonnes": [-5.0]})).row(0) == (
        "'" + text,
        -5.0,
    )


def test_plain_text_and_numbers_are_untouched():
    frame = pl.DataFrame({"name": ["Borlänge", "a=b", None], "tonnes": [-1.0, 2.0, 3.0]})
    assert neutralise_frame(frame).equals(frame)
    assert neutralise("Borlänge") == "Borlänge" and neutralise(None) is None


def test_the_sql_form_matches_the_python_one():
    import duckdb

    con = duckdb.connect()
    con.register("texts", pl.DataFrame({"t": [*FORMULAS, "ok", None]}))
    got = [r[0] for r in con.sql(f"select {neutralise_sql('t')} from texts").fetchall()]
    assert got == [neutralise(t) for t in [*FORMULAS, "ok", None]]


def test_the_trajectory_cli_csv_neutralises_codes_from_the_users_file(tmp_path):
    from pipelines.defs.trajectory.cli import write_summary

    out = tmp_path / "out.csv"
    write_summary(
        pl.DataFrame({"kommun_kod": ["=cmd|' /C calc'!A0", "2081"], "trend_sum_t": [1.0, 2.0]}), out
    )
    assert out.read_text().splitlines()[1:] == ["'=cmd|' /C calc'!A0,1.0", "2081,2.0"]


@pytest.mark.parametrize(
    "name", [r"$\frac{1}{0}$ nätet", r"Nät $\undefinedmacro{$", "$$", "pris 5$ / 7$"]
)
def test_a_dollar_name_draws_as_text_in_every_chart(name):
    uri = report_charts.lines({name: [(2024, 1.0), (2025, 2.0)]}, "MWh")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")
    uri = report_charts.horizontal_bars([name, "Borlänge"], [1.0, 2.0], 0, "t")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")
    data = trajectory_charts.ChartData(
        kommun=name,
        method="carbon_law",
        gas="CO2e",
        as_of_year=2026,
        years=[2024, 2025],
        actual=[1.0, None],
        approximated=[None, 1.0],
        trend=[None, 1.0],
        allowed=[1.0, 0.5],
        remaining_budget=[None, 1.0],
        summary={"meets_paris": False, "method": "carbon_law"},
    )
    assert trajectory_charts.render_png(data).startswith(b"\x89PNG")


def test_a_report_cannot_break_out_of_its_fence():
    hostile = "row 2: value '```\n# Injected heading\n[click](javascript:alert(1))\n````'"
    block = fenced(hostile)
    fence = block.splitlines()[0]
    assert set(fence) == {"`"} and len(fence) == 5  # longer than the longest run inside (4)
    assert block.endswith("\n" + fence) and hostile in block
    assert all(len(run) < len(fence) for run in __import__("re").findall(r"`+", hostile))


def test_the_parquet_export_neutralises_formula_like_text(tmp_path, dbt_manifest):
    """A partner's action title as a formula reaches BI's Parquet as inert text; the serving
    DuckDB copy keeps the value exactly as stored (it is read as data, not opened in a sheet)."""
    import duckdb

    from pipelines.lib import publish

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_action_portfolio (title varchar, realised_reduction_t double)"
        )
        con.execute(
            "insert into marts.fct_action_portfolio values ('=HYPERLINK(\"http://evil\")', -3.5), "
            "('Vätgas', 30000)"
        )
    published = publish.publish(warehouse, tmp_path / "serving", dbt_manifest=dbt_manifest)
    parquet = published.parquet_dir / "fct_action_portfolio.parquet"
    rows = duckdb.sql(f"select * from read_parquet('{parquet}') order by 2").fetchall()
    assert rows == [('\'=HYPERLINK("http://evil")', -3.5), ("Vätgas", 30000.0)]
    with duckdb.connect(str(published.serving_file), read_only=True) as con:
        assert con.execute("select min(title) from marts.fct_action_portfolio").fetchall() == [
            ('=HYPERLINK("http://evil")',)
        ]
