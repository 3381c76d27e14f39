"""Build the citizens' static site (Swedish) from the published serving copy (plain Python, no
Dagster).

    <site>/index.html                 the report kommun (REPORT_KOMMUN): every section
    <site>/kommun/<kod>.html          every other kommun: sectors, trajectories, rank in its län
    <site>/kommuner.html              all 290, by län
    <site>/uppskattning.html          how the estimates after SMHI's last year are made
    <site>/jamfor.html                the comparison view (data/jamfor.json, client-side)
    <site>/karta.html                 emissions per resident on a map (assets/kommuner.geojson)
    <site>/data/<kod>/<chart>.csv     each chart's own rows
    <site>/nedladdning.html           every mart of the build, in each download format
    <site>/downloads/                 the build's download set (the same files the API serves)
    <site>/assets/                    CSS, JS, Vega (vendored), the map

`write_site` renders everything into `<site>.<build_id>.tmp`, then swaps it in: the site folder
is a link to `<site>.builds/<build_id>` renamed over in one step, so a web server serving the
link never shows half a site. Every number is a mart value printed with its source, vintage and
mart (the report's footnotes, pipelines/defs/report/citations.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipelines.defs.report import facts
from pipelines.defs.report import swedish as sv
from pipelines.defs.report.citations import Citations
from pipelines.defs.report.render import LABELS, footnotes, format_value, num
from pipelines.defs.report.render import TEMPLATE_DIR as REPORT_TEMPLATES
from pipelines.defs.site import charts, data
from pipelines.lib.downloads import DOWNLOADS_DIR as DOWNLOADS
from pipelines.lib.downloads import FORMATS as DOWNLOAD_FORMATS
from pipelines.lib.durable import fsync_dir, link_or_copy
from pipelines.lib.publish import switch_link
from sources.formula_safety import neutralise

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
KEEP_BUILDS = 2
# Only this site's own origin: no CDN, font, analytics or API host (Vega's data loads are
# same-origin).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "
    "'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)
MAP_ATTRIBUTION = "Kommungränser: Valmyndigheten via okfse/sweden-geojson (förenklade)"


@dataclass(frozen=True)
class BuiltSite:
    path: Path  # the site link (what a web server serves)
    folder: Path  # the build it points at
    build_id: str
    pages: int
    report_page: Path


def environment() -> jinja2.Environment:
    # The report's templates too: the neutrality balance table has one home
    # (report/templates/balance.html).
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES, REPORT_TEMPLATES]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        num=num,
        footnotes=footnotes,
        labels=LABELS,
        method_name=sv.method_name,
        sv=sv,
        cell=cell,
        csp=CSP,
        format_value=format_value,
    )
    env.filters["sentence"] = lambda text: text[:1].upper() + text[1:]
    env.filters["tojson_compact"] = lambda v: Markup(
        json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")
    )
    return env


def cell(value, kind: str) -> Markup:
    """A table cell: the number the Swedish way, the mart value unrounded in data-value."""
    raw = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)
    return Markup(
        f'<td data-value="{html.escape(str(raw))}">{html.escape(format_value(value, kind))}</td>'
    )


def kt(value):
    return None if value is None else round(value / 1000, 3)


class Page:
    """One page's footnotes (the report's Citations) and its charts' CSV files."""

    def __init__(self, names: dict[str, str], csv_dir: str):
        self.citations = Citations(source_names=names)
        self.csv_dir = csv_dir
        self.csv: dict[str, list[list]] = {}

    def fact(
        self, value, kind: str, *, source_id: str, vintage, mart: str, fact_id: str = ""
    ) -> facts.Fact:
        return facts.Fact(value, self.citations.cite(source_id, vintage, mart), kind, fact_id)

    def note(self, source_id: str, vintage, mart: str) -> int:
        return self.citations.cite(source_id, vintage, mart)

    def chart_csv(self, name: str, header: list[str], body: list[list]) -> str:
        self.csv[name] = [header, *body]
        return f"{self.csv_dir}/{name}.csv"


