"""The citizens' site (pipelines/defs/site/) in headless Chromium: the site `demo_warehouse` built
(its Dagster asset runs after publish), served from loopback by http.server. Every figure the
tests compare is read from the page's DOM and queried independently from the serving copy with
plain DuckDB. Screenshots go to test-artifacts/site/ (or $TEST_ARTIFACTS_DIR/site).

The tests that open pages in the browser skip with a message where Debian's chromium is missing
(scripts/ensure-system-packages.sh); those that read the built files run anyway."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import REPO_ROOT
from tests.ui.test_ui import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR") or REPO_ROOT / "test-artifacts") / "site"
AXE = REPO_ROOT / "tests" / "vendor" / "axe.min.js"
OTHER_KOMMUNER = ("0180", "2523")  # Stockholm, Gällivare: a city and a kommun of another län
MAX_REPORT_PAGE_BYTES = 1_500_000
PAGE_TYPES = (
    "index.html",
    "kommun/0180.html",
    "karta.html",
    "jamfor.html",
    "kommuner.html",
    "nedladdning.html",
)


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site and counts the body bytes it sends (the server's own measure of a page's
    transfer)."""

    sent = 0

    def copyfile(self, source, outputfile):
        CountingHandler.sent += os.fstat(source.fileno()).st_size
        super().copyfile(source, outputfile)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(demo_warehouse):
    """The built site on a loopback ephemeral port: (base URL, site folder)."""
    folder = demo_warehouse.serving.site_dir
    assert (folder / "index.html").is_file(), f"the site asset did not write {folder}"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(folder.resolve()))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def serving(demo_warehouse):
    """The serving copy the site was built from, read-only, as any reader opens it."""
    with duckdb.connect(str(demo_warehouse.serving.dir / "borlange.duckdb"), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: scripts/ensure-system-packages.sh installs it (as root)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened at a width, with every request it made and every byte it received."""

    def __init__(self, browser, base: str, path: str, width: int = 1280, bypass_csp: bool = False):
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.page.route(
            "**/*", lambda route: route.continue_()
        )  # routing turns the browser cache off
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        before = CountingHandler.sent
        self.page.goto(base + path)
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "[...document.querySelectorAll('figure.chart[data-spec]')]"
            ".every(f => f.getAttribute('data-drawn') === 'true' || !f.hasAttribute('data-rows'))",
            timeout=20_000,
        )
        self.bytes = CountingHandler.sent - before  # the page and everything it loaded

    def facts(self) -> dict[str, float | str]:
        return self.page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('[data-fact]')]"
            ".map(e => [e.dataset.fact, e.dataset.value]))"
        )

    def table(self, selector: str) -> list[list[str]]:
        """Rows of a table: the row header's text, then each cell's data-value (its text if it has
        none)."""
        return self.page.evaluate(
            """sel => [...document.querySelectorAll(sel + ' tbody tr')].map(tr =>
            [...tr.children].map(c =>
                c.dataset.value !== undefined ? c.dataset.value : c.textContent.trim()))""",
            selector,
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, site):
    opened = []

    def open_(path: str, width: int = 1280, bypass_csp: bool = False) -> Visit:
        v = Visit(browser, site[0], path, width, bypass_csp)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        v.close()


def headline_from_marts(con, kod: str) -> dict:
    row = con.execute(
        """
        select e.year, e.tonnes, e.tonnes_per_capita, e.population, r.rank_in_lan, r.rank_in_sweden
        from marts.emissions_per_capita e
        join marts.emissions_rank_in_lan r using (kommun_kod, year, gas, vintage)
        where e.kommun_kod = ? and e.gas = 'CO2e' and e.in_latest_release
        order by e.year desc limit 1""",
        [kod],
    ).fetchone()
    return dict(
        zip(
            ["year", "tonnes", "per_capita", "population", "rank_in_lan", "rank_in_sweden"],
            row,
            strict=True,
        )
    )


def sectors_from_marts(con, kod: str) -> dict[tuple[int, str], float]:
    return {
        (y, s): t
        for y, s, t in con.execute(
            """
        select year, huvudsektor, sum(tonnes) from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2e' and in_latest_release and huvudsektor <> 'Alla'
        group by all""",
            [kod],
        ).fetchall()
    }


def assert_kommun_page_equals_marts(v: Visit, con, kod: str) -> None:
    facts = v.facts()
    head = headline_from_marts(con, kod)
    assert float(facts["territorial_total"]) == pytest.approx(head["tonnes"], rel=1e-12)
    assert float(facts["territorial_per_capita"]) == pytest.approx(head["per_capita"], rel=1e-12)
    assert int(facts["population"]) == head["population"]
    assert int(facts["rank_in_lan"]) == head["rank_in_lan"]
    assert int(facts["rank_in_sweden"]) == head["rank_in_sweden"]
    # The printed total is the mart value, rounded the Swedish way.
    shown = v.page.locator('[data-fact="territorial_total"]').inner_text()
    assert shown == f"{head['tonnes']:,.0f}".replace(",", "\u00a0") + "\u00a0t"

    sectors = [
        h.strip()
        for h in v.page.evaluate(
            "[...document.querySelectorAll('#tabell-sektorer thead th')].slice(1).map(t => "
            "t.dataset.sector)"
        )
    ]
    expected = sectors_from_marts(con, kod)
    shown_cells = {}
    for row in v.table("#tabell-sektorer"):
        year = int(row[0])
        for sector, value in zip(sectors, row[1:], strict=True):
            if value != "":
                shown_cells[(year, sector)] = float(value)
    assert shown_cells.keys() == expected.keys()
    assert all(shown_cells[k] == pytest.approx(expected[k], rel=1e-12) for k in expected)

    methods = dict(
        con.execute(
            "select method, trend_sum_t from marts.trajectory where kommun_kod = ? "
            "and trend_sum_t is not null",
            [kod],
        ).fetchall()
    )
    assert methods, f"no trajectory for {kod}"
    for method, trend_sum in methods.items():
        assert float(facts[f"trend_sum:{method}"]) == pytest.approx(trend_sum, rel=1e-12)
    paths = con.execute(
        "select count(distinct method) from marts.fct_carbon_budget where kommun_kod = ?", [kod]
    ).fetchone()[0]
    assert v.page.locator("figure[id^='diagram-bana-'][data-drawn='true']").count() == paths


def test_the_site_is_built_from_the_current_serving_build(site, serving, demo_warehouse):
    _, folder = site
    build_id = serving.execute("select build_id from marts._manifest").fetchone()[0]
    assert build_id in (folder / "index.html").read_text(encoding="utf-8")
    assert folder.is_symlink() and folder.resolve().name.endswith(build_id)
    kommuner = {k for (k,) in serving.execute("select kommun_kod from marts.dim_kommun").fetchall()}
    assert len(kommuner) == 290
    assert {p.stem for p in (folder / "kommun").glob("*.html")} == kommuner
    assert demo_warehouse.report.kommun in kommuner


def test_the_report_kommuns_page_equals_the_marts(visit, serving, demo_warehouse):
    kod = demo_warehouse.report.kommun
    v = visit("index.html")
    assert_kommun_page_equals_marts(v, serving, kod)
    facts = v.facts()
    revisions = serving.execute(
        """
        select year, huvudsektor, tonnes, previous_tonnes from marts.emission_revisions
        where kommun_kod = ? and gas = 'CO2e' and previous_vintage is not null
          and abs(change_pct) >= 0.5
          and vintage = (select max(vintage) from marts.emission_revisions where kommun_kod = ?)""",
        [kod, kod],
    ).fetchall()
    shown = v.page.evaluate("""[...document.querySelectorAll('#tabell-revideringar tbody tr')]
        .map(tr => [tr.dataset.year, tr.dataset.sector,
                    ...[...tr.querySelectorAll('[data-value]')].map(e => e.dataset.value)])""")
    assert len(shown) == len(revisions) > 0
    by_key = {(int(r[0]), r[1]): (float(r[3]), float(r[2])) for r in shown}
    for year, sector, tonnes, previous in revisions:
        assert by_key[(year, sector)] == (
            pytest.approx(tonnes, rel=1e-12),
            pytest.approx(previous, rel=1e-12),
        )
    gap = serving.execute(
        "select uncovered_t, required_cut_t from marts.portfolio_vs_gap "
        "where method = 'carbon_law' and year = 2030"
    ).fetchone()
    assert float(facts["portfolio:uncovered_t"]) == pytest.approx(gap[0], rel=1e-12)
    assert float(facts["portfolio:required_cut_t"]) == pytest.approx(gap[1], rel=1e-12)
    net = serving.execute(
        "select net_eligible_t from marts.climate_neutrality_balance where kommun_kod = ? "
        "and basis = 'projection'",
        [kod],
    ).fetchone()[0]
    projection_year = serving.execute(
        "select year from marts.climate_neutrality_balance where kommun_kod = ? "
        "and basis = 'projection'",
        [kod],
    ).fetchone()[0]
    assert float(facts[f"balance:{projection_year}:net_eligible_t"]) == pytest.approx(
        net, rel=1e-12
    )
    households = serving.execute(
        "select tonnes from marts.fct_consumption_emissions where kommun_kod = ? "
        "and component = 'households' order by year desc limit 1",
        [kod],
    ).fetchone()[0]
    assert float(facts["consumption:households"]) == pytest.approx(households, rel=1e-12)
    peer_ranks = dict(
        serving.execute(
            "select group_id, rank_in_group from marts.peer_comparison where kommun_kod = ?", [kod]
        ).fetchall()
    )
    assert peer_ranks and all(int(facts[f"peer_rank:{g}"]) == r for g, r in peer_ranks.items())
    # Every number has a footnote naming its source and vintage.
    notes = v.page.locator("ol.sources li", has=v.page.locator("[data-mart='marts.fct_emissions']"))
    assert any("version 2026-06-25" in n for n in notes.all_inner_texts())
    assert v.errors == []


@pytest.mark.parametrize("kod", OTHER_KOMMUNER)
def test_another_kommuns_page_equals_the_marts(visit, serving, kod):
    v = visit(f"kommun/{kod}.html")
    assert_kommun_page_equals_marts(v, serving, kod)
    name, lan = serving.execute(
        "select kommun_namn, lan_namn from marts.dim_kommun where kommun_kod = ?", [kod]
    ).fetchone()
    assert name in v.page.locator("h1").inner_text()
    in_lan = serving.execute(
        "select count(*) from marts.dim_kommun where lan_namn = ?", [lan]
    ).fetchone()[0]
    assert (
        f"av {in_lan}" in v.page.locator("ul.headline li", has_text=f"Plats i {lan}").inner_text()
    )
    assert v.errors == []


def test_the_map_draws_every_kommun(visit, serving):
    v = visit("karta.html")
    kommuner = serving.execute("select count(*) from marts.dim_kommun").fetchone()[0]
    assert v.page.locator("#karta .mark-shape.kommun_shapes path").count() == kommuner == 290
    rows = {
        r[0]: float(r[4])
        for r in v.page.evaluate("""[...document.querySelectorAll('#tabell-karta tbody tr')]
        .map(tr => [tr.dataset.kommun,
                    ...[...tr.children].map(c => c.dataset.value || c.textContent)])""")
    }
    expected = dict(
        serving.execute("""
        select kommun_kod, arg_max(tonnes_per_capita, year) from marts.emissions_per_capita
        where gas = 'CO2e' and in_latest_release and tonnes_per_capita is not null
        group by kommun_kod""").fetchall()
    )
    assert rows.keys() == expected.keys()
    assert all(rows[k] == pytest.approx(expected[k], rel=1e-12) for k in expected)


def test_the_comparison_view_compares_the_chosen_kommuner(visit, serving, demo_warehouse):
    v = visit("jamfor.html")
    v.page.wait_for_selector("#jamfor[data-ready='true']")
    assert v.page.locator("#jamforelse tbody tr").count() == 1  # the report kommun to start with
    for kod in OTHER_KOMMUNER:
        v.page.select_option("#valj-kommun", kod)
        v.page.click("#lagg-till")
    chosen = [demo_warehouse.report.kommun, *OTHER_KOMMUNER]
    assert (
        v.page.evaluate(
            "[...document.querySelectorAll('#jamforelse tbody tr')].map(r => r.dataset.kommun)"
        )
        == chosen
    )
    v.page.wait_for_selector("#jamfor figure.chart[data-drawn='true']")
    for kod in chosen:
        row = v.page.locator(f"#jamforelse tr[data-kommun='{kod}']")
        cells = row.locator("td").all()
        head = headline_from_marts(serving, kod)
        assert float(cells[2].get_attribute("data-value")) == pytest.approx(
            head["tonnes"], rel=1e-12
        )
        assert float(cells[3].get_attribute("data-value")) == pytest.approx(
            head["per_capita"], rel=1e-12
        )
        assert cells[3].inner_text() == f"{head['per_capita']:.2f}".replace(".", ",")
        assert cells[5].inner_text() == f"{head['rank_in_lan']} av " + str(
            serving.execute(
                "select kommuner_in_lan from marts.emissions_rank_in_lan"
                " where kommun_kod = ? and year = ? and gas = 'CO2e'",
                [kod, head["year"]],
            ).fetchone()[0]
        )
    # One line per chosen kommun in the chart.
    assert v.page.locator("#jamfor .mark-line path").count() == len(chosen)
    v.page.locator("#jamforelse tr[data-kommun='0180'] button").click()
    assert v.page.locator("#jamforelse tbody tr").count() == len(chosen) - 1


def test_no_request_leaves_the_site(visit, site):
    base = site[0]
    for path in PAGE_TYPES:
        v = visit(path)
        assert v.requests and all(url.startswith(base) for url in v.requests), [
            u for u in v.requests if not u.startswith(base)
        ]
        # The Content-Security-Policy stops a request to anywhere else, should any script try one.
        blocked = v.page.evaluate("""() => new Promise(resolve => {
            document.addEventListener(
                'securitypolicyviolation', e => resolve(e.blockedURI), {once: true});
            fetch('https://example.org/x').catch(() => {});
            setTimeout(() => resolve(null), 3000);
        })""")
        assert blocked == "https://example.org/x"
        assert all(url.startswith(base) for url in v.requests)


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_axe_finds_no_serious_or_critical_violation(visit, path):
    v = visit(path, bypass_csp=True)  # only so that axe itself can be injected
    v.page.evaluate(AXE.read_text(encoding="utf-8"))
    results = v.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (r["id"], r["impact"], [n["target"] for n in r["nodes"][:3]])
        for r in results["violations"]
        if r["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("width", [1280, 375])
def test_the_report_page_fits_the_width_and_transfers_under_1_5_mb(visit, site, width):
    v = visit("index.html", width=width)
    name = f"borlange_{width}.png"
    v.page.screenshot(path=ARTIFACTS / name, full_page=True)
    overflow = v.page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide at {width} px"
    vega = (
        (REPO_ROOT / "pipelines" / "defs" / "site" / "static" / "vendor" / "vega.min.js")
        .stat()
        .st_size
    )
    assert v.bytes > vega + (site[1] / "index.html").stat().st_size  # it did load the page and Vega
    assert v.bytes < MAX_REPORT_PAGE_BYTES, f"{v.bytes:,} bytes"
    print(
        f"report page at {width} px: {v.bytes:,} bytes transferred, screenshot {ARTIFACTS / name}"
    )
    for path in ("karta.html", "jamfor.html", "kommun/0180.html"):
        other = visit(path, width=width)
        other.page.screenshot(
            path=ARTIFACTS / f"{path.replace('/', '_').removesuffix('.html')}_{width}.png",
            full_page=True,
        )
        assert other.page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_site_links_the_builds_download_set(site, serving, demo_warehouse):
    """The download page offers every open mart of the build in each format; the charts link their
    whole marts; every mart the site cites is open data; and the files are the serving build's own
    download set (the one the API serves), hard-linked into the site, not copies of the site's
    own."""
    import re

    _, folder = site
    served = (demo_warehouse.serving.dir / "current").resolve() / "downloads"
    package = json.loads((served / "datapackage.json").read_text(encoding="utf-8"))
    open_marts = {Path(r["path"]).name.split(".")[0] for r in package["resources"]}
    published = {
        t["table"]
        for t in json.loads(
            serving.execute("select manifest_json from marts._manifest").fetchone()[0]
        )["tables"]
    }
    assert "partner_reporting_status" in published - open_marts  # names contact persons: BI only
    rows = {
        t["table"]: t["rows"]
        for t in json.loads(
            serving.execute("select manifest_json from marts._manifest").fetchone()[0]
        )["tables"]
    }
    empty = {m for m in open_marts if not rows[m]}
    page = (folder / "nedladdning.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="downloads/([^"]+)"', page))
    assert links == {
        f"{m}.{ext}" for m in open_marts - empty for ext in ("csv", "xlsx", "json", "parquet")
    } | {"datapackage.json"}
    cited, linked = set(), set()
    for path in ("index.html", "kommun/0180.html", "karta.html", "jamfor.html"):
        text = (folder / path).read_text(encoding="utf-8")
        cited |= set(re.findall(r'data-mart="marts\.([a-z_]+)"', text))
        linked |= set(re.findall(r'href="(?:\.\./)?downloads/([^"]+)"', text))
    assert {
        "fct_emissions",
        "emission_revisions",
        "portfolio_vs_gap",
        "emissions_rank_in_lan",
    } <= cited
    assert cited <= open_marts, cited - open_marts
    assert linked and all((folder / "downloads" / name).is_file() for name in linked)
    build = folder.resolve()
    for name in links | linked:
        assert os.path.samefile(build / "downloads" / name, served / name), name


# English words and raw identifiers a citizen must not meet (issue 22's examples and their kin).
# Whole words, case-insensitive; proper names of sources stay out of the list.
ENGLISH_WORDS = (
    "the", "and", "of", "with", "from", "not met", "submission", "cannot", "excluded", "modelled",
    "downscaled", "reported", "investments", "public sector", "households", "seed", "warehouse",
    "maintainers", "resident", "residents", "count", "carbon law", "synthetic", "estimate",
    "assumption", "national", "inventory", "allocation", "partial", "complete", "mart", "marts",
    "build", "per year", "true", "false", "null", "none",
)  # fmt: skip
SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
PAGES_375 = ("index.html", *(f"kommun/{kod}.html" for kod in OTHER_KOMMUNER))


def foreign_text(text: str) -> list[str]:
    """The English words from ENGLISH_WORDS and the snake_case identifiers in `text`, in context."""
    found = []
    for word in ENGLISH_WORDS:
        for m in re.finditer(rf"(?<![\wåäöÅÄÖ]){re.escape(word)}(?![\wåäöÅÄÖ])", text, re.I):
            found.append(f"{word!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…")
    found += [f"{m.group()!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…"
              for m in SNAKE_CASE.finditer(text)]  # fmt: skip
    return found


def test_the_word_check_finds_english_and_identifiers():
    assert foreign_text("Metod: carbon_law, not met: no SSAB submission") == [
        "'not met' in …Metod: carbon_law, not met: no SSAB submission…",
        "'submission' in …Metod: carbon_law, not met: no SSAB submission…",
        "'carbon_law' in …Metod: carbon_law, not met: no SSAB submission…",
    ]
    assert foreign_text("Utsläpp per invånare, Koldioxidlagen, tillåten bana") == []


# Everything wider than the viewport that is not inside a scroll container (overflow-x auto or
# scroll); and each scroll container that scrolls, scrolled to its end: is every row's first cell
# still inside the container's visible box?
LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const scroller = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return p; }
    return null; };
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 0.5 && !scroller(e);
  }).map(e => e.tagName + '#' + e.id + '.' + e.className);
  const hidden = [];
  document.querySelectorAll('.table-wrap').forEach(w => {
    if (w.scrollWidth <= w.clientWidth) return;
    w.scrollLeft = w.scrollWidth;
    const box = w.getBoundingClientRect();
    w.querySelectorAll('tr').forEach(tr => {
      const first = tr.firstElementChild; if (!first || first.colSpan > 1) return;
      const r = first.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.left + w.clientWidth + 0.5)
        hidden.push((w.querySelector('table') || w).id + ': ' + first.textContent.trim());
    });
    w.scrollLeft = 0;
  });
  return {wide, hidden};
}"""


def chart_texts(v: Visit) -> list[str]:
    """Every text Vega drew: axis labels and titles, legend labels and titles."""
    return v.page.evaluate(
        "[...document.querySelectorAll('.chart-canvas svg text')].map(t => t.textContent)"
    )


def english_number(text: str) -> bool:
    """'2,600' or '2.6' (English grouping or decimal point); a year or '2 600' is fine."""
    return bool(re.search(r"\d,\d{3}(?!\d)|\d\.\d", text))


@pytest.mark.parametrize("path", PAGES_375)
def test_kommun_pages_read_as_swedish_on_a_phone(visit, serving, demo_warehouse, path):
    """At 375 px: nothing wider than the screen outside a scroll container whose first column stays
    in view; every number Vega draws (axes, legends, tooltips) the Swedish way; no English word and
    no snake_case identifier in the visible text; the Paris verdict equal to marts.trajectory."""
    kod = demo_warehouse.report.kommun if path == "index.html" else path[7:11]
    v = visit(path, width=375)
    v.page.screenshot(path=ARTIFACTS / f"swedish_375_{kod}.png", full_page=True)
    layout = v.page.evaluate(LAYOUT_JS)
    assert layout == {"wide": [], "hidden": []}

    texts = chart_texts(v)
    assert len(texts) > 20
    assert [t for t in texts if english_number(t)] == []
    if kod == "0180":  # Stockholm's sectors reach thousands of kt: grouped with a space
        assert any(re.fullmatch(r"\d\u00a0\d{3}", t) for t in texts), texts

    # A bar's tooltip, as a mouse or a finger shows it: an element of the page, Swedish numbers.
    v.page.locator("#diagram-sektorer").scroll_into_view_if_needed()
    x, y = v.page.evaluate("""() => {  // the newest year's tallest bar
        const boxes = [...document.querySelectorAll('#diagram-sektorer .mark-rect path')]
            .map(p => p.getBoundingClientRect());
        const right = Math.max(...boxes.map(b => b.x));
        const bar = boxes.filter(b => b.x > right - 1).sort((a, b) => b.height - a.height)[0];
        return [bar.x + bar.width / 2, bar.y + bar.height / 2]; }""")
    v.page.mouse.move(x, y)
    tip = v.page.locator("#diagram-sektorer .tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    value = float(re.search(r"kt CO2e: ([\d\u00a0,\u2212]+)", text)[1]
                  .replace("\u00a0", "").replace(",", ".").replace("\u2212", "-"))  # fmt: skip
    assert not english_number(text) and re.search(r"kt CO2e: [\d\u00a0]+,\d", text), text
    newest = serving.execute(
        """select max(year) from marts.fct_emissions where kommun_kod = ? and gas = 'CO2e'
        and in_latest_release""",
        [kod],
    ).fetchone()[0]
    assert str(newest) in text
    sectors = sectors_from_marts(serving, kod)
    assert any(abs(t / 1000 - value) < 0.051 for (y, _), t in sectors.items() if y == newest)
    assert (
        v.page.evaluate(
            "[...document.querySelectorAll('.chart-canvas, .chart-canvas *')].some(e => e.title)"
        )
        is False
    )

    v.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    visible = v.page.locator("body").inner_text()
    assert foreign_text(visible) == []

    meets = serving.execute(
        "select meets_paris from marts.trajectory where kommun_kod = ? and method = 'carbon_law'",
        [kod],
    ).fetchone()[0]
    verdict = v.page.locator("#paris [data-fact='paris_verdict']")
    assert verdict.get_attribute("data-value") == str(meets)
    headline = v.page.locator("#paris").inner_text()
    assert ("klarar inte Parisavtalet" in headline) == (meets is False)
    assert "Koldioxidlagen" in headline
    assert v.page.locator("#paris a[href$='sa-raknar-vi.html#carbon_law']").count() == 1
    assert v.errors == []


def test_every_synthetic_value_carries_its_mark(visit, serving, demo_warehouse):
    kod = demo_warehouse.report.kommun
    synthetic = serving.execute(
        """select sink_type from marts.fct_carbon_sinks
        where kommun_kod = ? and value_status = 'synthetic'
        and year = (select max(year) from marts.fct_carbon_sinks where kommun_kod = ?)""",
        [kod, kod],
    ).fetchall()
    assert synthetic, "the demo's downscaled forest sink is synthetic"
    v = visit("index.html")
    rows = v.page.locator("#tabell-sankor tbody tr[data-status='synthetic']")
    assert rows.count() == len(synthetic)
    for i in range(rows.count()):
        assert "syntetisk" in rows.nth(i).inner_text()
    assert (
        v.page.locator(
            "#tabell-sankor tbody tr:not([data-status='synthetic']) .synthetic-mark"
        ).count()
        == 0
    )
    # The balance's figures that include the synthetic sink, its chart, and the explanation.
    marked = v.page.locator("#balans td[data-status='synthetic']")
    assert marked.count() >= 2
    assert all("syntetisk" in t for t in marked.all_inner_texts())
    assert v.page.locator(".legend-synthetic a[href$='ordlista.html#syntetisk']").count() >= 1

    d = visit("nedladdning.html")
    for mart, flag in (("fct_carbon_sinks", "value_status = 'synthetic' or key_is_synthetic"),
                       ("fct_indicators", "is_synthetic")):  # fmt: skip
        count = serving.execute(f"select count(*) from marts.{mart} where {flag}").fetchone()[0]
        row = d.page.locator(f"#tabell-nedladdning tr[data-mart='{mart}']")
        assert count > 0 and row.get_attribute("data-status") == "synthetic"
        assert f"{count:,}".replace(",", "\u00a0") + " rader" in row.inner_text()
    real = d.page.locator("#tabell-nedladdning tr[data-mart='emissions_per_capita']")
    assert real.get_attribute("data-status") is None and "syntetisk" not in real.inner_text()


def test_the_downloads_page_describes_sizes_and_hides_empty_marts(visit, site):
    v = visit("nedladdning.html", width=375)
    assert v.page.evaluate(LAYOUT_JS) == {"wide": [], "hidden": []}
    rows = v.page.locator("#tabell-nedladdning tbody tr")
    assert rows.count() > 20
    folder = site[1]
    for link in v.page.locator("#tabell-nedladdning a[data-bytes]").all():
        name = link.get_attribute("href").removeprefix("downloads/")
        assert int(link.get_attribute("data-bytes")) == (folder / "downloads" / name).stat().st_size
    assert all(int(c) > 0 for c in v.page.evaluate(
        "[...document.querySelectorAll('#tabell-nedladdning tbody tr')]"
        ".map(r => r.children[1].dataset.value)"
    ))  # fmt: skip
    assert foreign_text(v.page.locator("body").inner_text()) == []
    # A kommun page's link to a whole mart says how big the file is.
    k = visit("kommun/0180.html")
    whole = k.page.locator("#diagram-sektorer a[data-mart='fct_emissions']").inner_text()
    assert re.search(r"CSV, \d+(,\d)?\u00a0MB", whole), whole


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_is_swedish_and_its_tables_fit_at_1280_px(visit, path):
    v = visit(path)
    if path == "jamfor.html":
        v.page.wait_for_selector("#jamfor[data-ready='true']")
    assert foreign_text(v.page.locator("body").inner_text()) == []
    too_wide = v.page.evaluate("""() => { const main = document.querySelector('main').clientWidth;
        return [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null
            && t.getBoundingClientRect().width > main).map(t => t.id || t.className); }""")
    assert too_wide == []


def test_the_map_highlights_the_kommun_and_shows_its_figures_on_a_tap(browser, site, serving):
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(site[0] + "karta.html#2523")
        page.wait_for_selector("#karta[data-drawn='true']")
        outline = page.locator("#karta .mark-shape.highlight_outline path")
        assert outline.count() == 1
        box = outline.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tip = page.locator("#karta .tooltip")
        tip.wait_for(state="visible")
        per_capita = serving.execute(
            """select arg_max(tonnes_per_capita, year) from marts.emissions_per_capita
            where kommun_kod = '2523' and gas = 'CO2e' and in_latest_release
            and tonnes_per_capita is not null"""
        ).fetchone()[0]
        assert "Gällivare" in tip.inner_text()
        assert f"{per_capita:.2f}".replace(".", ",") in tip.inner_text()
        assert page.url.endswith("karta.html#2523")  # the first tap shows, it does not navigate
        legend = page.evaluate(
            "[...document.querySelectorAll('#karta .role-legend text')].map(t => t.textContent)"
        )
        assert legend and not any(english_number(t) for t in legend), legend
    finally:
        context.close()


def test_kommun_search_finds_and_opens_a_kommun(visit):
    v = visit("kommuner.html", width=375)
    v.page.fill("#sok-kommun", "borl")
    assert v.page.locator("#kommunsok li:visible").all_inner_texts() == ["Borlänge"]
    assert v.page.locator("#sok-antal").inner_text() == "1 kommun"
    v.page.press("#sok-kommun", "Enter")
    v.page.wait_for_url("**/index.html")


def test_lists_follow_swedish_alphabetical_order(site):
    from pipelines.defs.report.swedish import sort_key

    page = (site[1] / "kommuner.html").read_text(encoding="utf-8")
    dalarna = page.split('id="lan-20"')[1].split("</ul>")[0]
    names = re.findall(r">([^<>]+)</a></li>", dalarna)
    assert names == sorted(names, key=sort_key) and len(names) == 15
    assert names.index("Vansbro") < names.index("Älvdalen")
    lans = re.findall(r'<h2 id="lan-\d+">([^<]+)</h2>', page)
    assert lans.index("Västra Götalands län") < lans.index("Örebro län")
    assert sort_key("Åre") < sort_key("Älvdalen") < sort_key("Öckerö")


def test_glossary_and_methods_pages_exist_and_every_term_is_linked(site, serving, visit):
    folder = site[1]
    glossary = visit("ordlista.html")
    terms = glossary.page.evaluate(
        "[...document.querySelectorAll('dl.ordlista dt')].map(d => d.id)"
    )
    assert {"koldioxidlagen", "tillaten-bana", "koldioxidbudget", "nedskalad", "kolsanka"} <= set(
        terms
    )
    linked = set()
    for html_file in folder.rglob("*.html"):
        if html_file.name != "ordlista.html":
            linked |= set(re.findall(r'href="(?:\.\./)?ordlista\.html#([a-z0-9-]+)"',
                                     html_file.read_text(encoding="utf-8")))  # fmt: skip
    assert set(terms) - linked == set()
    methods = visit("sa-raknar-vi.html")
    assert methods.page.locator("h1").inner_text() == "Så räknar vi"
    for (method,) in serving.execute("select distinct method from marts.trajectory").fetchall():
        assert methods.page.locator(f"dt[id='{method}']").count() == 1, method
    for v in (glossary, methods):
        assert foreign_text(v.page.locator("body").inner_text()) == []


def test_kommun_names_take_their_official_form(visit):
    from pipelines.defs.report.swedish import official_name

    assert official_name("Stockholm") == "Stockholms stad"
    assert official_name("Borlänge") == "Borlänge kommun"
    assert official_name("Alingsås") == "Alingsås kommun"
    assert official_name("Falun") == "Falu kommun"
    assert official_name("Gällivare") == "Gällivare kommun"
    assert official_name("Linköping") == "Linköpings kommun"
    v = visit("kommun/0180.html")
    assert "Stockholms stad (0180)" in v.page.locator("p.lead").first.inner_text()
    assert v.page.locator("h1").inner_text() == "Stockholms klimatutsläpp"


def test_site_dir_keeps_its_link_unresolved(tmp_path):
    """SITE_DIR is the link a web server serves: Settings must not resolve it to today's build."""
    from pipelines.settings import Settings

    (tmp_path / "site.builds" / "b1").mkdir(parents=True)
    (tmp_path / "site").symlink_to("site.builds/b1")
    settings = Settings.from_env(
        {"WAREHOUSE_PATH": str(tmp_path / "borlange.duckdb"), "SITE_DIR": str(tmp_path / "site")}
    )
    assert settings.serving.site_dir == tmp_path.resolve() / "site"
    assert (
        Settings.from_env(
            {"WAREHOUSE_PATH": str(tmp_path / "w" / "borlange.duckdb")}
        ).serving.site_dir
        == tmp_path.resolve() / "w" / "site"
    )


@pytest.mark.parametrize(
    ("kod", "page", "root"),
    [("2081", "index.html", ""), *((k, f"kommun/{k}.html", "../") for k in OTHER_KOMMUNER)],
)
def test_the_nowcast_section_equals_the_mart(site, serving, kod, page, root):
    """'Uppskattning 2025 och 2026' on three kommuner's pages: each estimate and its 80 % and 95 %
    range is the mart's value, printed the Swedish way, called an uppskattning, with the method's
    page linked and the backtest's figures beside it."""
    from pipelines.defs.report.render import format_value

    _, folder = site
    text = (folder / page).read_text(encoding="utf-8")
    section = text[text.index('<section id="uppskattning"') :]
    section = section[: section.index("</section>")]
    assert "Uppskattning 2025 och 2026</h2>" in section
    assert "<strong>uppskattning</strong>" in section
    assert f'href="{root}uppskattning.html"' in section
    assert (folder / "uppskattning.html").is_file()
    facts = dict(re.findall(r'data-fact="([^"]+)" data-value="([^"]*)"', section))
    rows = serving.execute(
        """select year, nowcast_t, lower_80_t, upper_80_t, lower_95_t, upper_95_t
        from marts.fct_emissions_nowcast
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = 'Alla' order by year""",
        [kod],
    ).fetchall()
    assert [r[0] for r in rows] == [2025, 2026]
    for year, *values in rows:
        for key, value in zip(
            ("nowcast", "lower_80", "upper_80", "lower_95", "upper_95"), values, strict=True
        ):
            assert float(facts[f"nowcast_{key}:{year}"]) == pytest.approx(value, rel=1e-12)
            assert f">{format_value(value, 't')}</span>" in section  # 422\u00a0978\u00a0t
    mae, coverage = serving.execute(
        """select mae_pct, coverage_80 from marts.fct_nowcast_backtest_summary
        where gas = 'CO2e' and method = 'nowcast' order by actual_vintage desc limit 1"""
    ).fetchone()
    assert float(facts["nowcast_backtest_mae"]) == pytest.approx(mae)
    assert float(facts["nowcast_backtest_coverage_80"]) == pytest.approx(100 * coverage)
    assert f">{format_value(100 * coverage, 'pct_plain')}</span>" in section  # 80,0 %
    # The part of SMHI's own 2024 that is most likely its scaling of 2023, from the mart.
    filled, total = serving.execute(
        """select sum(tonnes) filter (where follows_common_factor), sum(tonnes)
        from marts.fct_nowcast_base_year_common_change where kommun_kod = ? and gas = 'CO2e'""",
        [kod],
    ).fetchone()
    if filled:
        assert "Även SMHI:s siffror för 2024 är delvis preliminära" in section
        assert float(facts["nowcast_base_year_fill_t"]) == pytest.approx(filled)
        assert float(facts["nowcast_base_year_fill_share"]) == pytest.approx(100 * filled / total)
        assert f">{format_value(filled, 't')}</span>" in section
    else:
        assert "preliminära" not in section and "nowcast_base_year_fill_t" not in facts
    if kod == "2081":  # industry and product use
        assert filled == pytest.approx(256_608, abs=1)
        assert "Industri (energi + processer) och Produktanvändning" in section


@pytest.mark.usefixtures("site")
def test_a_new_site_build_swaps_in_whole_and_sweeps_a_crashed_one(demo_warehouse):
    """Runs last: builds the site again into the served folder. The link moves to a new folder in
    one rename; the folder being served stays whole; what a crashed build left is removed."""
    from pipelines.defs.site.build import write_site

    link = demo_warehouse.serving.site_dir
    before = link.resolve()
    crashed = link.with_name(link.name + ".builds") / ".crashed.tmp"
    (crashed / "kommun").mkdir(parents=True)
    built = write_site(demo_warehouse.serving.dir, link, demo_warehouse.report.kommun)
    assert link.is_symlink() and link.resolve() == built.folder != before
    # Still whole for whoever serves it.
    assert before.is_dir() and (before / "index.html").is_file()
    assert not crashed.exists()
    # 289 kommun pages, the report kommun's and its redirect, the list, map, comparison and download
    # pages, the glossary, "Så räknar vi", the nowcast's method page and the plan
    assert built.pages == 289 + 2 + 8
    assert sorted(p.stem for p in (built.folder / "kommun").glob("*.html")) == sorted(
        p.stem for p in (before / "kommun").glob("*.html")
    )
