"""The numbers of the yearly climate-contract report, each read from a mart and cited.

One function per report section. Each returns plain dicts and `Fact`s for the template; no number
is computed here beyond picking rows, so every figure in the report is a mart value.
A section whose mart is missing (a source never delivered) says so instead of failing the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.defs.report import swedish
from pipelines.defs.report.citations import Citations

SMHI = "smhi_ned"


@dataclass(frozen=True)
class Fact:
    """A number as it appears in the report: its mart value, footnote and how to print it."""

    value: object
    note: int
    # t | pct | t_per_capita | kg_per_capita | g_per_kwh | share | year | date | bool | text
    kind: str
    fact_id: str = ""  # data-fact attribute, so tests can find the number in the page


class MissingMart(Exception):
    pass


@dataclass
class Query:
    con: duckdb.DuckDBPyConnection
    kommun_kod: str
    year: int
    citations: Citations

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        try:
            relation = self.con.sql(sql, params=params or [])
        except duckdb.CatalogException as exc:
            raise MissingMart(str(exc).splitlines()[0]) from exc
        names = relation.columns
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]

    def fact(
        self, value, kind: str, *, source_id: str, vintage, mart: str, fact_id: str = ""
    ) -> Fact:
        return Fact(value, self.citations.cite(source_id, vintage, mart), kind, fact_id)


def optional(section):
    """Render 'no data' for a section whose mart is not in the warehouse, instead of failing."""

    def wrapper(q: Query) -> dict:
        try:
            return {"available": True, **section(q)}
        except MissingMart as exc:
            return {"available": False, "missing": str(exc)}

    wrapper.__name__ = section.__name__
    return wrapper


def source_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        r[0]: swedish.SOURCE_NAMES.get(r[0], f"{r[1]}; {r[2]}")
        for r in con.sql(
            "select source_id, source_name, publisher from marts.dim_data_source"
        ).fetchall()
    }


def latest_data_year(con: duckdb.DuckDBPyConnection, kommun_kod: str) -> int:
    rows = con.sql(
        "select max(year) from marts.emissions_per_capita where kommun_kod = ? and gas = 'CO2e' "
        "and in_latest_release",
        params=[kommun_kod],
    ).fetchall()
    if not rows or rows[0][0] is None:
        raise ValueError(f"no CO2e emissions for kommun {kommun_kod} in marts.emissions_per_capita")
    return rows[0][0]


def kommun(q: Query) -> dict:
    row = q.rows(
        "select kommun_kod, kommun_namn, lan_namn from marts.dim_kommun where kommun_kod = ?",
        [q.kommun_kod],
    )
    if not row:
        raise ValueError(f"kommun {q.kommun_kod} is not in marts.dim_kommun")
    return row[0]


def territorial(q: Query) -> dict:
    """Total, per capita and change since 1990 for the report year; sectors; revisions."""
    head = q.rows(
        """
        select e.year, e.tonnes, e.tonnes_per_capita, e.population, e.population_updated, e.vintage,
               base.tonnes as tonnes_1990
        from marts.emissions_per_capita e
        left join marts.emissions_per_capita base
          on base.kommun_kod = e.kommun_kod and base.gas = e.gas and base.in_latest_release
          and base.year = 1990
        where e.kommun_kod = ? and e.gas = 'CO2e' and e.in_latest_release and e.year = ?""",
        [q.kommun_kod, q.year],
    )
    if not head:
        raise ValueError(f"no CO2e total for kommun {q.kommun_kod} in {q.year}")
    h = head[0]
    cite = dict(source_id=SMHI, vintage=h["vintage"], mart="marts.emissions_per_capita")
    sectors = q.rows(
        """
        select huvudsektor, sum(tonnes) as tonnes, any_value(vintage) as vintage
        from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2e' and in_latest_release and year = ?
          and huvudsektor <> 'Alla'
        group by huvudsektor order by tonnes desc""",
        [q.kommun_kod, q.year],
    )
    return {
        "vintage": h["vintage"],
        "total": q.fact(h["tonnes"], "t", **cite, fact_id="territorial_total"),
        "per_capita": q.fact(
            h["tonnes_per_capita"], "t_per_capita", **cite, fact_id="territorial_per_capita"
        ),
        "population": q.fact(
            h["population"],
            "count",
            source_id="scb_population",
            vintage=h["population_updated"],
            mart="marts.emissions_per_capita",
            fact_id="population",
        ),
        "tonnes_1990": q.fact(h["tonnes_1990"], "t", **cite, fact_id="territorial_1990"),
        "change_since_1990": q.fact(
            None if not h["tonnes_1990"] else 100.0 * (h["tonnes"] / h["tonnes_1990"] - 1),
            "pct",
            **cite,
            fact_id="territorial_change_1990",
        ),
        "sectors": [
            {
                "name": s["huvudsektor"],
                "tonnes": q.fact(
                    s["tonnes"],
                    "t",
                    source_id=SMHI,
                    vintage=s["vintage"],
                    mart="marts.fct_emissions",
                    fact_id=f"sector:{s['huvudsektor']}",
                ),
                "share": q.fact(
                    s["tonnes"] / h["tonnes"] * 100 if h["tonnes"] else None,
                    "pct_plain",
                    source_id=SMHI,
                    vintage=s["vintage"],
                    mart="marts.fct_emissions",
                ),
            }
            for s in sectors
        ],
        "series": q.rows(
            """
            select year, huvudsektor, sum(tonnes) as tonnes from marts.fct_emissions
            where kommun_kod = ? and gas = 'CO2e' and in_latest_release and huvudsektor <> 'Alla'
            group by year, huvudsektor order by year""",
            [q.kommun_kod],
        ),
        "revisions": revisions(q),
    }


def revisions(q: Query, min_change_pct: float = 0.5) -> list[dict]:
    """Sector-years the newest release changed by at least `min_change_pct` over the previous."""
    rows = q.rows(
        """
        select year, huvudsektor, vintage, previous_vintage, tonnes, previous_tonnes,
               change_tonnes, change_pct
        from marts.emission_revisions
        where kommun_kod = ? and gas = 'CO2e' and previous_vintage is not null
          and vintage = (select max(vintage) from marts.emission_revisions
                         where kommun_kod = ? and gas = 'CO2e')
          and abs(change_pct) >= ?
        order by year desc, abs(change_tonnes) desc""",
        [q.kommun_kod, q.kommun_kod, min_change_pct],
    )
    out = []
    for r in rows:
        cite = dict(source_id=SMHI, vintage=r["vintage"], mart="marts.emission_revisions")
        out.append(
            {
                "year": r["year"],
                "sector": r["huvudsektor"],
                "previous_vintage": r["previous_vintage"],
                "tonnes": q.fact(r["tonnes"], "t", **cite),
                "previous_tonnes": q.fact(
                    r["previous_tonnes"],
                    "t",
                    source_id=SMHI,
                    vintage=r["previous_vintage"],
                    mart="marts.emission_revisions",
                ),
                "change_pct": q.fact(r["change_pct"], "pct", **cite),
            }
        )
    return out


def trajectories(q: Query) -> dict:
    """Each method's verdict: trend against allowed sums, remaining budget, exhaustion, net zero."""
    vintage = q.rows(
        "select max(vintage) as v from marts.fct_emissions where kommun_kod = ?", [q.kommun_kod]
    )[0]["v"]
    methods = q.rows(
        """
        select t.*, m.description from marts.trajectory t
        left join reference.trajectory_methods m using (method)
        where t.kommun_kod = ? order by t.method = 'carbon_law' desc, t.method""",
        [q.kommun_kod],
    )
    out = []
    for m in methods:
        cite = dict(source_id=SMHI, vintage=vintage, mart="marts.trajectory")
        out.append(
            {
                "method": m["method"],
                "gas": m["gas"],
                "description": m["description"],
                "as_of_year": m["as_of_year"],
                "scope_status": m["scope_status"],
                "trend_sum": q.fact(
                    m["trend_sum_t"], "t", **cite, fact_id=f"trend_sum:{m['method']}"
                ),
                "allowed_sum": q.fact(
                    m["allowed_sum_t"], "t", **cite, fact_id=f"allowed_sum:{m['method']}"
                ),
                "meets_paris": q.fact(
                    m["meets_paris"], "bool", **cite, fact_id=f"meets_paris:{m['method']}"
                ),
                "budget": q.fact(m["budget_t"], "t", **cite),
                "exhausted": q.fact(
                    m["budget_exhausted_date"], "date", **cite, fact_id=f"exhausted:{m['method']}"
                ),
                "net_zero": q.fact(m["net_zero_date"], "date", **cite),
                "gap_2030": q.fact(m["gap_2030_t"], "t", **cite),
            }
        )
    paths = q.rows(
        """
        select method, year, allowed_t, emissions_t, emissions_kind, remaining_budget_t
        from marts.fct_carbon_budget
        where kommun_kod = ? order by method, year""",
        [q.kommun_kod],
    )
    return {"methods": out, "paths": paths}