def sector_section(page: Page, k: data.Kommun) -> dict:
    vintage = data.emissions_vintage(k)
    present = {r["huvudsektor"] for r in k.sectors}
    # The palette's order (largest sectors first, as the report stacks them), then any other.
    sectors = [s for s in sv.SECTOR_COLOURS if s in present] + sorted(
        present - sv.SECTOR_COLOURS.keys(), key=sv.sort_key
    )
    years = sorted({r["year"] for r in k.sectors})
    by = {(r["year"], r["huvudsektor"]): r["tonnes"] for r in k.sectors}
    table = [{"year": y, "cells": [by.get((y, s)) for s in sectors]} for y in years]
    return {
        "vintage": vintage,
        "sectors": sectors,
        "colours": [[s, sv.sector_colour(s, i)] for i, s in enumerate(sectors)],
        "table": table,
        "note": page.note(data.SMHI, vintage, "marts.fct_emissions"),
        "rows": [
            {"year": r["year"], "series": r["huvudsektor"], "value": kt(r["tonnes"])}
            for r in k.sectors
        ],
        "csv": page.chart_csv(
            "utslapp_per_sektor",
            ["år", "huvudsektor", "ton CO2e", "SMHI-version"],
            [[r["year"], r["huvudsektor"], r["tonnes"], vintage] for r in k.sectors],
        ),
    }


def trajectory_section(page: Page, k: data.Kommun, vintage) -> dict:
    cite = dict(source_id=data.SMHI, vintage=vintage, mart="marts.trajectory")
    methods = []
    for m in k.methods:
        path = k.paths.get(m["method"], [])
        rows = []
        for p in path:
            if p["emissions_t"] is not None:
                actual = p["emissions_kind"] == "actual"
                rows.append(
                    {
                        "year": p["year"],
                        "series": "utfall (SMHI)" if actual else "trend",
                        "value": kt(p["emissions_t"]),
                        "dashed": not actual,
                    }
                )
            if p["allowed_t"] is not None:
                rows.append(
                    {
                        "year": p["year"],
                        "series": "tillåten bana",
                        "value": kt(p["allowed_t"]),
                        "dashed": False,
                    }
                )
        methods.append(
            {
                "method": m["method"],
                "gas": m["gas"],
                "scope_status": m["scope_status"],
                "trend_sum": page.fact(
                    m["trend_sum_t"], "t", **cite, fact_id=f"trend_sum:{m['method']}"
                ),
                "allowed_sum": page.fact(
                    m["allowed_sum_t"], "t", **cite, fact_id=f"allowed_sum:{m['method']}"
                ),
                "meets_paris": page.fact(
                    m["meets_paris"], "bool", **cite, fact_id=f"meets_paris:{m['method']}"
                ),
                "exhausted": page.fact(
                    m["budget_exhausted_date"], "date", **cite, fact_id=f"exhausted:{m['method']}"
                ),
                "net_zero": page.fact(m["net_zero_date"], "date", **cite),
                "exhausted_text": budget_words(m["budget_exhausted_date"], m["budget_t"]),
                "budget_gone": m["budget_t"] is not None and m["budget_t"] <= 0,
                "note": page.note(data.SMHI, vintage, "marts.trajectory"),
                "gap_2030": page.fact(
                    m["gap_2030_t"], "t", **cite, fact_id=f"gap_2030:{m['method']}"
                ),
                "rows": rows,
                "path_rows": path_rows(path),
                "path_note": page.note(data.SMHI, vintage, "marts.fct_carbon_budget"),
                "csv": page.chart_csv(
                    f"bana_{m['method']}",
                    ["år", "metod", "utsläpp ton", "utsläpp är", "tillåtet ton"],
                    [
                        [
                            p["year"],
                            m["method"],
                            p["emissions_t"],
                            p["emissions_kind"],
                            p["allowed_t"],
                        ]
                        for p in path
                    ],
                ),
            }
        )
    return {"methods": methods}


def budget_words(exhausted: dt.date | None, budget_t: float | None) -> str:
    """When the budget runs out, in words. A remaining budget below zero means the kommun has
    already emitted more than its share (the mart then dates the exhaustion at its first year)."""
    if budget_t is not None and budget_t <= 0:
        return "redan slut"
    if exhausted is None:
        return "räcker hela banan" if budget_t is not None else "–"
    return f"tar slut i {sv.MONTHS[exhausted.month - 1]} {exhausted.year}"


def path_rows(path: list[dict]) -> Markup:
    """A method's yearly table, built here, not in a template loop: 870 such tables per site."""
    return Markup("".join(path_row(p) for p in path))


