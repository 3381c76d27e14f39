"""The yearly Klimatkontrakt follow-up report: written by the demo run, opened in headless
Chromium (no request may leave the page, every chart must load), and its numbers compared with
the marts. Screenshot and PDF go to test-artifacts/report/."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.report import facts
from pipelines.defs.report.citations import Citations
from pipelines.defs.report.render import format_value, swedish_number
from pipelines.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "report"
NBSP = "\u00a0"


def test_numbers_are_printed_the_swedish_way():
    assert swedish_number(423796.4, 0) == f"423{NBSP}796"
    assert format_value(8.2412, "t_per_capita") == f"8,24{NBSP}t/inv."
    assert format_value(-21.44, "pct") == f"−21,4{NBSP}%"
    assert format_value(None, "t") == "–"
    assert format_value(False, "bool") == "nej"
    assert format_value(dt.date(2035, 1, 14), "date") == "2035-01-14"


def test_a_source_vintage_and_mart_share_one_footnote():
    citations = Citations(source_names={"smhi_ned": "Nationella emissionsdatabasen (SMHI)"})
    assert citations.cite("smhi_ned", "2026-06-25", "marts.fct_emissions") == 1
    assert citations.cite("scb_population", "2026-02-20", "marts.emissions_per_capita") == 2
    assert citations.cite("smhi_ned", "2026-06-25", "marts.fct_emissions") == 1
    assert citations.notes()[0]["source"] == "Nationella emissionsdatabasen (SMHI)"


def test_a_section_without_its_mart_says_so_instead_of_failing():
    with duckdb.connect() as con:
        section = facts.peers(facts.Query(con, "2081", 2024, Citations()))
    assert section["available"] is False and "peer_comparison" in section["missing"]


def test_the_words_check_reads_text_not_markup():
    assert (
        report_text("<p>Metod <code>carbon_law</code></p><style>a_b {}</style>")
        == "Metod carbon_law"
    )


def report_text(page: str) -> str:
    """The report's text as a reader meets it: no markup, style or script, entities decoded."""
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_report_has_no_english_word_and_no_raw_identifier(report_path):
    """The site's word list and identifier pattern (tests/site/test_site.py), over the whole report:
    headings, tables, captions, image descriptions and footnotes."""
    from tests.site.test_site import foreign_text

    page = report_path.read_text(encoding="utf-8")
    text = report_text(page) + " " + " ".join(re.findall(r'alt="([^"]*)"', page))
    assert "Koldioxidlagen" in text and "syntetisk" in text
    assert foreign_text(text) == []


@pytest.fixture(scope="module")
def report_path(demo_warehouse) -> Path:
    paths = sorted(demo_warehouse.report.dir.glob("klimatrapport_2081_*.html"))
    assert [p.name for p in paths] == ["klimatrapport_2081_2024.html"], (
        "the demo run writes Borlänge's latest year"
    )
    return paths[0]


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no chromium: apt-get install chromium (.ci/run does)"
)
def test_report_renders_offline_and_its_numbers_are_the_marts(report_path, demo_con):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report_path.as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth])"
        )
        values = dict(
            page.eval_on_selector_all(
                "[data-fact]", "els => els.map(e => [e.dataset.fact, e.dataset.value])"
            )
        )
        footnotes = page.eval_on_selector_all(
            "sup.fn a", "els => els.map(e => e.getAttribute('href'))"
        )
        note_ids = set(page.eval_on_selector_all("ol.notes li", "els => els.map(e => '#' + e.id)"))
        page.screenshot(path=str(ARTIFACTS / "klimatrapport_2081.png"), full_page=True)
        page.pdf(path=str(ARTIFACTS / "klimatrapport_2081.pdf"), format="A4")
        browser.close()

    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"the report made requests: {outside}"
    alts = {alt for alt, _, _ in images}
    assert {
        "Utsläpp per sektor över tid",
        "Utsläppsbana, Koldioxidlagen, 1,5 °C (11,72 % per år)",
        "Konsumtionsbaserade utsläpp över tid",
        "Fjärrvärmens klimatvärde",
        "Jämförelse Dalarnas län",
    } <= alts, alts
    assert all(complete and width > 0 for _, complete, width in images), images

    total, per_capita = demo_con.execute(
        "select tonnes, tonnes_per_capita from marts.emissions_per_capita "
        "where kommun_kod = '2081' and gas = 'CO2e' and in_latest_release and year = 2024"
    ).fetchall()[0]
    assert float(values["territorial_total"]) == pytest.approx(total, abs=1e-6)
    assert round(total) == 423796  # methods.md §4.1
    assert float(values["territorial_per_capita"]) == pytest.approx(per_capita)
    heat = demo_con.execute(
        "select sum(tonnes) from marts.fct_emissions where kommun_kod = '2081' and gas = 'CO2e' "
        "and in_latest_release and year = 2024 and huvudsektor = 'El och fjärrvärme'"
    ).fetchall()[0][0]
    assert float(values["sector:El och fjärrvärme"]) == pytest.approx(heat) and round(heat) == 46767
    exhausted = demo_con.execute(
        "select budget_exhausted_date from marts.trajectory "
        "where kommun_kod = '2081' and method = 'carbon_law'"
    ).fetchall()[0][0]
    assert values["exhausted:carbon_law"] == exhausted.isoformat()
    assert set(footnotes) <= note_ids and len(note_ids) >= 3, (
        "every footnote mark points at a listed source"
    )

    households = demo_con.execute(
        "select tonnes from marts.fct_consumption_emissions where kommun_kod = '2081' "
        "and year = 2023 and component = 'households'"
    ).fetchall()[0][0]
    assert float(values["consumption:households"]) == pytest.approx(households)
    assert households == pytest.approx(
        5445 * 51735 / 1000, rel=1e-4
    )  # SEI 5,445 kg/capita x SCB population
    rank = demo_con.execute(
        "select rank_in_group from marts.peer_comparison "
        "where group_id = 'dalarna' and kommun_kod = '2081'"
    ).fetchall()[0][0]
    assert int(values["peer_rank:dalarna"]) == rank
    uncovered_2030 = demo_con.execute(
        "select net_eligible_t from marts.climate_neutrality_balance "
        "where kommun_kod = '2081' and year = 2030"
    ).fetchall()[0][0]
    assert float(values["balance:2030:net_eligible_t"]) == pytest.approx(uncovered_2030)