@optional
def consumption(q: Query) -> dict:
    """The latest year's components (households, public sector, investments) and the pace check."""
    rows = q.rows(
        "select * from marts.fct_consumption_emissions where kommun_kod = ? order by year, "
        "component",
        [q.kommun_kod],
    )
    if not rows:
        return {"latest": [], "series": [], "pace": []}
    latest_year = max(r["year"] for r in rows if r["tonnes"] is not None and r["year"] <= q.year)
    latest = []
    for r in (r for r in rows if r["year"] == latest_year):
        cite = dict(
            source_id=r["source_id"], vintage=r["vintage"], mart="marts.fct_consumption_emissions"
        )
        latest.append(
            {
                "component": r["component"],
                "method": r["method"],
                "allocation_key": r["allocation_key"],
                "allocation_key_year": r["allocation_key_year"],
                "tonnes": q.fact(r["tonnes"], "t", **cite, fact_id=f"consumption:{r['component']}"),
                "per_capita": q.fact(r["tonnes_per_capita"], "t_per_capita", **cite),
            }
        )
    pace = []
    for r in q.rows(
        """select * from marts.consumption_trajectory
        where kommun_kod = ? and scope_status like 'complete%'
        order by method = 'carbon_law' desc, method""",
        [q.kommun_kod],
    ):
        cite = dict(source_id="scb_consumption", vintage=None, mart="marts.consumption_trajectory")
        pace.append(
            {
                "method": r["method"],
                "scope": r["scope"],
                "scope_status": r["scope_status"],
                "pace": q.fact(
                    r["pace_pct_per_year"], "pct", **cite, fact_id=f"consumption_pace:{r['method']}"
                ),
                "territorial_pace": q.fact(r["territorial_pace_pct_per_year"], "pct", **cite),
                "similar": q.fact(r["falls_at_similar_pace"], "bool", **cite),
                "rate": q.fact(r["reduction_rate_pct"], "pct_plain", **cite),
                "meets_rate": q.fact(r["meets_carbon_law_rate"], "bool", **cite),
                "meets_paris": q.fact(r["meets_paris"], "bool", **cite),
            }
        )
    return {"year": latest_year, "latest": latest, "series": rows, "pace": pace}