def path_row(p: dict) -> str:
    kind = html.escape(sv.name(sv.EMISSIONS_KIND, p["emissions_kind"]))
    return (
        f'<tr data-year="{p["year"]}"><th scope="row">{p["year"]}</th>'
        f'{cell(p["emissions_t"], "t")}<td class="text">{kind}</td>{cell(p["allowed_t"], "t")}</tr>'
    )


def headline(page: Page, k: data.Kommun) -> dict | None:
    if not k.latest:
        return None
    latest = k.latest
    cite = dict(source_id=data.SMHI, vintage=latest["vintage"], mart="marts.emissions_per_capita")
    out = {
        "year": latest["year"],
        "vintage": latest["vintage"],
        "total": page.fact(latest["tonnes"], "t", **cite, fact_id="territorial_total"),
        "per_capita": page.fact(
            latest["tonnes_per_capita"], "t_per_capita", **cite, fact_id="territorial_per_capita"
        ),
        "population": page.fact(
            latest["population"],
            "count",
            source_id=data.SCB_POPULATION,
            vintage=latest["population_updated"],
            mart="marts.emissions_per_capita",
            fact_id="population",
        ),
        "change": page.fact(
            k.change_since_1990_pct, "pct", **cite, fact_id="territorial_change_1990"
        ),
        "rank": None,
    }
    if k.rank:
        rc = dict(
            source_id=data.SMHI, vintage=k.rank["vintage"], mart="marts.emissions_rank_in_lan"
        )
        out["rank"] = {
            "in_lan": page.fact(k.rank["rank_in_lan"], "count", **rc, fact_id="rank_in_lan"),
            "of_lan": k.rank["kommuner_in_lan"],
            "in_sweden": page.fact(
                k.rank["rank_in_sweden"], "count", **rc, fact_id="rank_in_sweden"
            ),
            "of_sweden": k.rank["kommuner_in_sweden"],
        }
    return out


def nowcast_section(page: Page, k: data.Kommun, backtest: dict | None) -> dict | None:
    """The kommun's estimated totals after SMHI's last year, with their ranges, and how the method
    did in the newest backtest (marts.fct_emissions_nowcast, fct_nowcast_backtest_summary)."""
    if not k.nowcast:
        return None
    vintage = k.nowcast[0]["vintage"]
    cite = dict(source_id=data.NOWCAST, vintage=vintage, mart="marts.fct_emissions_nowcast")
    out = {
        "title_years": facts.swedish_list([str(r["year"]) for r in k.nowcast]),
        "base_year": k.nowcast[0]["base_year"],
        "vintage": vintage,
        "uses_national": any(r["national_value_kind"] != "none" for r in k.nowcast),
        "uses_synthetic_input": any(r["uses_synthetic_input"] for r in k.nowcast),
        "rows": [
            {
                "year": r["year"],
                **{
                    key: page.fact(r[f"{key}_t"], "t", **cite, fact_id=f"nowcast_{key}:{r['year']}")
                    for key in ("nowcast", "lower_80", "upper_80", "lower_95", "upper_95")
                },
            }
            for r in k.nowcast
        ],
        "backtest": None,
        "base_year_fill": base_year_fill(page, k),
    }
    if backtest:
        bcite = dict(
            source_id=data.NOWCAST,
            vintage=backtest["actual_vintage"],
            mart="marts.fct_nowcast_backtest_summary",
        )
        out["backtest"] = {
            "origin_vintage": backtest["origin_vintage"],
            "actual_vintage": backtest["actual_vintage"],
            "kommuner": backtest["kommuner"],
            "mae_pct": page.fact(
                backtest["mae_pct"], "pct_plain", **bcite, fact_id="nowcast_backtest_mae"
            ),
            "coverage_80": page.fact(
                None if backtest["coverage_80"] is None else 100.0 * backtest["coverage_80"],
                "pct_plain",
                **bcite,
                fact_id="nowcast_backtest_coverage_80",
            ),
        }
    return out


