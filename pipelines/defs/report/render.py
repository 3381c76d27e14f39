"""Render the yearly climate-contract follow-up report (Swedish, self-contained HTML, printable).

`build_report(con, kommun_kod, year)` reads the marts (facts.py), draws the charts
(charts.py) and fills templates/klimatrapport.html. Every number goes through
`num()`, which prints it the Swedish way with its footnote (source, vintage, mart) and a
`data-fact`/`data-value` pair, so tests can compare the page against the marts.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup

from pipelines.defs.report import charts, facts, swedish
from pipelines.defs.report.citations import Citations

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
NBSP = "\u00a0"
NOWCAST_FIGURES = ("nowcast", "lower_80", "upper_80", "lower_95", "upper_95")
NOWCAST_CHART_FROM = 2015  # the years the nowcast's trend is fitted on lead into its estimate
# Swedish names of the consumption components (one home: swedish.py).
LABELS = swedish.COMPONENT_NAMES
UNITS = {
    "t": "t",
    "t_per_capita": "t/inv.",
    "kg_per_capita": "kg/inv.",
    "g_per_kwh": "g CO2e/kWh",
    "mwh": "MWh",
    "kwh": "kWh",
    "kw": "kW",
    "kg": "kg CO2e",
    "sek_per_t": "kr/t",
}


@dataclass(frozen=True)
class RenderedReport:
    html: str
    kommun_kod: str
    year: int
    figures: int  # footnoted numbers in the page
    charts: int


swedish_number = swedish.number


def format_value(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "bool":
        return "ja" if value else "nej"
    if kind in ("date", "text", "year"):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "pct":
        return ("+" if value > 0 else "") + swedish_number(value, 1) + NBSP + "%"
    if kind == "pct_plain":
        return swedish_number(value, 1) + NBSP + "%"
    if kind == "count":
        return swedish_number(value, 0)
    if kind == "value":
        return swedish_number(value, 2 if abs(value) < 100 else 0)
    if kind == "msek":
        return swedish_number(value / 1e6, 1) + NBSP + "mnkr"
    decimals = {"t_per_capita": 2, "g_per_kwh": 1}.get(kind, 0)
    return swedish_number(value, decimals) + NBSP + UNITS.get(kind, "")


def num(fact: facts.Fact, mark: bool = True) -> Markup:
    """A number with its footnote mark; data-value holds the mart value unrounded. In a table the
    mark goes once on the caption (mark=False on the cells): a mark per cell reads as a digit."""
    raw = (
        fact.value.isoformat()
        if isinstance(fact.value, dt.date)
        else ("" if fact.value is None else fact.value)
    )
    attrs = f' data-fact="{html.escape(fact.fact_id)}"' if fact.fact_id else ""
    return Markup(
        f'<span class="num"{attrs} data-value="{html.escape(str(raw))}">'
        f"{html.escape(format_value(fact.value, fact.kind))}</span>"
        + (f'<sup class="fn"><a href="#fn-{fact.note}">{fact.note}</a></sup>' if mark else "")
    )


def footnotes(facts_in_table) -> Markup:
    """A table's footnote marks, once each, for its caption (the cells print num(..., False))."""
    notes = sorted({f.note for f in facts_in_table if f is not None})
    return Markup("".join(f'<sup class="fn"><a href="#fn-{n}">{n}</a></sup>' for n in notes))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["num"] = num
    env.globals["footnotes"] = footnotes
    env.globals["labels"] = LABELS
    env.globals["sv"] = swedish
    env.globals["method_name"] = swedish.method_name
    return env


def build_context(con: duckdb.DuckDBPyConnection, kommun_kod: str, year: int | None) -> dict:
    citations = Citations(source_names=facts.source_names(con))
    q = facts.Query(con, kommun_kod, year or facts.latest_data_year(con, kommun_kod), citations)
    context = {
        "kommun": facts.kommun(q),
        "year": q.year,
        "territorial": facts.territorial(q),
        "nowcast": facts.nowcast(q),
        "trajectories": facts.trajectories(q),
        "consumption": facts.consumption(q),
        "sinks": facts.sinks(q),
        "energy": facts.energy(q),
        "meters": facts.meters(q),
        "partners": facts.partners(q),
        "plan": facts.optional(facts.plan)(q),
        "peers": facts.peers(q),
        "rank_in_lan": facts.rank_in_lan(q),
        "indicators": facts.indicators(q),
    }
    context["charts"] = draw_charts(context)
    context["notes"] = citations.notes()
    context["generated"] = dt.date.today().isoformat()
    return context