@optional
def sinks(q: Query) -> dict:
    """Each sink of the kommun's latest sink year by source and quality, and the neutrality balance
    for the report year and the 2030 projection."""
    rows = q.rows(
        """
        select * from marts.fct_carbon_sinks where kommun_kod = ?
        and year = (select max(year) from marts.fct_carbon_sinks where kommun_kod = ? and year <= ?)
        order by quality_rank desc, tonnes_co2_removed desc""",
        [q.kommun_kod, q.kommun_kod, q.year],
    )
    items = [
        {
            "sink_type": r["sink_type"],
            "source_id": r["source_id"],
            "reporter": r["reporter"],
            "quality_class": r["quality_class"],
            "permanence": r["permanence"],
            "year": r["year"],
            "value_status": r["value_status"],
            "overlaps_lulucf": r["overlaps_lulucf"],
            "allocation_key": r["allocation_key"],
            "allocation_key_year": r["allocation_key_year"],
            "tonnes": q.fact(
                r["tonnes_co2_removed"],
                "t",
                source_id=r["source_id"],
                vintage=r["vintage"],
                mart="marts.fct_carbon_sinks",
                fact_id=f"sink:{r['sink_type']}",
            ),
        }
        for r in rows
    ]
    balance = q.rows(
        """
        select * from marts.climate_neutrality_balance
        where kommun_kod = ? and (year = ? or basis = 'projection')
        order by year""",
        [q.kommun_kod, q.year],
    )
    balance_rows = [balance_facts(q, row) for row in balance]
    for row in balance_rows:
        row["synthetic"] = synthetic_balance_figures(items, row)
    return {"items": items, "balance": balance_rows}


QUALITY_RANK = {"downscaled": 1, "modelled": 2, "reported": 3, "measured": 4}
PERMANENCE_RANK = {"under 100 år": 1, "100–1000 år": 2, "över 1000 år": 3}


def synthetic_balance_figures(items: list[dict], row: dict) -> set[str]:
    """The balance figures a synthetic sink feeds (the sink's quality column, the totals, and the
    eligible or the excluded side by its quality and permanence), so each can carry the mark."""
    marked: set[str] = set()
    for item in items:
        if item["value_status"] not in swedish.SYNTHETIC_STATUSES:
            continue
        marked |= {f"removals_{item['quality_class']}_t", "removals_total_t", "net_total_t"}
        good_enough = QUALITY_RANK.get(item["quality_class"], 0) >= QUALITY_RANK.get(
            row["min_quality_class"], 0
        )
        if not good_enough:
            continue
        if PERMANENCE_RANK.get(item["permanence"], 0) >= PERMANENCE_RANK.get(
            row["min_permanence"], 0
        ):
            marked |= {"removals_eligible_t", "net_eligible_t", "residual_covered"}
        else:
            marked.add("excluded_low_permanence_t")
    return marked


