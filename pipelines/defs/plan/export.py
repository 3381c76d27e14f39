"""The plan as a workbook (plain Python, no Dagster): NetZeroCities' Climate City Contract tables
(Action Plan module B-1 pathways and B-2 portfolio, the Climate Investment Plan and its funding
gap) and a SECAP-style action table, read from the plan's marts.

The layout follows the published descriptions of the templates as recalled: NOT CHECKED against the
official NZC workbooks or the Covenant of Mayors' SECAP template (no internet here). Each sheet
says what it holds; the README sheet says whether the portfolio is SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.styles import Font

SHEETS = (
    "README",
    "B-1 Pathways",
    "B-2 Portfolio",
    "Investment Plan",
    "Funding Gap",
    "SECAP Actions",
)
BOLD = Font(bold=True)


class PlanExportError(ValueError):
    """Nothing to export (no plan in the warehouse for the kommun)."""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    goal_year: int
    bau_t: float
    plan_t: float
    investment_sek: float
    gap_sek: float
    actions: int
    is_synthetic: bool


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    relation = con.sql(sql, params=params or [])
    return [dict(zip(relation.columns, r, strict=True)) for r in relation.fetchall()]


def table(ws, headings: list[str], records: list[list]) -> None:
    ws.append(headings)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for record in records:
        ws.append(record)
    ws.freeze_panes = ws.cell(row=ws.max_row - len(records) + 1, column=1)


def write_plan_workbook(
    con: duckdb.DuckDBPyConnection, kommun_kod: str, out: Path, *, kommun_namn: str | None = None
) -> ExportSummary:
    pathways = rows(
        con,
        """
        select year,
               max(emissions_t) filter (where scenario = 'bau')  as bau_t,
               max(emissions_t) filter (where scenario = 'plan') as plan_t,
               max(p10_t) filter (where scenario = 'plan')       as p10_t,
               max(p50_t) filter (where scenario = 'plan')       as p50_t,
               max(p90_t) filter (where scenario = 'plan')       as p90_t,
               min(emissions_kind)                               as emissions_kind,
               bool_or(is_synthetic)                             as is_synthetic
        from marts.fct_scenario_emissions
        where kommun_kod = ? and inventory = 'territorial' and sector = 'total'
        group by year order by year""",
        [kommun_kod],
    )
    if not pathways:
        raise PlanExportError(f"no plan for kommun {kommun_kod} in marts.fct_scenario_emissions")
    summary = rows(
        con,
        "select goal_year, goal_t, p_meets_goal from marts.fct_plan_summary where kommun_kod = ?",
        [kommun_kod],
    )
    goal_year = summary[0]["goal_year"] if summary else 2030
    portfolio = rows(
        con,
        """
        with impact as (
            select action_id, any_value(title) as title, any_value(smhi_sector) as smhi_sector,
                   any_value(gpc_ref) as gpc_ref, any_value(inventory) as inventory,
                   min(year) filter (where fraction > 0) as first_year,
                   max(year) filter (where fraction > 0) as last_year,
                   sum(impact_t) filter (where year = ?) as impact_goal_t
            from marts.fct_action_impact where kommun_kod = ? group by action_id
        ),
        money as (
            select action_id, any_value(responsible_org) as responsible_org,
                   sum(investment_sek) as investment_sek, sum(gap_sek) as gap_sek
            from marts.fct_investment_plan group by action_id
        )
        select tracking.action_id, coalesce(impact.title, tracking.title) as title,
               tracking.status, tracking.percent_done, impact.smhi_sector, impact.gpc_ref,
               impact.inventory, money.responsible_org, impact.first_year, impact.last_year,
               impact.impact_goal_t, tracking.cost_per_tonne_sek, money.investment_sek,
               money.gap_sek, tracking.kpi_kind, tracking.kpi_ref, tracking.flag, tracking.in_plan
        from marts.fct_action_tracking as tracking
        left join impact using (action_id)
        left join money using (action_id)
        order by tracking.action_id""",
        [goal_year, kommun_kod],
    )
    investment = rows(
        con,
        """
        select year, action_id, smhi_sector, gpc_ref, coalesce(payer, 'ej identifierad') as payer,
               funding_source, secured, investment_sek
        from marts.fct_investment_plan order by year, action_id, payer""",
    )
    gap = rows(
        con,
        """
        select year, sum(investment_sek) as investment_sek, sum(secured_sek) as secured_sek,
               sum(gap_sek) as gap_sek
        from marts.fct_investment_plan group by year order by year""",
    )
    synthetic = any(r["is_synthetic"] for r in pathways)
    goal = next((r for r in pathways if r["year"] == goal_year), pathways[-1])

    wb = Workbook()
    readme = wb.active
    readme.title = SHEETS[0]
    name = kommun_namn or kommun_kod
    for line in (
        [f"Climate City Contract tables and SECAP actions: {name} ({kommun_kod})"],
        ["Portfolio", "SYNTHETIC demo portfolio (exempeldata)" if synthetic else "reported"],
        [
            "Source",
            "marts.fct_scenario_emissions, fct_action_impact, fct_action_tracking, "
            "fct_investment_plan, fct_plan_summary (source id borlange_plan)",
        ],
        ["Units", "t CO2e per year (territorial, SMHI's inventory); SEK"],
        ["Goal year", goal_year],
        ["Business as usual", goal["bau_t"]],
        ["Plan (central)", goal["plan_t"]],
        ["Carbon Law path", summary[0]["goal_t"] if summary else None],
        [
            "Layout",
            "after NetZeroCities' Climate City Contract (Action Plan B-1, B-2; Climate "
            "Investment Plan) and the Covenant of Mayors' SECAP action table as described in "
            "public guidance; NOT checked against the official templates (offline)",
        ],
    ):
        readme.append(line)
    readme["A1"].font = BOLD

    table(
        wb.create_sheet(SHEETS[1]),
        [
            "Year",
            "Business as usual (t CO2e)",
            "Plan (t CO2e)",
            "Plan P10",
            "Plan P50",
            "Plan P90",
            "Kind",
        ],
        [
            [
                r["year"],
                r["bau_t"],
                r["plan_t"],
                r["p10_t"],
                r["p50_t"],
                r["p90_t"],
                r["emissions_kind"],
            ]
            for r in pathways
        ],
    )
    table(
        wb.create_sheet(SHEETS[2]),
        [
            "Action id",
            "Action",
            "Status",
            "% done",
            "SMHI sector",
            "GPC sector",
            "Inventory",
            "Responsible",
            "First year in force",
            "Last year in force",
            f"Impact {goal_year} (t CO2e)",
            "Cost per tonne (SEK/t)",
            "Investment (SEK)",
            "Unsecured (SEK)",
            "KPI kind",
            "KPI",
            "Flag",
            "In plan",
        ],
        [
            [
                p["action_id"],
                p["title"],
                p["status"],
                p["percent_done"],
                p["smhi_sector"],
                p["gpc_ref"],
                p["inventory"],
                p["responsible_org"],
                p["first_year"],
                p["last_year"],
                p["impact_goal_t"],
                p["cost_per_tonne_sek"],
                p["investment_sek"],
                p["gap_sek"],
                p["kpi_kind"],
                p["kpi_ref"],
                p["flag"],
                p["in_plan"],
            ]
            for p in portfolio
        ],
    )
    table(
        wb.create_sheet(SHEETS[3]),
        [
            "Year",
            "Action id",
            "SMHI sector",
            "GPC sector",
            "Payer",
            "Funding source",
            "Secured",
            "Investment (SEK)",
        ],
        [
            [
                r["year"],
                r["action_id"],
                r["smhi_sector"],
                r["gpc_ref"],
                r["payer"],
                r["funding_source"],
                r["secured"],
                r["investment_sek"],
            ]
            for r in investment
        ],
    )
    table(
        wb.create_sheet(SHEETS[4]),
        ["Year", "Investment (SEK)", "Secured (SEK)", "Funding gap (SEK)"],
        [[r["year"], r["investment_sek"], r["secured_sek"], r["gap_sek"]] for r in gap],
    )
    table(
        wb.create_sheet(SHEETS[5]),
        [
            "Sector (GPC)",
            "Action",
            "Responsible body",
            "Implementation start",
            "Implementation end",
            "Estimated implementation cost (SEK)",
            f"Estimated CO2 reduction {goal_year} (t/a)",
            "Status",
        ],
        [
            [
                p["gpc_ref"],
                f"{p['action_id']} {p['title']}",
                p["responsible_org"],
                p["first_year"],
                p["last_year"],
                p["investment_sek"],
                p["impact_goal_t"],
                p["status"],
            ]
            for p in portfolio
            if p["in_plan"]
        ],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return ExportSummary(
        out,
        goal_year,
        goal["bau_t"],
        goal["plan_t"],
        sum(r["investment_sek"] for r in gap),
        sum(r["gap_sek"] for r in gap),
        len(portfolio),
        synthetic,
    )