def draw_charts(c: dict) -> dict[str, str]:
    drawn = {"sectors": charts.sectors_over_time(c["territorial"]["series"])}
    n = c["nowcast"]
    if n["available"] and n["rows"]:
        totals: dict[int, float] = {}
        for r in c["territorial"]["series"]:
            if r["year"] >= NOWCAST_CHART_FROM:
                totals[r["year"]] = totals.get(r["year"], 0.0) + r["tonnes"]
        drawn["nowcast"] = charts.nowcast(
            sorted(totals.items()),
            [
                {"year": r["year"]} | {f"{k}_t": r[k].value for k in NOWCAST_FIGURES}
                for r in n["rows"]
            ],
            f"Uppskattning {n['title_years']}",
        )
    for m in c["trajectories"]["methods"]:
        if any(p["method"] == m["method"] for p in c["trajectories"]["paths"]):
            drawn[f"trajectory:{m['method']}"] = charts.trajectory(
                c["trajectories"]["paths"], m["method"], m["gas"]
            )
    if c["consumption"]["available"] and c["consumption"]["series"]:
        # Households have one SEI year only; stacking it on the series would read as a jump.
        series = [
            {**r, "component": swedish.name(swedish.COMPONENT_NAMES, r["component"])}
            for r in c["consumption"]["series"]
            if r["component"] != "households"
        ]
        drawn["consumption"] = charts.stacked_bars(series, "component", "tonnes", "kt CO2e per år")
    if c["energy"]["available"] and c["energy"]["items"]:
        series: dict[str, list] = {}
        for item in c["energy"]["items"]:
            label = swedish.name(swedish.ALLOCATION_METHOD_NAMES, item["allocation_method"])
            series.setdefault(f"{item['network_id']}, {label}", []).append(
                (item["year"], item["value"].value)
            )
        drawn["climate_value"] = charts.lines(series, "g CO2e per kWh levererad")
    if c["meters"]["available"] and c["meters"]["weekday"]:
        series = {}
        for r in c["meters"]["weekday"]:
            category = swedish.name(swedish.CUSTOMER_CATEGORY_NAMES, r["kundkategori"])
            series.setdefault(category, []).append((r["hour_of_day"], r["mean_kw"]))
        drawn["load_profile"] = charts.lines(series, "kW, medelvardag (normaltid)")
    p = c["plan"]
    if p["available"] and p["has_plan"]:
        series = p["series"]
        impacts: dict[str, list[float]] = {}
        for r in p["impacts"]:
            impacts.setdefault(r["action_id"], [0.0] * len(series["years"]))
            if r["year"] in series["years"]:
                impacts[r["action_id"]][series["years"].index(r["year"])] = r["impact_t"]
        impacts["överlapp"] = [
            b - pl - sum(v[i] for v in impacts.values())
            for i, (b, pl) in enumerate(zip(series["bau"], series["plan"], strict=True))
        ]
        drawn["plan_wedges"] = charts.wedges(
            series["years"], series["bau"], series["plan"], (series["p10"], series["p90"]), impacts
        )
        if p["mac"]:
            drawn["plan_mac"] = charts.mac_curve(p["mac"])
    if c["peers"]["available"]:
        for group in c["peers"]["groups"]:
            members = group["members"]
            drawn[f"peers:{group['id']}"] = charts.horizontal_bars(
                [m["kommun_namn"] for m in members],
                [m["per_capita"].value for m in members],
                next((i for i, m in enumerate(members) if m["is_self"]), None),
                "t CO2e per invånare",
            )
    return drawn


def build_report(
    con: duckdb.DuckDBPyConnection, kommun_kod: str, year: int | None = None
) -> RenderedReport:
    context = build_context(con, kommun_kod, year)
    page = environment().get_template("klimatrapport.html").render(**context)
    return RenderedReport(
        page,
        kommun_kod,
        context["year"],
        figures=page.count('class="num"'),
        charts=len(context["charts"]),
    )


def write_report(
    con: duckdb.DuckDBPyConnection, out_dir: Path, kommun_kod: str, year: int | None = None
) -> Path:
    """The report rendered from the marts `con` reads, written to out_dir in one step."""
    report = build_report(con, kommun_kod, year)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"klimatrapport_{kommun_kod}_{report.year}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(report.html, encoding="utf-8")
    tmp.replace(path)
    return path
