"""The plan in the report and the export (issue 24), on a small warehouse built from the plan run
over Borlänge's fixture emissions and the demo portfolio: the plan schema written as the asset
writes it, and the plan's staging views and marts created from the dbt SQL itself (source and ref
resolved by name), so the report section and the workbook read the marts' real columns."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook

from pipelines.defs.plan.actions import load_portfolio
from pipelines.defs.plan.cli import run_export
from pipelines.defs.plan.export import SHEETS, write_plan_workbook
from pipelines.defs.plan.run import KPI_VALUE_SCHEMA, METER_SCHEMA, run
from pipelines.defs.plan.tables import replace_tables
from pipelines.defs.report import charts, facts
from pipelines.defs.report.citations import Citations
from pipelines.defs.report.render import draw_charts, environment, format_value
from pipelines.defs.site import build as site
from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import load_presets
from pipelines.settings import Settings
from tests.helpers import REPO

FIXTURES = REPO / "tests" / "fixtures"
MODELS = REPO / "dbt_project" / "models"
NBSP = "\u00a0"


def create_models(con: duckdb.DuckDBPyConnection) -> None:
    """The plan's staging views and marts from their dbt SQL, in dependency order."""
    con.execute("create schema if not exists staging")
    con.execute("create schema if not exists marts")
    files = sorted((MODELS / "staging" / "plan").glob("*.sql")) + sorted(
        (MODELS / "marts" / "plan").glob("*.sql")
    )
    for path in files:
        sql = path.read_text(encoding="utf-8")
        sql = re.sub(r"\{\{ source\('plan', '(\w+)'\) \}\}", r"plan.\1", sql)
        sql = re.sub(r"\{\{ ref\('(stg_\w+)'\) \}\}", r"staging.\1", sql)
        sql = re.sub(
            r'\{\{ exact_sum\("(\w+)"\) \}\}',
            r"cast(sum(cast(\1 as decimal(38, 6))) as double precision)",
            sql,
        )
        assert "{{" not in sql, path
        schema = "staging" if path.name.startswith("stg_") else "marts"
        con.execute(f"create view {schema}.{path.stem} as {sql}")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    totals = pl.read_csv(
        FIXTURES / "tdp_bf20c58_co2e_totals.csv", schema_overrides={"kommun_kod": pl.Utf8}
    )
    preset = load_presets()["carbon_law"]
    yearly = compute_trajectories(totals, preset, as_of_year=2026).yearly
    temperature = pl.read_csv(
        REPO / "replay/payloads/meters/borlange_daily_temperature.csv",
        separator=";",
        comment_prefix="#",
        try_parse_dates=True,
    ).select("date", "temp_c")
    result = run(
        pl.read_csv(FIXTURES / "borlange_sector_emissions_tdp_bf20c58.csv"),
        yearly.filter(pl.col("kommun_kod") == "2081"),
        load_portfolio(REPO / "replay" / "payloads" / "plan"),
        preset,
        kommun_kod="2081",
        as_of_year=2026,
        monthly_energy=pl.DataFrame(schema=METER_SCHEMA),
        temperature=temperature,
        kpi_values=pl.DataFrame(schema=KPI_VALUE_SCHEMA),
        discount_rate=0.035,
        draws=2000,
        seed=2030,
        goal_year=2030,
    )
    path = tmp_path_factory.mktemp("plan") / "borlange.duckdb"
    with duckdb.connect(str(path)) as con:
        replace_tables(con, result.tables)
        create_models(con)
        con.execute(
            "create table marts.dim_kommun as "
            "select '2081' as kommun_kod, 'Borlänge' as kommun_namn"
        )
    return path