BALANCE_FIGURES = (
    "gross_emissions_t",
    "removals_measured_t",
    "removals_reported_t",
    "removals_modelled_t",
    "removals_downscaled_t",
    "removals_total_t",
    "net_total_t",
    "removals_eligible_t",
    "excluded_low_permanence_t",
    "net_eligible_t",
)


def balance_facts(q: Query, row: dict) -> dict:
    """One balance row: gross, each quality's removals and net side by side, each cited."""
    cite = dict(source_id=SMHI, vintage=None, mart="marts.climate_neutrality_balance")
    out = {
        k: row[k]
        for k in ("year", "basis", "emissions_source", "min_quality_class", "min_permanence")
    }
    out.update(
        {
            k: q.fact(row[k], "t", **cite, fact_id=f"balance:{row['year']}:{k}")
            for k in BALANCE_FIGURES
        }
    )
    out["residual_covered"] = q.fact(
        row["residual_covered"], "bool", **cite, fact_id=f"balance:{row['year']}:residual_covered"
    )
    return out


@optional
def energy(q: Query) -> dict:
    rows = q.rows(
        "select * from marts.fct_district_heating_climate_value order by year, network_id, "
        "allocation_method"
    )
    items = [
        {
            "network_id": r["network_id"],
            "year": r["year"],
            "allocation_method": r["allocation_method"],
            "is_synthetic": r.get("is_synthetic"),
            "value": q.fact(
                r["g_co2e_per_kwh"],
                "g_per_kwh",
                source_id=r.get("source_id") or r.get("source"),
                vintage=r.get("vintage"),
                mart="marts.fct_district_heating_climate_value",
                fact_id=f"climate_value:{r['network_id']}:{r['year']}:{r['allocation_method']}",
            ),
            "delivered": q.fact(
                r.get("delivered_mwh"),
                "mwh",
                source_id=r.get("source_id") or r.get("source"),
                vintage=r.get("vintage"),
                mart="marts.fct_district_heating_climate_value",
            ),
        }
        for r in rows
    ]
    return {"items": items}


@optional
def meters(q: Query) -> dict:
    """The meter marts' aggregates: the newest metered month's timing effect and load profile per
    category (suppressed cells stay, flagged), and its mean weekday for the chart."""
    month = q.rows(
        "select max(month) as month from marts.fct_meter_load_profile where medium = 'el'"
    )[0]["month"]
    if month is None:
        return {"month": None, "timing": [], "profile": [], "weekday": []}
    timing = q.rows(
        "select * from marts.fct_electricity_timing_effect_monthly where month = ? order by "
        "kundkategori",
        [month],
    )
    profile = q.rows(
        """select * from marts.fct_meter_load_profile where month = ? and medium = 'el'
                        order by kundkategori""",
        [month],
    )
    weekday = q.rows(
        """select kundkategori, hour_of_day, mean_kw from marts.fct_meter_daily_profile
                        where month = ? and medium = 'el' and day_type = 'weekday'
                          and not is_suppressed
                        order by kundkategori, hour_of_day""",
        [month],
    )
    meter = dict(source_id="borlange_energi_meters", vintage=None)
    grid = dict(source_id="electricity_maps", vintage=None)
    items = [
        {
            "kundkategori": r["kundkategori"],
            "is_suppressed": r["is_suppressed"],
            "is_synthetic": r["is_synthetic"],
            "kwh": q.fact(
                r["kwh"] and float(r["kwh"]),
                "kwh",
                **meter,
                mart="marts.fct_electricity_timing_effect_monthly",
                fact_id=f"timing:{r['kundkategori']}:kwh",
            ),
            "hourly": q.fact(
                r["hourly_weighted_gco2_per_kwh"],
                "g_per_kwh",
                **grid,
                mart="marts.fct_electricity_timing_effect_monthly",
                fact_id=f"timing:{r['kundkategori']}:hourly_gco2",
            ),
            "annual": q.fact(
                r["annual_gco2_per_kwh"],
                "g_per_kwh",
                source_id="borlange_energi_feed",
                vintage=None,
                mart="marts.fct_electricity_timing_effect_monthly",
            ),
            "effect": q.fact(
                r["timing_effect_kg"],
                "kg",
                **meter,
                mart="marts.fct_electricity_timing_effect_monthly",
                fact_id=f"timing:{r['kundkategori']}:effect_kg",
            ),
        }
        for r in timing
    ]
    loads = [
        {
            "kundkategori": r["kundkategori"],
            "is_suppressed": r["is_suppressed"],
            "peak_hour_utc": r["peak_hour_utc"],
            "peak_kw": q.fact(
                r["peak_kw"],
                "kw",
                **meter,
                mart="marts.fct_meter_load_profile",
                fact_id=f"load:{r['kundkategori']}:peak_kw",
            ),
            "load_factor": q.fact(
                None if r["load_factor"] is None else 100 * r["load_factor"],
                "pct_plain",
                **meter,
                mart="marts.fct_meter_load_profile",
                fact_id=f"load:{r['kundkategori']}:load_factor",
            ),
            "p90_kw": q.fact(r["p90_kw"], "kw", **meter, mart="marts.fct_meter_load_profile"),
        }
        for r in profile
    ]
    return {
        "month": month,
        "timing": items,
        "profile": loads,
        "weekday": weekday,
        "is_synthetic": any(r["is_synthetic"] for r in profile),
    }