def base_year_fill(page: Page, k: data.Kommun) -> dict | None:
    """The kommun's sectors whose figure in SMHI's newest year moved from the year before by the
    sector's common factor, i.e. most likely SMHI's own scaling, to be revised
    (marts.fct_nowcast_base_year_common_change). None when none did."""
    part = facts.preliminary_part(k.base_year_cells)
    if part is None:
        return None
    followed, filled, total = part
    cite = dict(
        source_id=data.NOWCAST,
        vintage=followed[0]["vintage"],
        mart="marts.fct_nowcast_base_year_common_change",
    )
    return {
        "year": followed[0]["year"],
        "sectors": facts.swedish_list([c["huvudsektor"] for c in followed]),
        "tonnes": page.fact(filled, "t", **cite, fact_id="nowcast_base_year_fill_t"),
        "share": page.fact(
            100.0 * filled / total, "pct_plain", **cite, fact_id="nowcast_base_year_fill_share"
        ),
    }


def paris_verdict(page: Page, k: data.Kommun, vintage) -> dict | None:
    """The headline's one line: does the trend fit the Paris path of Koldioxidlagen, and by how
    much does it miss or beat it (the trend's sum against the allowed sum to the method's end
    year)."""
    m = next((m for m in k.methods if m["method"] == "carbon_law"), None)
    if m is None:
        return None
    cite = dict(source_id=data.SMHI, vintage=vintage, mart="marts.trajectory")
    trend, allowed = m["trend_sum_t"], m["allowed_sum_t"]
    over = None if trend is None or allowed is None else trend - allowed
    return {
        "method": m["method"],
        "meets": page.fact(m["meets_paris"], "bool", **cite, fact_id="paris_verdict"),
        "over": None if over is None else page.fact(abs(over), "t", **cite, fact_id="paris_over"),
        "over_pct": None
        if over is None or not allowed
        else page.fact(abs(100.0 * over / allowed), "pct_plain", **cite),
        "scope": sv.scope_status(m["scope_status"]),
    }


def kommun_context(page: Page, k: data.Kommun, backtest: dict | None = None) -> dict:
    sectors = sector_section(page, k)
    return {
        "k": k,
        "head": headline(page, k),
        "paris": paris_verdict(page, k, sectors["vintage"]),
        "sectors": sectors,
        "nowcast": nowcast_section(page, k, backtest),
        "trajectories": trajectory_section(page, k, sectors["vintage"]),
    }


def report_sections(con, page: Page, k: data.Kommun, year: int) -> dict:
    """The report kommun's extra sections, read through the report's own facts (the same marts,
    the same footnotes) on the serving copy."""
    q = facts.Query(con, k.kommun_kod, year, page.citations)
    territorial = facts.territorial(q)
    out = {
        "revisions": territorial["revisions"],
        "consumption": facts.consumption(q),
        "sinks": facts.sinks(q),
        "partners": partners_gap(q),
        "peers": facts.peers(q),
    }
    c = out["consumption"]
    if c["available"] and c["series"]:
        series = [r for r in c["series"] if r["tonnes"] is not None]
        out["consumption_rows"] = [
            {
                "year": r["year"],
                "series": LABELS.get(r["component"], r["component"]),
                "value": kt(r["tonnes"]),
            }
            for r in series
            if r["component"] != "households"
        ]
        out["consumption_csv"] = page.chart_csv(
            "konsumtion",
            ["år", "komponent", "ton CO2e", "källa", "version"],
            [
                [r["year"], r["component"], r["tonnes"], r["source_id"], r["vintage"]]
                for r in series
            ],
        )
    s = out["sinks"]
    if s["available"] and s["balance"]:
        b = s["balance"][-1]
        out["balance_rows"] = [
            {
                "label": label + (" (syntetisk)" if key in b["synthetic"] else ""),
                "value": kt(b[key].value),
                "highlight": key == "net_eligible_t",
            }
            for key, label in (
                ("gross_emissions_t", "utsläpp (brutto)"),
                ("removals_eligible_t", "upptag som räknas"),
                ("net_eligible_t", "netto"),
            )
            if b[key].value is not None
        ]
        out["balance_csv"] = page.chart_csv(
            "balans",
            ["år", "grund"] + list(facts.BALANCE_FIGURES),
            [
                [r["year"], r["basis"]] + [r[f].value for f in facts.BALANCE_FIGURES]
                for r in s["balance"]
            ],
        )
    g = out["partners"]["gap_2030"]
    if g:
        out["gap_rows"] = [
            {"label": label, "value": kt(g[key].value), "highlight": key == "uncovered_t"}
            for key, label in (
                ("required_cut_t", "nödvändig minskning"),
                ("planned_reduction_t", "partnernas planerade åtgärder"),
                ("uncovered_t", "kvar att täcka"),
            )
            if g[key].value is not None
        ]
        out["gap_csv"] = page.chart_csv(
            "atgarder_mot_gapet",
            ["storhet", "ton CO2e"],
            [
                [key, g[key].value]
                for key in (
                    "trend_t",
                    "allowed_t",
                    "required_cut_t",
                    "planned_reduction_t",
                    "uncovered_t",
                )
            ],
        )
    p = out["peers"]
    if p["available"]:
        for group in p["groups"]:
            group["rows"] = [
                {
                    "label": m["kommun_namn"],
                    "value": m["per_capita"].value,
                    "highlight": m["is_self"],
                }
                for m in group["members"]
                if m["per_capita"].value is not None
            ]
            group["csv"] = page.chart_csv(
                f"jamforelsegrupp_{group['id']}",
                ["kommun", "kod", "plats", "t CO2e/inv."],
                [
                    [m["kommun_namn"], m["kommun_kod"], m["rank"], m["per_capita"].value]
                    for m in group["members"]
                ],
            )
    return out


