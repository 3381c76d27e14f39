"""Economics of the plan: annualised cost, cost per tonne, the MAC curve, the investment plan.

DISCOUNT RATE. The default is 3.5 % a year, real: the social discount rate of the Swedish
transport sector's appraisal guidance ASEK (Trafikverket, "Analysmetod och samhällsekonomiska
kalkylvärden för transportsektorn", ASEK 7.0, kapitel 5 "Tillämpade kalkylmodeller och generella
kalkylvärden"; 3.5 % since ASEK 5, as recalled, the chapter was not read offline). It is the
rate Swedish public appraisals commonly use; the kommun may set another (`discount_rate`).

PER ACTION, over its lifetime from its start year, discounted to the start year at rate r:
  costs     the investment, spread evenly over the ramp-up years (at least one), and the
            yearly operating cost (+) or saving (-) times the share of the action in force
  tonnes    its impact (the plan without it minus the plan) in each year of its lifetime,
            counted over its whole lifetime (not only beyond the last data year); years after
            the model's end year repeat the end year's impact (extrapolated_t says how much);
            in years already observed the action is applied to the observed emissions, which
            hold it already: an approximation for actions begun before the last data year
  pv_cost_sek = sum cost_k / (1 + r)^k;  pv_t = sum tonnes_k / (1 + r)^k
  annualised_cost_sek = pv_cost_sek x CRF(r, lifetime), CRF = r / (1 - (1 + r)^-n)
  cost_per_tonne_sek  = pv_cost_sek / pv_t (the levelised cost of abatement: tonnes are
            discounted like kronor, so a slow ramp is not flattered; = annualised cost over
            levelised tonnes a year); null when the action cuts nothing
Prices are as the portfolio gives them (SEK of the reporting year, real); no tax factor.

THE MAC CURVE for a year: the plan's actions in force that year (beyond what the observed data
already hold), one inventory at a time, ordered by cost_per_tonne_sek (cheapest first; actions
that cut nothing last). Each bar's width is what the action ADDS to the cheaper ones before it
in that year (the plan of the actions up to it minus the plan of those before it), so overlaps
fall to the dearer action and the widths add up exactly to the plan's total impact that year
(BAU minus the plan). Heights are cost_per_tonne_sek.

THE CLIMATE-INVESTMENT PLAN (NetZeroCities' Climate Investment Plan, as its published
description asks: investment per year, sector and payer, funding sources, the gap): one row per
action, year and funding row, the part no funding row covers as payer null / funding source
"ej identifierad"; the gap = investment - secured funding.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.defs.plan.actions import Portfolio
from pipelines.defs.plan.engine import PlanInputError, PlanModel, run_totals

ASEK_DISCOUNT_RATE = 0.035
UNIDENTIFIED = "ej identifierad"


def capital_recovery_factor(rate: float, years: int) -> float:
    """The share of a present value paid each year over `years` years at `rate`; 1/n at 0."""
    if years < 1:
        raise ValueError("years must be at least 1")
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


def lifetime_impacts(model: PlanModel) -> dict[int, np.ndarray]:
    """Per plan action index: its impact in each model year with its whole lifetime counted."""
    plan = model.in_plan
    members = np.flatnonzero(plan)
    runs = np.repeat(plan[None, :], len(members) + 1, axis=0)
    runs[np.arange(1, len(members) + 1), members] = False
    emissions = run_totals(model, runs, projected=False)[0].sum(axis=1)  # (R, Y)
    return {int(a): emissions[1 + j] - emissions[0] for j, a in enumerate(members)}


def action_economics(
    model: PlanModel, *, discount_rate: float = ASEK_DISCOUNT_RATE
) -> pl.DataFrame:
    """One row per plan action (see the module docstring)."""
    if not -1 < discount_rate < 1:
        raise PlanInputError(f"discount_rate is a yearly fraction (0.035), got {discount_rate}")
    years = model.years
    impacts = lifetime_impacts(model)
    rows = []
    for a, impact in impacts.items():
        action = model.actions[a]
        activity = model.activities[model.action_activity[a]]
        lifetime = np.arange(action.start_year, action.last_year + 1)
        discount = (1.0 + discount_rate) ** -(lifetime - action.start_year).astype(float)
        inside = (lifetime >= years[0]) & (lifetime <= years[-1])
        tonnes = np.where(inside, impact[np.clip(lifetime - years[0], 0, len(years) - 1)], 0.0)
        after = lifetime > years[-1]
        tonnes = np.where(after, impact[-1], tonnes)
        investment = np.where(
            lifetime < action.start_year + action.investment_years,
            action.investment_sek / action.investment_years,
            0.0,
        )
        costs = investment + action.opex_sek_per_year * action.fraction(lifetime)
        pv_cost = float((costs * discount).sum())
        pv_t = float((tonnes * discount).sum())
        crf = capital_recovery_factor(discount_rate, action.lifetime_years)
        rows.append(
            {
                "kommun_kod": model.kommun_kod,
                "action_id": action.action_id,
                "title": action.title,
                "partner_id": action.partner_id,
                "inventory": activity.inventory,
                "smhi_sector": activity.smhi_sector,
                "gpc_ref": activity.gpc_ref,
                "status": action.status,
                "start_year": action.start_year,
                "lifetime_years": action.lifetime_years,
                "discount_rate": discount_rate,
                "investment_sek": action.investment_sek,
                "opex_sek_per_year": action.opex_sek_per_year,
                "pv_cost_sek": pv_cost,
                "annualised_cost_sek": pv_cost * crf,
                "lifetime_t": float(tonnes.sum()),
                "extrapolated_t": float(tonnes[after].sum()),
                "pv_t": pv_t,
                "levelised_t_per_year": pv_t * crf,
                "cost_per_tonne_sek": pv_cost / pv_t if pv_t > 0 else None,
                "is_synthetic": action.is_synthetic,
            }
        )
    return pl.DataFrame(rows, schema=ECONOMICS_SCHEMA)


ECONOMICS_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "action_id": pl.Utf8,
    "title": pl.Utf8,
    "partner_id": pl.Utf8,
    "inventory": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "gpc_ref": pl.Utf8,
    "status": pl.Utf8,
    "start_year": pl.Int64,
    "lifetime_years": pl.Int64,
    "discount_rate": pl.Float64,
    "investment_sek": pl.Float64,
    "opex_sek_per_year": pl.Float64,
    "pv_cost_sek": pl.Float64,
    "annualised_cost_sek": pl.Float64,
    "lifetime_t": pl.Float64,
    "extrapolated_t": pl.Float64,
    "pv_t": pl.Float64,
    "levelised_t_per_year": pl.Float64,
    "cost_per_tonne_sek": pl.Float64,
    "is_synthetic": pl.Boolean,
}


def mac_curve(
    model: PlanModel, economics: pl.DataFrame, year: int, *, inventory: str = "territorial"
) -> pl.DataFrame:
    """The marginal-abatement-cost curve of one year and inventory (see the module docstring).
    Columns: kommun_kod, year, inventory, rank, action_id, title, smhi_sector, gpc_ref,
    cost_per_tonne_sek, width_t, cumulative_t, impact_t, annualised_cost_sek."""
    years = model.years
    if not years[0] <= year <= years[-1]:
        raise PlanInputError(f"year {year} is outside the model's {years[0]}..{years[-1]}")
    column = int(year - years[0])
    activities = np.array([a.inventory == inventory for a in model.activities], dtype=bool)
    in_inventory = activities[model.action_activity]
    in_force = model.fraction_projected[:, column] > 0
    candidates = np.flatnonzero(model.in_plan & in_inventory & in_force)
    costs = dict(economics.select("action_id", "cost_per_tonne_sek").iter_rows())
    annualised = dict(economics.select("action_id", "annualised_cost_sek").iter_rows())

    def key(a: int):
        cost = costs.get(model.actions[a].action_id)
        return (cost is None, cost if cost is not None else 0.0, model.actions[a].action_id)

    order = sorted(candidates, key=key)
    prefixes = np.zeros((len(order) + 1, len(model.actions)), dtype=bool)
    for k, a in enumerate(order):
        prefixes[k + 1 :, a] = True
    plan_without = np.repeat(model.in_plan[None, :], len(order), axis=0)
    plan_without[np.arange(len(order)), order] = False
    runs, _ = run_totals(model, np.concatenate([prefixes, model.in_plan[None, :], plan_without]))
    totals = runs[:, activities, column].sum(axis=1)  # (R,)
    widths = totals[: len(order)] - totals[1 : len(order) + 1]
    plan_total = totals[len(order) + 1]
    impacts = totals[len(order) + 2 :] - plan_total
    rows = []
    cumulative = 0.0
    for k, a in enumerate(order):
        action = model.actions[a]
        activity = model.activities[model.action_activity[a]]
        cumulative += widths[k]
        rows.append(
            {
                "kommun_kod": model.kommun_kod,
                "year": year,
                "inventory": inventory,
                "rank": k + 1,
                "action_id": action.action_id,
                "title": action.title,
                "smhi_sector": activity.smhi_sector,
                "gpc_ref": activity.gpc_ref,
                "cost_per_tonne_sek": costs.get(action.action_id),
                "width_t": float(widths[k]),
                "cumulative_t": cumulative,
                "impact_t": float(impacts[k]),
                "annualised_cost_sek": annualised.get(action.action_id),
            }
        )
    return pl.DataFrame(rows, schema=MAC_SCHEMA)


MAC_SCHEMA = {
    "kommun_kod": pl.Utf8,
    "year": pl.Int64,
    "inventory": pl.Utf8,
    "rank": pl.Int64,
    "action_id": pl.Utf8,
    "title": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "gpc_ref": pl.Utf8,
    "cost_per_tonne_sek": pl.Float64,
    "width_t": pl.Float64,
    "cumulative_t": pl.Float64,
    "impact_t": pl.Float64,
    "annualised_cost_sek": pl.Float64,
}


def investment_plan(portfolio: Portfolio, *, include_outside_plan: bool = False) -> pl.DataFrame:
    """One row per action, investment year and funding row (plus the unidentified rest):
    kommun-independent, straight from the portfolio. Columns: year, action_id, partner_id,
    responsible_org, status, smhi_sector, gpc_ref, payer, funding_source, secured,
    investment_sek, is_synthetic."""
    rows = []
    for action in portfolio.actions:
        if not (action.in_plan or include_outside_plan):
            continue
        activity = portfolio.activity_by_id.get(action.activity_id)
        per_year = action.investment_sek / action.investment_years
        parts = [(f.payer, f.funding_source, f.secured, f.share) for f in action.funding]
        rest = 1.0 - sum(f.share for f in action.funding)
        if rest > 1e-9:
            parts.append((None, UNIDENTIFIED, False, rest))
        for year in range(action.start_year, action.start_year + action.investment_years):
            for payer, source, secured, share in parts:
                rows.append(
                    {
                        "year": year,
                        "action_id": action.action_id,
                        "partner_id": action.partner_id,
                        "responsible_org": action.primary_organisation,
                        "status": action.status,
                        "smhi_sector": activity.smhi_sector if activity else action.smhi_sector,
                        "gpc_ref": activity.gpc_ref if activity else action.gpc_ref,
                        "payer": payer,
                        "funding_source": source,
                        "secured": secured,
                        "investment_sek": per_year * share,
                        "is_synthetic": action.is_synthetic,
                    }
                )
    return pl.DataFrame(rows, schema=INVESTMENT_SCHEMA).sort(
        "year", "action_id", "payer", nulls_last=True
    )


INVESTMENT_SCHEMA = {
    "year": pl.Int64,
    "action_id": pl.Utf8,
    "partner_id": pl.Utf8,
    "responsible_org": pl.Utf8,
    "status": pl.Utf8,
    "smhi_sector": pl.Utf8,
    "gpc_ref": pl.Utf8,
    "payer": pl.Utf8,
    "funding_source": pl.Utf8,
    "secured": pl.Boolean,
    "investment_sek": pl.Float64,
    "is_synthetic": pl.Boolean,
}


def funding_gap(plan: pl.DataFrame, by: tuple[str, ...] = ("year",)) -> pl.DataFrame:
    """The investment plan summed by `by` (e.g. year; year and smhi_sector; year and payer):
    investment_sek, secured_sek, identified_unsecured_sek, unidentified_sek and gap_sek
    (= investment - secured)."""
    unidentified = pl.col("funding_source") == UNIDENTIFIED
    return (
        plan.group_by(list(by))
        .agg(
            pl.col("investment_sek").sum(),
            pl.col("investment_sek").filter(pl.col("secured")).sum().alias("secured_sek"),
            pl.col("investment_sek")
            .filter(~pl.col("secured") & ~unidentified)
            .sum()
            .alias("identified_unsecured_sek"),
            pl.col("investment_sek").filter(unidentified).sum().alias("unidentified_sek"),
        )
        .with_columns((pl.col("investment_sek") - pl.col("secured_sek")).alias("gap_sek"))
        .sort(list(by), nulls_last=True)
    )