def partners(q: Query) -> dict:
    status = q.rows(
        """
        select partner_id, partner_name, reporting_year, has_submitted, submissions_received,
               latest_received_at
        from marts.partner_reporting_status
        where reporting_year = (select max(reporting_year) from marts.partner_reporting_status
                                where reporting_year <= ?)
        order by partner_name""",
        [q.year],
    )
    gap = q.rows("select * from marts.portfolio_vs_gap where method = 'carbon_law' and year = 2030")
    cite = dict(source_id="partner_submissions", vintage=None, mart="marts.portfolio_vs_gap")
    gap_facts = None
    if gap:
        g = gap[0]
        gap_facts = {
            k: q.fact(g[k], "t", **cite, fact_id=f"portfolio:{k}")
            for k in (
                "trend_t",
                "allowed_t",
                "required_cut_t",
                "planned_reduction_t",
                "uncovered_t",
            )
        }
        gap_facts["actions_counted"] = g["actions_counted"]
    submitted = q.fact(
        sum(1 for s in status if s["has_submitted"]),
        "count",
        source_id="partner_submissions",
        vintage=None,
        mart="marts.partner_reporting_status",
        fact_id="partners_submitted",
    )
    return {
        "status": status,
        "submitted": submitted,
        "partners": len(status),
        "gap_2030": gap_facts,
    }


@optional
def peers(q: Query) -> dict:
    """Every peer group the kommun belongs to, its members ranked by emissions per capita."""
    rows = q.rows(
        """
        select * from marts.peer_comparison
        where group_id in (select group_id from marts.peer_comparison where kommun_kod = ?)
        order by group_id, rank_in_group""",
        [q.kommun_kod],
    )
    groups: dict[str, dict] = {}
    for r in rows:
        group = groups.setdefault(
            r["group_id"],
            {
                "id": r["group_id"],
                "name": r["group_name"],
                "members": [],
                "own": None,
                "size": r["group_size"],
            },
        )
        cite = dict(source_id=SMHI, vintage=r["vintage"], mart="marts.peer_comparison")
        member = {
            "kommun_kod": r["kommun_kod"],
            "kommun_namn": r["kommun_namn"],
            "rank": r["rank_in_group"],
            "membership_verified": r["membership_verified"],
            "is_self": r["kommun_kod"] == q.kommun_kod,
            "per_capita": q.fact(r["tonnes_per_capita"], "t_per_capita", **cite),
            "change_2015": q.fact(r["change_since_2015_pct"], "pct", **cite),
            "meets_paris": q.fact(r["meets_paris"], "bool", **cite),
        }
        group["members"].append(member)
        if member["is_self"]:
            group["own"] = {
                "rank": q.fact(
                    r["rank_in_group"], "count", **cite, fact_id=f"peer_rank:{r['group_id']}"
                ),
                "per_capita": member["per_capita"],
                "latest_year": r["latest_year"],
            }
    return {"groups": list(groups.values())}


@optional
def rank_in_lan(q: Query) -> dict:
    """The kommun's rank in its län and Sweden by emissions per resident (emissions_rank_in_lan)."""
    rows = q.rows(
        """select * from marts.emissions_rank_in_lan where kommun_kod = ? and gas = 'CO2e'
        and year = (select max(year) from marts.emissions_rank_in_lan
                    where kommun_kod = ? and gas = 'CO2e' and year <= ?)""",
        [q.kommun_kod, q.kommun_kod, q.year],
    )
    if not rows:
        return {"rank": None}
    r = rows[0]
    cite = dict(source_id=SMHI, vintage=r["vintage"], mart="marts.emissions_rank_in_lan")
    return {
        "rank": {
            "year": r["year"],
            "lan_namn": r["lan_namn"],
            "in_lan": q.fact(r["rank_in_lan"], "count", **cite, fact_id="rank_in_lan"),
            "kommuner_in_lan": r["kommuner_in_lan"],
            "in_sweden": q.fact(r["rank_in_sweden"], "count", **cite, fact_id="rank_in_sweden"),
            "kommuner_in_sweden": r["kommuner_in_sweden"],
            "per_capita": q.fact(r["tonnes_per_capita"], "t_per_capita", **cite),
        }
    }


INDICATOR_YEARS = 5  # the trend: the latest five years of each indicator