@pytest.fixture
def con(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def test_plan_report_section_reads_the_marts(con):
    section = facts.optional(facts.plan)(facts.Query(con, "2081", 2024, Citations()))
    assert section["available"] and section["has_plan"] and section["is_synthetic"]
    assert section["goal_year"] == 2030
    assert section["bau_goal"].value == pytest.approx(364_297, abs=1)
    assert section["plan_goal"].value == pytest.approx(278_920, abs=1)
    assert section["p10_goal"].value < section["p50_goal"].value < section["p90_goal"].value
    assert section["target_goal"].value == pytest.approx(245_459, abs=1)
    assert format_value(section["plan_goal"].value, "t") == f"278{NBSP}920{NBSP}t"
    # the MAC bars add up to the plan's cut in 2030, cheapest first
    widths = [r["width_t"] for r in section["mac"]]
    assert sum(widths) == pytest.approx(364_297 - 278_920, abs=2)
    costs = [r["cost_per_tonne_sek"] for r in section["mac"]]
    assert costs == sorted(costs)
    investment = section["investment_total"].value
    portfolio = load_portfolio(REPO / "replay" / "payloads" / "plan")
    assert investment == pytest.approx(sum(a.investment_sek for a in portfolio.plan_actions))
    assert 0 < section["gap_total"].value < investment
    assert format_value(investment, "msek").endswith(f"{NBSP}mnkr")
    assert charts.mac_curve(section["mac"]).startswith("data:image/png;base64,")


def test_plan_report_template_shows_the_section(con):
    section = facts.optional(facts.plan)(facts.Query(con, "2081", 2024, Citations()))
    drawn = draw_charts(
        {
            "territorial": {
                "series": [
                    {"huvudsektor": "Industri", "year": year, "tonnes": 1.0}
                    for year in (2023, 2024)
                ]
            },
            "nowcast": {"available": False},
            "trajectories": {"methods": [], "paths": []},
            "consumption": {"available": False},
            "energy": {"available": False},
            "meters": {"available": False},
            "plan": section,
            "peers": {"available": False},
        }
    )
    assert {"plan_wedges", "plan_mac"} <= set(drawn)
    template = environment().get_template("klimatrapport.html")
    block = template.environment.from_string(
        _section(
            template.environment.loader.get_source(template.environment, "klimatrapport.html")[0]
        )
    )
    page = block.render(plan=section, charts=drawn)
    assert "Exempeldata" in page and "6b. Planen" in page
    assert 'data-fact="plan_plan_goal"' in page and f"278{NBSP}920{NBSP}t" in page
    assert page.count("<img") == 2 and "Klimatinvesteringsplan" in page


def _section(source: str) -> str:
    return source[source.index('<section id="planen">') : source.index('<section id="jamforelse">')]


def test_plan_export_workbook_opens_with_the_expected_sheets_and_figures(warehouse, tmp_path):
    out = tmp_path / "plan.xlsx"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summary = write_plan_workbook(con, "2081", out, kommun_namn="Borlänge")
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == list(SHEETS)
    readme = {r[0]: r[1] for r in book["README"].iter_rows(values_only=True) if r[0]}
    assert readme["Portfolio"].startswith("SYNTHETIC")
    assert readme["Plan (central)"] == pytest.approx(278_920, abs=1)
    pathways = {r[0]: r for r in book["B-1 Pathways"].iter_rows(min_row=2, values_only=True)}
    assert pathways[2030][1] == pytest.approx(364_297, abs=1)
    assert pathways[2030][3] < pathways[2030][4] < pathways[2030][5]
    portfolio = list(book["B-2 Portfolio"].iter_rows(min_row=2, values_only=True))
    assert len(portfolio) == summary.actions == 10
    gap = list(book["Funding Gap"].iter_rows(min_row=2, values_only=True))
    assert sum(r[3] for r in gap) == pytest.approx(summary.gap_sek)
    assert sum(r[1] for r in gap) == pytest.approx(summary.investment_sek)
    secap = list(book["SECAP Actions"].iter_rows(min_row=2, values_only=True))
    assert len(secap) == 9  # KOM-0 is avbruten: not in the plan


def test_plan_export_cli_exit_codes(warehouse, tmp_path, capsys):
    settings = Settings.from_env()
    args = argparse.Namespace(out=tmp_path / "x.csv", kommun="2081", warehouse=warehouse)
    assert run_export(args, settings) == 2
    args = argparse.Namespace(out=tmp_path / "x.xlsx", kommun="2080", warehouse=warehouse)
    assert run_export(args, settings) == 1 and "no plan for kommun 2080" in capsys.readouterr().err
    args = argparse.Namespace(out=tmp_path / "x.xlsx", kommun="2081", warehouse=warehouse)
    assert run_export(args, settings) == 0
    assert "SYNTHETIC portfolio" in capsys.readouterr().out and (tmp_path / "x.xlsx").is_file()


def test_plan_site_page_planen_is_swedish_and_marks_exempeldata(con):
    page = site.Page({}, "data/planen")
    section = facts.optional(facts.plan)(facts.Query(con, "2081", 2024, page.citations))
    html = (
        site.environment()
        .get_template("planen.html")
        .render(
            root="",
            notes=page.citations.notes(),
            build=SimpleNamespace(build_id="test", built_at="2026-12-07"),
            generated="2026-12-07",
            report_kommun=SimpleNamespace(kommun_namn="Borlänge"),
            downloads="nedladdning",
            specs={},
            plan=section,
        )
    )
    assert "Exempeldata" in html and "Planen: scenarier" in html
    assert f"278{NBSP}920{NBSP}t" in html  # the plan in 2030, Swedish format
    assert 'data-fact="plan_gap_total"' in html and "mnkr" in html
    assert html.count("<tr>") >= len(section["series"]["years"]) + len(section["mac"])
    link = (REPO / "pipelines/defs/site/templates/borlange.html").read_text(encoding="utf-8")
    assert 'href="{{ root }}planen.html"' in link