def test_the_report_shows_the_nowcast_with_its_range(report_path, demo_con):
    """'Uppskattning 2025 och 2026': a Swedish paragraph and a table whose numbers are the mart's,
    the word uppskattning, and the chart with the range."""
    import re

    page = report_path.read_text(encoding="utf-8")
    section = page[page.index('<section id="uppskattning">') :]
    section = section[: section.index("</section>")]
    assert "1b. Uppskattning 2025 och 2026</h2>" in section
    assert "<strong>uppskattning</strong>" in section and "inte officiell statistik" in section
    assert 'alt="Uppskattning 2025 och 2026 med intervall"' in section
    assert 'src="data:image/png;base64,' in section
    values = dict(re.findall(r'data-fact="([^"]+)" data-value="([^"]*)"', section))
    rows = demo_con.execute(
        """select year, nowcast_t, lower_80_t, upper_80_t from marts.fct_emissions_nowcast
        where kommun_kod = '2081' and gas = 'CO2e' and huvudsektor = 'Alla' order by year"""
    ).fetchall()
    assert [r[0] for r in rows] == [2025, 2026]
    for year, estimate, lower, upper in rows:
        assert float(values[f"nowcast_nowcast:{year}"]) == pytest.approx(estimate)
        assert float(values[f"nowcast_lower_80:{year}"]) == pytest.approx(lower)
        assert float(values[f"nowcast_upper_80:{year}"]) == pytest.approx(upper)
        assert format_value(estimate, "t") in section  # e.g. 422 978 t, Swedish spaces
    probability = demo_con.execute(
        "select probability_on_path from marts.fct_nowcast_paris "
        "where kommun_kod = '2081' and method = 'carbon_law'"
    ).fetchone()[0]
    assert float(values["nowcast_paris_probability"]) == pytest.approx(100 * probability)
    # SMHI's 2024 for Borlänge is in part its own scaling of 2023: said, with the mart's figures
    filled, total = demo_con.execute(
        """select sum(tonnes) filter (where follows_common_factor), sum(tonnes)
        from marts.fct_nowcast_base_year_common_change
        where kommun_kod = '2081' and gas = 'CO2e'"""
    ).fetchone()
    assert filled == pytest.approx(251_161 + 5_447, abs=1)  # industry and product use
    assert float(values["nowcast_base_year_fill_t"]) == pytest.approx(filled)
    assert float(values["nowcast_base_year_fill_share"]) == pytest.approx(100 * filled / total)
    assert "Även SMHI:s siffror för 2024 är delvis preliminära" in section
    assert "Industri (energi + processer)" in section and format_value(-1.569, "pct") in section
    assert "Produktanvändning (inkl. lösningsmedel)" in section


def test_every_open_mart_and_source_has_a_swedish_name():
    """A citizen never meets a mart's or a source's internal name: each dbt mart and each row of
    the data_sources seed has its Swedish words in pipelines/defs/report/swedish.py."""
    import csv

    from pipelines.defs.report import swedish
    from tests.helpers import REPO, SEEDS

    marts = {p.stem for p in (REPO / "dbt_project" / "models" / "marts").rglob("*.sql")}
    assert sorted(marts - swedish.MART_NAMES.keys()) == []
    with open(SEEDS / "data_sources.csv", encoding="utf-8") as seed:
        sources = {row["source_id"] for row in csv.DictReader(seed)}
    assert sorted(sources - swedish.SOURCE_NAMES.keys()) == []