@optional
def indicators(q: Query) -> dict:
    """Each MEL indicator of the kommun (marts.fct_indicators): its latest years up to the report
    year, the change over them, and its target; Kolada's and the warehouse's own values side by
    side."""
    rows = q.rows(
        """
        select * from marts.fct_indicators
        where geo_level = 'kommun' and area_kod = ? and year <= ? and value is not null
        order by theme, indicator, year""",
        [q.kommun_kod, q.year],
    )
    by_indicator: dict[str, list[dict]] = {}
    for r in rows:
        by_indicator.setdefault(r["indicator"], []).append(r)
    items = []
    years = sorted({r["year"] for r in rows})[-INDICATOR_YEARS:]
    for indicator, series in by_indicator.items():
        series = [r for r in series if r["year"] in years]
        if not series:
            continue
        first, last = series[0], series[-1]
        kind = {"count": "count", "t CO2e": "count", "%": "pct_plain"}.get(last["unit"], "value")
        values = {
            r["year"]: q.fact(
                r["value"],
                kind,
                source_id=r["source_id"],
                vintage=r["vintage"],
                mart="marts.fct_indicators",
                fact_id=f"indicator:{indicator}:{r['year']}",
            )
            for r in series
        }
        items.append(
            {
                "indicator": indicator,
                "title": last["title"],
                "unit": last["unit"],
                "theme": last["theme"],
                "kpi_id": last["kpi_id"],
                "computed_by": last["computed_by"],
                "values": values,
                "change": None
                if len(series) < 2 or first["value"] in (None, 0)
                else q.fact(
                    100.0 * (last["value"] - first["value"]) / abs(first["value"]),
                    "pct",
                    source_id=last["source_id"],
                    vintage=last["vintage"],
                    mart="marts.fct_indicators",
                ),
                "target": None
                if last["target_value"] is None
                else {
                    "year": last["target_year"],
                    "value": last["target_value"],
                    "direction": last["target_direction"],
                    "source": last["target_source"],
                },
                "is_synthetic": any(r["is_synthetic"] for r in series),
                "is_derived": any(r["is_derived"] for r in series),
            }
        )
    return {"items": items, "years": years}


NOWCAST = "borlange_nowcast"
NOWCAST_MART = "marts.fct_emissions_nowcast"


def swedish_list(items: list[str]) -> str:
    """'2025', '2025 och 2026', '2025, 2026 och 2027'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} och {items[-1]}"


def preliminary_part(cells: list[dict]) -> tuple[list[dict], float, float] | None:
    """Of one kommun's cells of fct_nowcast_base_year_common_change: those on their sector's common
    factor, their tonnes and the year's total; None when none is, or the total is not positive."""
    followed = [c for c in cells if c["follows_common_factor"]]
    total = sum(c["tonnes"] for c in cells)
    if not followed or total <= 0:
        return None
    return followed, sum(c["tonnes"] for c in followed), total


def base_year_fill(q: Query, vintage) -> dict | None:
    """The kommun's sectors whose figure in SMHI's newest year (the nowcast's base year) moved from
    the year before by the sector's common factor: most likely SMHI's own scaling, to be revised
    (marts.fct_nowcast_base_year_common_change). None when no sector did, or the mart is missing."""
    mart = "marts.fct_nowcast_base_year_common_change"
    try:
        cells = q.rows(
            f"""
            select huvudsektor, tonnes, ratio, follows_common_factor, year
            from {mart} where kommun_kod = ? and gas = 'CO2e' and vintage = ?
            order by tonnes desc""",
            [q.kommun_kod, vintage],
        )
    except MissingMart:
        return None
    part = preliminary_part(cells)
    if part is None:
        return None
    followed, filled, total = part
    cite = dict(source_id=NOWCAST, vintage=vintage, mart=mart)
    return {
        "year": followed[0]["year"],
        "sectors": [
            {
                "name": c["huvudsektor"],
                "tonnes": q.fact(c["tonnes"], "t", **cite),
                "change": q.fact(100.0 * (c["ratio"] - 1.0), "pct", **cite),
            }
            for c in followed
        ],
        "tonnes": q.fact(filled, "t", **cite, fact_id="nowcast_base_year_fill_t"),
        "share": q.fact(
            100.0 * filled / total, "pct_plain", **cite, fact_id="nowcast_base_year_fill_share"
        ),
    }