def partners_gap(q: facts.Query) -> dict:
    """The partners' planned actions against the 2030 gap (marts.portfolio_vs_gap), as the report
    cites them. Not who has reported: partner_reporting_status names contact persons and is not
    open data (meta open_data: false), so it stays in the BI serving copy."""
    rows = q.rows(
        "select * from marts.portfolio_vs_gap where method = 'carbon_law' and year = 2030"
    )
    if not rows:
        return {"gap_2030": None}
    g = rows[0]
    cite = dict(source_id="partner_submissions", vintage=None, mart="marts.portfolio_vs_gap")
    gap = {
        k: q.fact(g[k], "t", **cite, fact_id=f"portfolio:{k}")
        for k in ("trend_t", "allowed_t", "required_cut_t", "planned_reduction_t", "uncovered_t")
    }
    gap["actions_counted"] = g["actions_counted"]
    return {"gap_2030": gap}


def download_tables(con, build: data.Build) -> list[dict]:
    """What the download page offers: the build's download set as its datapackage.json lists it
    (open marts only, empty ones left out), each with its Swedish description, rows, vintage, the
    size of every file, its licences and how many of its rows are synthetic."""
    package = build.folder / DOWNLOADS / "datapackage.json"
    manifest = {t["table"]: t for t in build.manifest["tables"]}
    if not package.is_file():
        return []
    tables = []
    for r in json.loads(package.read_text(encoding="utf-8"))["resources"]:
        name = Path(r["path"]).name.split(".")[0]
        if name not in manifest or not manifest[name]["rows"]:
            continue
        files = {
            ext: (build.folder / DOWNLOADS / f).stat().st_size
            for ext, f in r.get("formats", {}).items()
            if (build.folder / DOWNLOADS / f).is_file()
        }
        tables.append(
            {
                **manifest[name],
                "description": sv.mart_name(name),
                "files": files,
                "licences": sorted({sv.licence(x.get("title")) for x in r.get("licenses", [])}),
                "synthetic_rows": data.synthetic_rows(con, name, manifest[name]["columns"]),
            }
        )
    return sorted(tables, key=lambda t: sv.sort_key(t["description"]))


def download_sizes(build: data.Build) -> dict[str, int]:
    """Bytes of each file of the download set ('fct_emissions.csv' -> 94 320 930): every link
    to a download says how big it is."""
    folder = build.folder / DOWNLOADS
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def comparison_data(kommuner: dict[str, data.Kommun], default: list[str]) -> dict:
    out = {}
    for kod, k in kommuner.items():
        if not k.latest:
            continue
        out[kod] = {
            "namn": k.kommun_namn,
            "lan": k.lan_namn,
            "year": k.latest["year"],
            "vintage": str(k.latest["vintage"]),
            "tonnes": k.latest["tonnes"],
            "per_capita": k.latest["tonnes_per_capita"],
            "change_1990": k.change_since_1990_pct,
            "rank_in_lan": k.rank["rank_in_lan"] if k.rank else None,
            "kommuner_in_lan": k.rank["kommuner_in_lan"] if k.rank else None,
            "series": [
                [
                    r["year"],
                    None if r["tonnes_per_capita"] is None else round(r["tonnes_per_capita"], 3),
                ]
                for r in k.per_capita_series
            ],
        }
    return {"default": [d for d in default if d in out], "kommuner": out}