@optional
def nowcast(q: Query) -> dict:
    """The kommun's estimated total (CO2e) for the years after SMHI's last, with its ranges; how the
    method did in the newest backtest, for all kommuner and for this one; and the probability that
    its trend stays on the Paris path (carbon_law). Estimates, cited as the warehouse's own."""
    rows = q.rows(
        """
        select year, nowcast_t, lower_80_t, upper_80_t, lower_95_t, upper_95_t, vintage, base_year,
               national_value_kind, national_vintage, uses_placeholder, uses_synthetic_input,
               local_indicator
        from marts.fct_emissions_nowcast
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = 'Alla' order by year""",
        [q.kommun_kod],
    )
    if not rows:
        return {"years": [], "title_years": "", "rows": []}
    cite = dict(source_id=NOWCAST, vintage=rows[0]["vintage"], mart=NOWCAST_MART)
    out_rows = [
        {
            "year": r["year"],
            **{
                key: q.fact(r[f"{key}_t"], "t", **cite, fact_id=f"nowcast_{key}:{r['year']}")
                for key in ("nowcast", "lower_80", "upper_80", "lower_95", "upper_95")
            },
            "national_value_kind": r["national_value_kind"],
        }
        for r in rows
    ]
    summary = q.rows(
        """
        select origin_vintage, actual_vintage, kommuner, mae_pct, coverage_80, coverage_95,
               mae_ratio_to_lad
        from marts.fct_nowcast_backtest_summary where gas = 'CO2e' and method = 'nowcast'
        order by actual_vintage desc limit 1"""
    )
    backtest = None
    if summary:
        s = summary[0]
        bcite = dict(
            source_id=NOWCAST,
            vintage=s["actual_vintage"],
            mart="marts.fct_nowcast_backtest_summary",
        )
        own = q.rows(
            """
            select target_year, predicted_t, actual_t, abs_error_pct from marts.fct_nowcast_backtest
            where gas = 'CO2e' and method = 'nowcast' and kommun_kod = ? and origin_vintage = ?
            order by target_year desc limit 1""",
            [q.kommun_kod, s["origin_vintage"]],
        )
        own_cite = dict(bcite, mart="marts.fct_nowcast_backtest")
        backtest = {
            "origin_vintage": s["origin_vintage"],
            "actual_vintage": s["actual_vintage"],
            "kommuner": s["kommuner"],
            "mae_pct": q.fact(s["mae_pct"], "pct_plain", **bcite, fact_id="nowcast_backtest_mae"),
            "coverage_80": q.fact(
                None if s["coverage_80"] is None else 100.0 * s["coverage_80"],
                "pct_plain",
                **bcite,
                fact_id="nowcast_backtest_coverage_80",
            ),
            "lad_ratio": s["mae_ratio_to_lad"],
            "own": None
            if not own
            else {
                "year": own[0]["target_year"],
                "predicted": q.fact(own[0]["predicted_t"], "t", **own_cite),
                "actual": q.fact(own[0]["actual_t"], "t", **own_cite),
                "error": q.fact(own[0]["abs_error_pct"], "pct_plain", **own_cite),
            },
        }
    paris = q.rows(
        """
        select as_of_year, probability_on_path, meets_paris_trajectory from marts.fct_nowcast_paris
        where kommun_kod = ? and method = 'carbon_law'""",
        [q.kommun_kod],
    )
    years = [r["year"] for r in rows]
    return {
        "base_year_fill": base_year_fill(q, rows[0]["vintage"]),
        "years": years,
        "title_years": swedish_list([str(y) for y in years]),
        "base_year": rows[0]["base_year"],
        "vintage": rows[0]["vintage"],
        "rows": out_rows,
        "uses_national": any(r["national_value_kind"] != "none" for r in rows),
        "uses_placeholder": any(r["uses_placeholder"] for r in rows),
        "uses_synthetic_input": any(r["uses_synthetic_input"] for r in rows),
        "local_indicator": next((r["local_indicator"] for r in rows if r["local_indicator"]), None),
        "backtest": backtest,
        "paris": None
        if not paris
        else {
            "as_of_year": paris[0]["as_of_year"],
            "probability": q.fact(
                100.0 * paris[0]["probability_on_path"],
                "pct_plain",
                source_id=NOWCAST,
                vintage=rows[0]["vintage"],
                mart="marts.fct_nowcast_paris",
                fact_id="nowcast_paris_probability",
            ),
        },
    }


PLAN = "borlange_plan"


def plan(q: Query) -> dict:
    """The plan for the kommun: business as usual and the plan (territorial) with the Monte
    Carlo's range, each action's single impact per year (the wedges), the MAC curve of the goal
    year and the climate-investment plan by year and payer. Projections, cited as the
    warehouse's own; SYNTHETIC portfolios are said so."""
    cite = dict(source_id=PLAN, vintage=None)
    scenario = q.rows(
        """
        select scenario, year, emissions_t, p10_t, p50_t, p90_t, emissions_kind, is_synthetic
        from marts.fct_scenario_emissions
        where kommun_kod = ? and inventory = 'territorial' and sector = 'total'
          and scenario in ('bau', 'plan') and emissions_kind = 'projected'
        order by scenario, year""",
        [q.kommun_kod],
    )
    if not scenario:
        return {"has_plan": False}
    bau = {r["year"]: r["emissions_t"] for r in scenario if r["scenario"] == "bau"}
    plan_rows = {r["year"]: r for r in scenario if r["scenario"] == "plan"}
    summary = q.rows(
        "select * from marts.fct_plan_summary where kommun_kod = ? and scenario = 'plan'",
        [q.kommun_kod],
    )
    goal_year = summary[0]["goal_year"] if summary else 2030
    goal = plan_rows.get(goal_year)
    sc = dict(cite, mart="marts.fct_scenario_emissions")
    impacts = q.rows(
        """
        select impact.action_id, impact.title, impact.year, impact.impact_t
        from marts.fct_action_impact as impact
        where impact.kommun_kod = ? and impact.inventory = 'territorial'
        order by impact.action_id, impact.year""",
        [q.kommun_kod],
    )
    mac = q.rows(
        """
        select rank, action_id, title, cost_per_tonne_sek, width_t, cumulative_t,
               annualised_cost_sek, investment_sek
        from marts.fct_mac_curve where kommun_kod = ? and inventory = 'territorial'
        order by rank""",
        [q.kommun_kod],
    )
    mc = dict(cite, mart="marts.fct_mac_curve")
    investment = q.rows(
        """
        select coalesce(payer, 'ej identifierad') as payer,
               sum(investment_sek) as investment_sek, sum(secured_sek) as secured_sek,
               sum(gap_sek) as gap_sek
        from marts.fct_investment_plan group by all order by investment_sek desc"""
    )
    totals = q.rows(
        """
        select sum(investment_sek) as investment_sek, sum(secured_sek) as secured_sek,
               sum(gap_sek) as gap_sek, min(year) as first_year, max(year) as last_year
        from marts.fct_investment_plan"""
    )[0]
    ic = dict(cite, mart="marts.fct_investment_plan")
    return {
        "has_plan": True,
        "is_synthetic": any(r["is_synthetic"] for r in scenario),
        "goal_year": goal_year,
        "bau_goal": q.fact(bau.get(goal_year), "t", **sc, fact_id="plan_bau_goal"),
        "plan_goal": q.fact(goal and goal["emissions_t"], "t", **sc, fact_id="plan_plan_goal"),
        "p10_goal": q.fact(goal and goal["p10_t"], "t", **sc, fact_id="plan_p10_goal"),
        "p50_goal": q.fact(goal and goal["p50_t"], "t", **sc, fact_id="plan_p50_goal"),
        "p90_goal": q.fact(goal and goal["p90_t"], "t", **sc, fact_id="plan_p90_goal"),
        "target_goal": q.fact(
            summary[0]["goal_t"] if summary else None,
            "t",
            **dict(cite, mart="marts.fct_plan_summary"),
            fact_id="plan_target_goal",
        ),
        "p_meets_goal": q.fact(
            None
            if not summary or summary[0]["p_meets_goal"] is None
            else 100.0 * summary[0]["p_meets_goal"],
            "pct_plain",
            **dict(cite, mart="marts.fct_plan_summary"),
            fact_id="plan_p_meets_goal",
        ),
        "series": {
            "years": sorted(bau),
            "bau": [bau[y] for y in sorted(bau)],
            "plan": [plan_rows[y]["emissions_t"] for y in sorted(bau)],
            "p10": [plan_rows[y]["p10_t"] for y in sorted(bau)],
            "p90": [plan_rows[y]["p90_t"] for y in sorted(bau)],
        },
        "impacts": impacts,
        "mac": [
            {
                "rank": r["rank"],
                "action_id": r["action_id"],
                "title": r["title"],
                "width_t": r["width_t"],
                "cost_per_tonne_sek": r["cost_per_tonne_sek"],
                "width": q.fact(
                    r["width_t"], "t", **mc, fact_id=f"plan_mac_width:{r['action_id']}"
                ),
                "cost": q.fact(
                    r["cost_per_tonne_sek"],
                    "sek_per_t",
                    **mc,
                    fact_id=f"plan_mac_cost:{r['action_id']}",
                ),
            }
            for r in mac
        ],
        "investment": [
            {
                "payer": r["payer"],
                "investment": q.fact(r["investment_sek"], "msek", **ic),
                "secured": q.fact(r["secured_sek"], "msek", **ic),
                "gap": q.fact(r["gap_sek"], "msek", **ic),
            }
            for r in investment
        ],
        "investment_total": q.fact(
            totals["investment_sek"], "msek", **ic, fact_id="plan_investment_total"
        ),
        "gap_total": q.fact(totals["gap_sek"], "msek", **ic, fact_id="plan_gap_total"),
        "investment_years": (totals["first_year"], totals["last_year"]),
    }