def swedish_csv(rows: list[list]) -> bytes:
    """CSV for a Swedish Excel: UTF-8 with BOM, semicolons, decimal comma, formula-inert text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else (
                    str(v).replace(".", ",")
                    if isinstance(v, float)
                    else neutralise(str(v))
                    if isinstance(v, str)
                    else v
                )
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_pages(con, build: data.Build, out: Path, report_kommun: str) -> tuple[int, Path]:
    env = environment()
    names = data.source_names(con)
    kommuner = data.all_kommuner(con)
    backtest = data.nowcast_backtest(con)
    if report_kommun not in kommuner:
        raise ValueError(
            f"REPORT_KOMMUN {report_kommun} is not in marts.dim_kommun of build {build.build_id}"
        )
    marts = sorted(t["table"] for t in build.manifest["tables"])
    # The chart specs ride along in every page (a few kB), so pages also work opened from file://.
    specs = {name: spec() for name, spec in charts.SPECS.items()}
    common = {
        "build": build,
        "generated": dt.date.today().isoformat(),
        "report_kommun": kommuner[report_kommun],
        "downloads": DOWNLOADS,
        "marts": marts,
        "map_attribution": MAP_ATTRIBUTION,
        "specs": specs,
    }
    # Global, so the macros (imported without context) can print a download link's size too.
    env.globals["sizes"] = download_sizes(build)
    pages = 0

    def render(template: str, path: Path, root: str, page: Page | None, **context) -> None:
        nonlocal pages
        path.parent.mkdir(parents=True, exist_ok=True)
        notes = page.citations.notes() if page else []
        path.write_text(
            env.get_template(template).render(root=root, notes=notes, **common, **context),
            encoding="utf-8",
        )
        if page:
            folder = out / page.csv_dir
            folder.mkdir(parents=True, exist_ok=True)
            for name, csv_rows in page.csv.items():
                (folder / f"{name}.csv").write_bytes(swedish_csv(csv_rows))
        pages += 1

    by_lan: dict[str, list[data.Kommun]] = {}
    for k in kommuner.values():
        by_lan.setdefault(k.lan_namn, []).append(k)
        if k.kommun_kod == report_kommun:
            continue
        page = Page(names, f"data/{k.kommun_kod}")
        render(
            "kommun.html",
            out / "kommun" / f"{k.kommun_kod}.html",
            "../",
            page,
            **kommun_context(page, k, backtest),
        )

    report = kommuner[report_kommun]
    page = Page(names, f"data/{report_kommun}")
    context = kommun_context(page, report, backtest)
    year = report.latest["year"] if report.latest else facts.latest_data_year(con, report_kommun)
    render(
        "borlange.html",
        out / "index.html",
        "",
        page,
        **context,
        extra=report_sections(con, page, report, year),
    )
    # The report kommun's address in kommun/ leads to its full page.
    render(
        "redirect.html",
        out / "kommun" / f"{report_kommun}.html",
        "../",
        None,
        target="../index.html",
    )

    render("uppskattning.html", out / "uppskattning.html", "", None, backtest=backtest)
    plan_page = Page(names, "data/planen")
    render(
        "planen.html",
        out / "planen.html",
        "",
        plan_page,
        plan=facts.optional(facts.plan)(facts.Query(con, report_kommun, year, plan_page.citations)),
    )
    render(
        "kommuner.html",
        out / "kommuner.html",
        "",
        None,
        lans=[
            (lan, sorted(members, key=lambda k: sv.sort_key(k.kommun_namn)))
            for lan, members in sorted(by_lan.items(), key=lambda item: sv.sort_key(item[0]))
        ],
    )
    compare = comparison_data(kommuner, [report_kommun])
    (out / "data").mkdir(exist_ok=True)
    (out / "data" / "jamfor.json").write_text(
        json.dumps(compare, ensure_ascii=False, separators=(",", ":"), default=str),
        encoding="utf-8",
    )
    map_page = Page(names, "data/karta")
    latest_vintage = max((k.latest["vintage"] for k in kommuner.values() if k.latest), default=None)
    map_rows = [
        {
            "kommun_kod": k.kommun_kod,
            "kommun_namn": k.kommun_namn,
            "lan_namn": k.lan_namn,
            "year": k.latest["year"],
            "value": k.latest["tonnes_per_capita"],
        }
        for k in sorted(kommuner.values(), key=lambda k: sv.sort_key(k.kommun_namn))
        if k.latest
    ]
    map_csv = map_page.chart_csv(
        "utslapp_per_invanare",
        ["kommunkod", "kommun", "län", "år", "t CO2e/inv."],
        [
            [r["kommun_kod"], r["kommun_namn"], r["lan_namn"], r["year"], r["value"]]
            for r in map_rows
        ],
    )
    render(
        "karta.html",
        out / "karta.html",
        "",
        map_page,
        rows=map_rows,
        csv=map_csv,
        geojson=Markup(
            (STATIC / "kommuner.geojson").read_text(encoding="utf-8").strip().replace("</", "<\\/")
        ),
        note=map_page.note(data.SMHI, latest_vintage, "marts.emissions_per_capita"),
        population_note=map_page.note(data.SCB_POPULATION, None, "marts.emissions_per_capita"),
    )
    render(
        "nedladdning.html",
        out / "nedladdning.html",
        "",
        None,
        tables=download_tables(con, build),
        formats=DOWNLOAD_FORMATS,
    )
    render(
        "ordlista.html",
        out / "ordlista.html",
        "",
        None,
        glossary=[
            {"id": i, "term": term, "text": text}
            for i, term, text in sorted(sv.GLOSSARY, key=lambda g: sv.sort_key(g[1]))
        ],
    )
    render(
        "sa-raknar-vi.html",
        out / "sa-raknar-vi.html",
        "",
        None,
        methods=list(sv.METHOD_NAMES.items()),
        explained=sv.METHOD_EXPLAINED,
    )
    compare_page = Page(names, "data/jamfor")
    render(
        "jamfor.html",
        out / "jamfor.html",
        "",
        compare_page,
        kommuner=sorted(kommuner.values(), key=lambda k: sv.sort_key(k.kommun_namn)),
        default=compare["default"],
        compare=compare,
        note=compare_page.note(data.SMHI, latest_vintage, "marts.emissions_per_capita"),
        years=sorted(
            {y for k in compare["kommuner"].values() for y, v in k["series"] if v is not None}
        ),
        rank_note=compare_page.note(data.SMHI, latest_vintage, "marts.emissions_rank_in_lan"),
    )
    return pages, out / "index.html"


def copy_assets(out: Path) -> None:
    shutil.copytree(STATIC, out / "assets")


def link_downloads(build: data.Build, out: Path) -> bool:
    """The serving build's download set, as hard links (no copy) where the file system allows:
    the site and the API link the very same files."""
    source = build.folder / DOWNLOADS
    if not source.is_dir():
        return False
    shutil.copytree(
        source, out / DOWNLOADS, copy_function=lambda s, t: link_or_copy(Path(s), Path(t))
    )
    return True


def write_site(serving_dir: Path, site_dir: Path, report_kommun: str) -> BuiltSite:
    """Render the site for the current serving build and switch `site_dir` to it atomically."""
    with data.open_build(serving_dir) as (con, build):
        builds = site_dir.with_name(site_dir.name + ".builds")
        builds.mkdir(parents=True, exist_ok=True)
        for leftover in builds.glob(".*.tmp"):  # what a crashed build left
            shutil.rmtree(leftover, ignore_errors=True)
        staged = builds / f".{build.build_id}.tmp"
        staged.mkdir()
        copy_assets(staged)
        pages, _ = write_pages(con, build, staged, report_kommun)
        link_downloads(build, staged)
    # A new folder for every site build (sortable by time), so the one being served is never
    # rewritten.
    final = builds / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{build.build_id}"
    os.replace(staged, final)
    fsync_dir(builds)
    if site_dir.exists() and not site_dir.is_symlink():
        shutil.rmtree(site_dir)  # an older plain folder: the link takes its place
    switch_link(site_dir, os.path.relpath(final, site_dir.parent))
    prune(builds, keep=KEEP_BUILDS, current=final.name)
    return BuiltSite(site_dir, final, build.build_id, pages, site_dir / "index.html")


def prune(builds: Path, keep: int, current: str) -> None:
    folders = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in folders[:-keep]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
