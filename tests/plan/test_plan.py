"""The plan (issue 24, phase one): the action model and loader, the scenario engine, Monte Carlo,
economics and measured results, on small hand-made portfolios and on the demo portfolio."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import polars as pl
import pytest

from pipelines.defs.plan import actions as A
from pipelines.defs.plan.actions import (
    Action,
    Activity,
    ActivityFuel,
    Effect,
    Funding,
    Kpi,
    Portfolio,
    PortfolioError,
    load_portfolio,
    validate_portfolio,
)
from pipelines.defs.plan.assets import goal_check, p50_check
from pipelines.defs.plan.economics import (
    ASEK_DISCOUNT_RATE,
    UNIDENTIFIED,
    action_economics,
    capital_recovery_factor,
    funding_gap,
    investment_plan,
    mac_curve,
)
from pipelines.defs.plan.engine import (
    BAU,
    PLAN,
    PlanInputError,
    build_model,
    run_plan,
    sector_totals,
)
from pipelines.defs.plan.measured import (
    action_tracking,
    degree_days,
    meter_results,
    reported_results,
)
from pipelines.defs.plan.montecarlo import Targets, monte_carlo, targets_from_trajectory
from pipelines.defs.plan.run import KPI_VALUE_SCHEMA, METER_SCHEMA, p50_off_central, run
from pipelines.defs.plan.tables import SCHEMA, TABLES, replace_tables
from pipelines.defs.trajectory.compute import compute_trajectories
from pipelines.defs.trajectory.presets import MethodPreset, load_presets
from tests.helpers import REPO

DEMO = REPO / "replay" / "payloads" / "plan"
SEEDS = REPO / "dbt_project" / "seeds"
BORLANGE_SECTORS = REPO / "tests" / "fixtures" / "borlange_sector_emissions_tdp_bf20c58.csv"
BORLANGE_TOTALS = REPO / "tests" / "fixtures" / "tdp_bf20c58_co2e_totals.csv"
TEMPERATURE = REPO / "replay" / "payloads" / "meters" / "borlange_daily_temperature.csv"
CARBON_LAW = MethodPreset(
    "carbon_law", "carbon_law", "CO2e", "lad", 2015, 2050, reduction_rate=0.1172
)


# ---------------------------------------------------------------------------- builders


def flat_sectors(industry: float = 1000.0, transport: float = 500.0) -> pl.DataFrame:
    """Two sectors, flat 2015-2024: BAU stays at the 2024 level."""
    years = list(range(2015, 2025))
    return pl.DataFrame(
        {
            "sector": ["industry"] * 10 + ["transport"] * 10,
            "year": years * 2,
            "tonnes": [industry] * 10 + [transport] * 10,
        }
    )


def activity(
    activity_id="furnace", sector="industry", quantity=1000.0, fuels=None, **kw
) -> Activity:
    fuels = fuels or (ActivityFuel("oil", 1.0, 0.5),)
    return Activity(
        activity_id=activity_id,
        name=activity_id,
        kind=kw.pop("kind", "fuel_use"),
        unit=kw.pop("unit", "MWh"),
        smhi_sector=sector,
        gpc_ref=kw.pop("gpc_ref", "I.3.1" if sector == "industry" else "II.1.1"),
        inventory=kw.pop("inventory", "territorial"),
        base_year=kw.pop("base_year", 2024),
        base_quantity=quantity,
        fuels=tuple(fuels),
        bau_growth=kw.pop("bau_growth", "sector"),
        **kw,
    )


def action(
    action_id, effect, change="relativ", activity_id="furnace", sector="industry", **kw
) -> Action:
    low, central, high = effect if isinstance(effect, tuple) else (effect, effect, effect)
    return Action(
        action_id=action_id,
        partner_id=kw.pop("partner_id", "ssab"),
        title=kw.pop("title", action_id),
        activity_id=activity_id,
        change=change,
        effect=Effect(low, central, high),
        start_year=kw.pop("start_year", 2026),
        ramp_years=kw.pop("ramp_years", 0),
        lifetime_years=kw.pop("lifetime_years", 30),
        status=kw.pop("status", "planerad"),
        smhi_sector=sector,
        gpc_ref=kw.pop("gpc_ref", "I.3.1" if sector == "industry" else "II.1.1"),
        **kw,
    )


def model_of(actions, activities=None, sectors=None):
    portfolio = Portfolio(tuple(activities or [activity()]), tuple(actions))
    assert validate_portfolio(portfolio) == []
    return build_model(
        sectors if sectors is not None else flat_sectors(), portfolio, CARBON_LAW, kommun_kod="2081"
    )


def at(frame: pl.DataFrame, year: int, **equal) -> pl.DataFrame:
    out = frame.filter(pl.col("year") == year)
    for column, value in equal.items():
        out = out.filter(pl.col(column) == value)
    return out


def activity_emissions(result, scenario: str, year: int, activity_id: str) -> float:
    return at(result.scenario_emissions, year, scenario=scenario, activity_id=activity_id)[
        "emissions_t"
    ].sum()


def impact(result, action_id: str, year: int) -> float:
    return at(result.action_impacts, year, action_id=action_id)["impact_t"].item()


# ------------------------------------------------------------------ acceptance: composition


def test_two_relative_cuts_compose_multiplicatively_with_their_overlap():
    result = run_plan(model_of([action("half", -0.5), action("third", -0.3)]))
    bau = activity_emissions(result, BAU, 2030, "furnace")
    plan = activity_emissions(result, PLAN, 2030, "furnace")
    assert bau == pytest.approx(500.0)  # 1000 MWh x 0.5 t/MWh, half of industry's 1000 t
    assert plan / bau == pytest.approx(0.35)  # (1 - 0.5)(1 - 0.3), never 1 - 0.5 - 0.3
    assert impact(result, "half", 2030) / bau == pytest.approx(0.35)
    assert impact(result, "third", 2030) / bau == pytest.approx(0.15)
    overlap = at(result.overlaps, 2030, activity_id="furnace").row(0, named=True)
    assert overlap["combined_t"] / bau == pytest.approx(0.65)
    assert overlap["sum_of_impacts_t"] / bau == pytest.approx(0.50)
    assert overlap["overlap_t"] / bau == pytest.approx(0.15)
    standalone = at(result.action_impacts, 2030, action_id="half")["standalone_t"].item()
    assert standalone / bau == pytest.approx(0.5)
    # the sector's residual (the other 500 t of industry) and transport are untouched
    totals = sector_totals(result.scenario_emissions)
    assert at(totals, 2030, scenario=PLAN, sector="industry")[
        "emissions_t"
    ].item() == pytest.approx(500 + 175)
    assert at(totals, 2030, scenario=PLAN, sector="transport")[
        "emissions_t"
    ].item() == pytest.approx(500)


def test_a_full_switch_to_a_zero_factor_fuel_removes_that_fuel_and_nothing_else():
    trucks = activity(
        "trucks",
        "transport",
        quantity=100_000.0,
        kind="vehicle_km",
        unit="fordonskm",
        fuels=(
            ActivityFuel("diesel", 0.8, 0.001),
            ActivityFuel("HVO", 0.2, 0.0001),
            ActivityFuel("el", 0.0, 0.0),
        ),
    )
    switch = action(
        "electric",
        1.0,
        change="bränslebyte",
        activity_id="trucks",
        sector="transport",
        from_fuel="diesel",
        to_fuel="el",
    )
    result = run_plan(model_of([switch], [activity(), trucks]))
    rows = at(result.scenario_emissions, 2030, scenario=PLAN, activity_id="trucks")
    by_fuel = {r["fuel"]: r for r in rows.iter_rows(named=True)}
    assert by_fuel["diesel"]["emissions_t"] == 0.0 and by_fuel["diesel"]["quantity"] == 0.0
    assert by_fuel["HVO"]["emissions_t"] == pytest.approx(100_000 * 0.2 * 0.0001)
    assert by_fuel["el"]["quantity"] == pytest.approx(80_000)  # the diesel vehicle-km, now electric
    assert by_fuel["el"]["emissions_t"] == 0.0
    assert impact(result, "electric", 2030) == pytest.approx(100_000 * 0.8 * 0.001)
    for other in ("furnace", "residual:industry", "residual:transport"):
        assert activity_emissions(result, PLAN, 2030, other) == activity_emissions(
            result, BAU, 2030, other
        )


def test_switches_from_one_fuel_share_it_in_proportion_whatever_their_order():
    fuels = (
        ActivityFuel("oil", 1.0, 1.0),
        ActivityFuel("bio", 0.0, 0.1),
        ActivityFuel("el", 0.0, 0.0),
    )
    one = action("to_bio", 0.5, change="bränslebyte", from_fuel="oil", to_fuel="bio")
    two = action(
        "to_el", 0.5, change="bränslebyte", from_fuel="oil", to_fuel="el", energy_ratio=0.5
    )
    forward = run_plan(model_of([one, two], [activity(quantity=100.0, fuels=fuels)]))
    backward = run_plan(model_of([two, one], [activity(quantity=100.0, fuels=fuels)]))
    rows = at(forward.scenario_emissions, 2030, scenario=PLAN, activity_id="furnace")
    quantity = dict(rows.select("fuel", "quantity").iter_rows())
    assert quantity["oil"] == pytest.approx(25.0)  # (1 - 0.5)(1 - 0.5) of 100 stays
    assert quantity["bio"] == pytest.approx(37.5)  # half of the 75 removed
    assert quantity["el"] == pytest.approx(37.5 * 0.5)  # the other half, at the energy ratio
    assert activity_emissions(backward, PLAN, 2030, "furnace") == pytest.approx(
        activity_emissions(forward, PLAN, 2030, "furnace")
    )


def test_an_emission_factor_change_scales_its_fuel_only():
    fuels = (ActivityFuel("diesel", 0.5, 1.0), ActivityFuel("HVO", 0.5, 0.1))
    hvo = action("hvo100", -0.9, change="emissionsfaktor", fuel="diesel")
    result = run_plan(model_of([hvo], [activity(quantity=100.0, fuels=fuels)]))
    rows = at(result.scenario_emissions, 2030, scenario=PLAN, activity_id="furnace")
    emissions = dict(rows.select("fuel", "emissions_t").iter_rows())
    assert emissions == pytest.approx({"diesel": 5.0, "HVO": 5.0})


def test_a_cut_below_zero_is_capped_at_zero_and_flagged():
    cut = action("demolish", -1500.0, change="absolut", start_year=2030, lifetime_years=3)
    small = action("trim", -100.0, change="absolut", start_year=2026)
    result = run_plan(model_of([cut, small]))
    assert activity_emissions(result, PLAN, 2030, "furnace") == 0.0
    assert (
        at(result.scenario_emissions, 2030, scenario=PLAN, activity_id="furnace")["quantity"].min()
        == 0.0
    )
    assert activity_emissions(result, PLAN, 2029, "furnace") == pytest.approx((1000 - 100) * 0.5)
    capped = result.flags.filter(
        (pl.col("flag") == "capped_at_zero") & (pl.col("scenario") == PLAN)
    )
    assert sorted(capped["year"].to_list()) == [2030, 2030, 2031, 2031, 2032, 2032]
    assert sorted(set(capped["action_id"].to_list())) == ["demolish", "trim"]
    assert at(result.action_impacts, 2030, action_id="demolish")["capped"].item() is True
    assert at(result.action_impacts, 2029, action_id="trim")["capped"].item() is False
    assert result.scenario_emissions["emissions_t"].min() >= 0.0


def test_an_action_outside_its_lifetime_has_no_effect():
    later = action("later", -0.4, start_year=2030, lifetime_years=5)
    never = action("never", -0.4, start_year=2060, lifetime_years=5)
    result = run_plan(model_of([later, never]))
    effect = dict(
        result.action_impacts.filter(pl.col("action_id") == "later")
        .select("year", "impact_t")
        .iter_rows()
    )
    assert [y for y, t in effect.items() if t != 0] == [2030, 2031, 2032, 2033, 2034]
    assert effect[2030] == pytest.approx(0.4 * 500)
    assert all(
        t == 0 for t in result.action_impacts.filter(pl.col("action_id") == "never")["impact_t"]
    )
    assert (
        "starts_after_horizon"
        in result.flags.filter(pl.col("action_id") == "never")["flag"].to_list()
    )


def test_the_ramp_and_what_the_observed_data_already_hold():
    ramped = action("ramped", -0.3, start_year=2026, ramp_years=3)
    earlier = action("earlier", -0.2, start_year=2023, ramp_years=4)  # half in force by 2024
    result = run_plan(model_of([ramped, earlier]))
    fraction = dict(
        result.action_impacts.filter(pl.col("action_id") == "ramped")
        .select("year", "fraction")
        .iter_rows()
    )
    assert [fraction[y] for y in (2025, 2026, 2027, 2028, 2029)] == pytest.approx(
        [0, 1 / 3, 2 / 3, 1, 1]
    )
    counted = dict(
        result.action_impacts.filter(pl.col("action_id") == "earlier")
        .select("year", "fraction")
        .iter_rows()
    )
    assert counted[2025] == pytest.approx(0.25) and counted[2026] == pytest.approx(0.5)
    flag = result.flags.filter(
        (pl.col("action_id") == "earlier") & (pl.col("flag") == "partly_in_observed_data")
    )
    assert flag["year"].to_list() == [2024] and "50%" in flag["detail"].item()
    # observed years are the observations in every scenario
    assert activity_emissions(result, PLAN, 2024, "furnace") == activity_emissions(
        result, BAU, 2024, "furnace"
    )


def test_bau_is_the_trajectory_checks_trend_per_sector():
    values = {2015: 900.0, 2020: 800.0, 2021: 790.0, 2022: 760.0, 2023: 700.0, 2024: 690.0}
    sectors = pl.DataFrame(
        {"sector": ["industry"] * 6, "year": list(values), "tonnes": list(values.values())}
    )
    model = model_of([], [activity(quantity=100.0)], sectors)
    as_kommun = sectors.rename({"sector": "kommun_kod"}).with_columns(
        pl.lit("2081").alias("kommun_kod")
    )
    trajectory = compute_trajectories(as_kommun, CARBON_LAW, as_of_year=2026).yearly
    result = run_plan(model)
    totals = sector_totals(result.scenario_emissions).filter(pl.col("scenario") == BAU)
    for year in (2025, 2030, 2040, 2050):
        expected = trajectory.filter(pl.col("year") == year)["trend_t"].item()
        assert at(totals, year, sector="industry")["emissions_t"].item() == pytest.approx(expected)
    assert (
        at(totals, 2018, sector="industry")["emissions_kind"].item() == "estimated"
    )  # SMHI gap year


def test_cancelled_superseded_and_prerequisites_are_flagged_not_dropped():
    base = action("base", -0.2)
    dependent = action("dependent", -0.1, depends_on=("base",))
    cancelled = action("cancelled", -0.5, status="avbruten", status_reason="budget")
    superseded = action("old", -0.5, superseded_by="base")
    model = model_of([base, dependent, cancelled, superseded])
    result = run_plan(model, subsets={"utan_bas": ["dependent"]})
    assert set(result.action_impacts["action_id"]) == {"base", "dependent"}
    flags = {(r["action_id"], r["flag"], r["scenario"]) for r in result.flags.iter_rows(named=True)}
    assert ("cancelled", "not_in_plan", None) in flags and ("old", "not_in_plan", None) in flags
    assert ("dependent", "prerequisite_not_in_scenario", "utan_bas") in flags
    assert activity_emissions(result, "utan_bas", 2030, "furnace") == pytest.approx(500 * 0.9)
    with pytest.raises(PlanInputError, match="no action"):
        run_plan(model, subsets={"x": ["missing"]})


def test_many_actions_across_evaluation_chunks():
    cuts = [action(f"cut{i:02d}", -0.01) for i in range(40)]  # more than one chunk of runs
    result = run_plan(model_of(cuts))
    bau = 500.0
    overlap = at(result.overlaps, 2030).row(0, named=True)
    assert overlap["combined_t"] == pytest.approx(bau * (1 - 0.99**40))
    impacts = at(result.action_impacts, 2030)["impact_t"]
    assert impacts.len() == 40
    assert impacts.to_list() == pytest.approx([bau * 0.01 * 0.99**39] * 40)
    assert overlap["sum_of_impacts_t"] + overlap["overlap_t"] == pytest.approx(
        overlap["combined_t"]
    )


def test_activities_may_not_emit_more_than_their_sector():
    with pytest.raises(PlanInputError, match="at most 100 %"):
        model_of([], [activity(quantity=2500.0)])  # 1250 t in a sector of 1000 t


def test_scope2_activities_stand_apart_from_the_territorial_total():
    villas = activity(
        "villas",
        None,
        quantity=1000.0,
        inventory="scope2",
        gpc_ref="I.1.2",
        kind="heated_area",
        unit="m²",
        bau_growth=0.01,
        fuels=(ActivityFuel("direktel", 1.0, 0.004), ActivityFuel("värmepump", 0.0, 0.0013)),
    )
    pumps = action(
        "pumps",
        0.5,
        change="bränslebyte",
        activity_id="villas",
        sector=None,
        gpc_ref="I.1.2",
        from_fuel="direktel",
        to_fuel="värmepump",
    )
    result = run_plan(model_of([pumps], [activity(), villas]))
    totals = sector_totals(result.scenario_emissions)
    scope2 = at(totals, 2030, scenario=PLAN, inventory="scope2")
    assert scope2["sector"].to_list() == ["I.1.2"]
    area = 1000 * 1.01**6
    assert scope2["emissions_t"].item() == pytest.approx(area * (0.5 * 0.004 + 0.5 * 0.0013))
    territorial = at(totals, 2030, scenario=PLAN, inventory="territorial")["emissions_t"].sum()
    assert territorial == pytest.approx(1500.0)


# ---------------------------------------------------------------------------- Monte Carlo


def symmetric_model():
    return model_of(
        [
            action("a", (-0.3, -0.5, -0.7)),
            action("b", (-0.1, -0.3, -0.5)),
            action(
                "c",
                (0.6, 0.8, 1.0),
                change="bränslebyte",
                activity_id="trucks",
                sector="transport",
                from_fuel="diesel",
                to_fuel="el",
                ramp_years=4,
            ),
        ],
        [
            activity(),
            activity(
                "trucks",
                "transport",
                400.0,
                fuels=(ActivityFuel("diesel", 1.0, 1.0), ActivityFuel("el", 0.0, 0.0)),
            ),
        ],
    )


def test_monte_carlo_is_reproducible_from_its_seed():
    model = symmetric_model()
    targets = Targets({y: 1000.0 for y in range(2026, 2051)}, 2026, 2050, 2030, 1000.0)
    first = monte_carlo(model, targets, n_draws=500, seed=7, chunk_size=64)
    again = monte_carlo(
        model, targets, n_draws=500, seed=7, chunk_size=500
    )  # chunking changes nothing
    other = monte_carlo(model, targets, n_draws=500, seed=8)
    assert first.percentiles.equals(again.percentiles) and first.summary.equals(again.summary)
    assert np.array_equal(first.draws, again.draws)
    assert not np.array_equal(first.draws, other.draws)
    assert (first.draws.min(axis=0) >= model.low).all()
    assert (first.draws.max(axis=0) <= model.high).all()


def test_p50_of_symmetric_ranges_is_the_central_scenario_within_one_percent():
    result = monte_carlo(symmetric_model(), n_draws=4000, seed=2030)
    rows = result.percentiles.filter(pl.col("sector") == "total")
    assert rows.height == 26  # 2025-2050
    for row in rows.iter_rows(named=True):
        assert row["p50_t"] == pytest.approx(row["central_t"], rel=0.01), row["year"]
        assert row["p10_t"] <= row["p50_t"] <= row["p90_t"]
    spread = at(rows, 2030)
    assert spread["p90_t"].item() - spread["p10_t"].item() > 50  # the ranges do spread it


def test_monte_carlo_probabilities_against_the_carbon_law_path_and_the_goal():
    model = symmetric_model()
    central_2030 = at(monte_carlo(model, n_draws=10, seed=1).percentiles, 2030, sector="total")[
        "central_t"
    ].item()
    lenient = Targets({y: 10_000.0 for y in range(2026, 2051)}, 2026, 2050, 2030, 10_000.0)
    strict = Targets({y: 10.0 for y in range(2026, 2051)}, 2026, 2050, 2030, 10.0)
    middle = Targets({y: 10_000.0 for y in range(2026, 2051)}, 2026, 2050, 2030, central_2030)
    assert (
        monte_carlo(model, lenient, n_draws=400, seed=3).summary.row(0, named=True)[
            "p_meets_carbon_law"
        ]
        == 1.0
    )
    row = monte_carlo(model, strict, n_draws=400, seed=3).summary.row(0, named=True)
    assert (row["p_meets_carbon_law"], row["p_meets_goal"], row["central_meets_carbon_law"]) == (
        0.0,
        0.0,
        False,
    )
    assert (
        0.3 < monte_carlo(model, middle, n_draws=2000, seed=3).summary["p_meets_goal"].item() < 0.7
    )


# ---------------------------------------------------------------------------- economics


def test_capital_recovery_factor():
    assert capital_recovery_factor(0.035, 20) == pytest.approx(0.0703611, abs=1e-7)
    assert capital_recovery_factor(0.0, 4) == 0.25
    assert ASEK_DISCOUNT_RATE == 0.035


def test_cost_per_tonne_is_discounted_cost_over_discounted_tonnes():
    cut = action(
        "cut",
        -0.2,
        start_year=2026,
        lifetime_years=10,
        investment_sek=1_000_000.0,
        opex_sek_per_year=-20_000.0,
        opex_payer="näringsliv",
    )
    economics = action_economics(model_of([cut])).row(0, named=True)
    discount = 1.035 ** -np.arange(10)
    pv_cost = 1_000_000 - 20_000 * discount.sum()
    pv_t = 100.0 * discount.sum()  # 20 % of 500 t every year of its lifetime
    assert economics["pv_cost_sek"] == pytest.approx(pv_cost)
    assert economics["cost_per_tonne_sek"] == pytest.approx(pv_cost / pv_t)
    assert economics["annualised_cost_sek"] == pytest.approx(
        pv_cost * capital_recovery_factor(0.035, 10)
    )
    assert economics["lifetime_t"] == pytest.approx(1000.0) and economics["extrapolated_t"] == 0.0
    tail = action_economics(model_of([replace(cut, start_year=2045)])).row(0, named=True)
    assert tail["extrapolated_t"] == pytest.approx(400.0)  # 2051-2054 repeat 2050


def test_the_mac_curve_orders_by_cost_per_tonne_and_adds_up_to_the_plans_impact():
    portfolio = [
        action("dear", -0.5, investment_sek=9_000_000.0),
        action("cheap", -0.3, investment_sek=100_000.0),
        action(
            "saving", -0.1, investment_sek=0.0, opex_sek_per_year=-50_000.0, opex_payer="näringsliv"
        ),
        action(
            "trucks_el",
            0.5,
            change="bränslebyte",
            activity_id="trucks",
            sector="transport",
            from_fuel="diesel",
            to_fuel="el",
            investment_sek=2_000_000.0,
        ),
        action("done_before", -0.1, start_year=2020, lifetime_years=3),
    ]
    trucks = activity(
        "trucks",
        "transport",
        400.0,
        fuels=(ActivityFuel("diesel", 1.0, 1.0), ActivityFuel("el", 0.0, 0.0)),
    )
    model = model_of(portfolio, [activity(), trucks])
    economics = action_economics(model)
    curve = mac_curve(model, economics, 2030)
    assert curve["action_id"].to_list() == ["saving", "cheap", "trucks_el", "dear"]
    costs = curve["cost_per_tonne_sek"].to_list()
    assert costs == sorted(costs) and costs[0] < 0
    result = run_plan(model)
    totals = sector_totals(result.scenario_emissions)
    bau = at(totals, 2030, scenario=BAU, inventory="territorial")["emissions_t"].sum()
    plan = at(totals, 2030, scenario=PLAN, inventory="territorial")["emissions_t"].sum()
    assert curve["cumulative_t"][-1] == pytest.approx(bau - plan)
    assert curve["width_t"].sum() == pytest.approx(bau - plan)
    # overlaps fall to the dearer action: "dear" adds less than it would alone
    assert curve.filter(pl.col("action_id") == "saving")["width_t"].item() == pytest.approx(50.0)
    assert curve.filter(pl.col("action_id") == "dear")["width_t"].item() == pytest.approx(
        500 * 0.9 * 0.7 * 0.5
    )


def test_investment_plan_years_payers_and_gap():
    funded = action(
        "funded",
        -0.2,
        investment_sek=3_000_000.0,
        ramp_years=3,
        funding=(
            Funding("näringsliv", "egen", 0.5, True),
            Funding("statligt stöd", "Klimatklivet", 0.3, False),
        ),
    )
    cancelled = action("off", -0.1, investment_sek=5.0, status="avbruten", status_reason="x")
    plan = investment_plan(Portfolio((activity(),), (funded, cancelled)))
    assert sorted(set(plan["year"])) == [2026, 2027, 2028] and set(plan["action_id"]) == {"funded"}
    assert plan["investment_sek"].sum() == pytest.approx(3_000_000)
    unidentified = plan.filter(pl.col("funding_source") == UNIDENTIFIED)
    assert unidentified["payer"].null_count() == 3 and unidentified[
        "investment_sek"
    ].sum() == pytest.approx(600_000)
    gap = funding_gap(plan).filter(pl.col("year") == 2027).row(0, named=True)
    assert gap["investment_sek"] == pytest.approx(1_000_000)
    assert gap["secured_sek"] == pytest.approx(500_000)
    assert gap["identified_unsecured_sek"] == pytest.approx(300_000)
    assert gap["unidentified_sek"] == pytest.approx(200_000)
    assert gap["gap_sek"] == pytest.approx(500_000)
    by_payer = funding_gap(plan, ("payer",))
    assert by_payer.filter(pl.col("payer") == "statligt stöd")[
        "investment_sek"
    ].item() == pytest.approx(900_000)


# ---------------------------------------------------------------------------- measured results


def borlange_temperature() -> pl.DataFrame:
    return pl.read_csv(TEMPERATURE, separator=";", comment_prefix="#", try_parse_dates=True).select(
        "date", "temp_c"
    )


def test_weather_correction_gives_back_the_share_in_a_colder_year():
    """2023 is Borlänge's real year; 2024 is the same year 3 °C colder every day. The category
    uses 12 % less after the action's start; the colder winter hides most of it uncorrected."""
    real = borlange_temperature().filter(pl.col("date").dt.year() == 2023)
    colder = real.with_columns(
        (pl.col("date") + pl.duration(days=365)).alias("date"),
        (pl.col("temp_c") - 3.0).alias("temp_c"),
    )
    temperature = pl.concat([real, colder])
    monthly = degree_days(temperature)
    rng = np.random.default_rng(24)
    base_per_day, per_degree_day, share = 3_000.0, 900.0, 0.12
    use = (
        base_per_day * monthly["days"].to_numpy()
        + per_degree_day * monthly["degree_days"].to_numpy()
    )
    use *= 1 + rng.normal(0, 0.01, len(use))
    after = (monthly["month"].dt.year() == 2024).to_numpy()
    use = np.where(after, use * (1 - share), use)
    energy = pl.DataFrame(
        {"kundkategori": "hushall_villa_elvarme", "month": monthly["month"], "kwh": use}
    )
    pumps = action(
        "HP",
        0.25,
        start_year=2024,
        kpi=Kpi("mätare", "hushall_villa_elvarme", "andel", ((2024, -0.12),)),
    )
    other = action("other", 0.1, start_year=2024, kpi=Kpi("mätare", "laddning"))
    rows = meter_results(Portfolio((activity(),), (pumps, other)), energy, temperature)
    result = rows.filter(pl.col("action_id") == "HP").row(0, named=True)
    assert result["year"] == 2024 and result["months"] == 12
    assert result["realised_change"] == pytest.approx(-share, abs=0.02)
    assert abs(result["uncorrected_change"] + share) > 0.02  # without the weather term it misleads
    assert result["expected_change"] == -0.12 and result["baseline_r2"] > 0.95
    assert result["kwh_per_degree_day"] == pytest.approx(per_degree_day, rel=0.1)
    assert rows.filter(pl.col("action_id") == "other")["flag"].item() == "baseline_too_short"


def test_suppressed_months_are_left_out_and_counted():
    temperature = borlange_temperature()
    monthly = degree_days(temperature)
    use = 1000.0 * monthly["days"].to_numpy() + 50.0 * monthly["degree_days"].to_numpy()
    kwh = [None if m == date(2024, 2, 1) else v for m, v in zip(monthly["month"], use, strict=True)]
    energy = pl.DataFrame({"kundkategori": "x", "month": monthly["month"], "kwh": kwh})
    pumps = action("HP", 0.25, start_year=2024, kpi=Kpi("mätare", "x"))
    row = meter_results(Portfolio((activity(),), (pumps,)), energy, temperature).row(0, named=True)
    assert (row["months"], row["suppressed_months"]) == (11, 1)
    assert row["realised_change"] == pytest.approx(0.0, abs=1e-9)


def test_reported_results_and_tracking_flag_completed_actions_without_results():
    kolada = action(
        "charging",
        0.1,
        start_year=2025,
        kpi=Kpi("kolada", "N07713", "antal", ((2025, 400.0), (2026, 460.0))),
    )
    partner = action(
        "furnace_kpi", 0.5, partner_id="ssab", kpi=Kpi("partner", "Utsläpp", "t", ((2026, 80.0),))
    )
    done = action("done", -0.1, status="genomförd", percent_done=100.0)
    values = pl.DataFrame(
        {
            "kpi_kind": ["kolada", "partner", "partner"],
            "kpi_ref": ["N07713", "Utsläpp", "Utsläpp"],
            "year": [2025, 2026, 2026],
            "value": [360.0, 90.0, 1.0],
            "partner_id": [None, "ssab", "ikea"],  # IKEA's figure answers none of SSAB's actions
        }
    )
    portfolio = Portfolio((activity(),), (kolada, partner, done))
    reported = reported_results(portfolio, values)
    row = at(reported, 2025, action_id="charging").row(0, named=True)
    assert (row["reported_value"], row["difference"], row["share_of_expected"]) == (
        360.0,
        -40.0,
        0.9,
    )
    assert at(reported, 2026, action_id="charging")["reported_value"].item() is None
    assert at(reported, 2026, action_id="furnace_kpi")["reported_value"].item() == 90.0
    tracking = action_tracking(
        portfolio, meter_results(portfolio, energy_none(), borlange_temperature()), reported
    )
    flags = dict(tracking.select("action_id", "flag").iter_rows())
    assert flags == {
        "charging": None,
        "furnace_kpi": None,
        "done": "completed_without_measured_result",
    }
    latest = tracking.filter(pl.col("action_id") == "charging").row(0, named=True)
    assert (latest["last_result_year"], latest["realised_value"], latest["result_source"]) == (
        2025,
        360.0,
        "kolada",
    )


def energy_none() -> pl.DataFrame:
    return pl.DataFrame(schema={"kundkategori": pl.Utf8, "month": pl.Date, "kwh": pl.Float64})


# ---------------------------------------------------------------------------- the model and loader


def test_model_vocabularies_match_the_seeds():
    with (SEEDS / "smhi_sector_names.csv").open(encoding="utf-8") as handle:
        codes = {r["sector_code"] for r in csv.DictReader(handle) if r["level"] == "huvudsektor"}
    assert set(A.SMHI_SECTORS) == codes - {"all"}
    with (SEEDS / "meter_customer_categories.csv").open(encoding="utf-8") as handle:
        categories = {r["kundkategori"] for r in csv.DictReader(handle)}
    with (SEEDS / "gpc_sector_mapping.csv").open(encoding="utf-8") as handle:
        gpc = {r["gpc_ref"] for r in csv.DictReader(handle)}
    portfolio = load_portfolio(DEMO, meter_categories=categories)
    assert {a.gpc_ref for a in portfolio.activities} <= gpc


def test_the_fraction_follows_start_ramp_and_lifetime():
    act = action("x", -0.1, start_year=2030, ramp_years=4, lifetime_years=6)
    years = np.arange(2028, 2038)
    assert act.fraction(years).tolist() == pytest.approx([0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 0, 0])
    assert action("y", -0.1, ramp_years=0).fraction(np.array([2026])).tolist() == [1.0]


def write_demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(DEMO, target)
    return target


def edit_csv(path: Path, row_id: str, **changes) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    comments = [line for line in lines if line.startswith("#")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    key = next(iter(rows[0]))
    for row in rows:
        if row[key] == row_id:
            row.update(changes)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(comments)
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def problems_of(directory: Path) -> list[A.PlanProblem]:
    with pytest.raises(PortfolioError) as raised:
        load_portfolio(directory)
    return raised.value.problems


def test_the_loader_names_file_line_and_field_of_every_problem(tmp_path):
    directory = write_demo_copy(tmp_path)
    actions_csv = directory / "actions.csv"
    edit_csv(actions_csv, "SSAB-1", effect_central="1.5", status="klar")
    edit_csv(actions_csv, "BE-1", percent_done="150", contact_email="nobody")
    edit_csv(actions_csv, "KOM-0", status_reason="")
    edit_csv(actions_csv, "IKEA-2", percent_done="80")
    edit_csv(directory / "action_funding.csv", "HP-1", share="1.2")
    edit_csv(directory / "activities.csv", "bus_vkm", bau_growth="constant")
    found = {(Path(p.file).name, p.row, p.field, p.code) for p in problems_of(directory)}
    assert ("actions.csv", 3, "status", "invalid_choice") in found
    assert ("actions.csv", 3, "effect_central", "share_outside_0_1") in found
    assert ("actions.csv", 3, "effect_central", "central_outside_range") in found
    assert ("actions.csv", 4, "percent_done", "invalid_float") in found
    assert ("actions.csv", 4, "contact_email", "invalid_email") in found
    assert ("actions.csv", 12, "status_reason", "status_without_reason") in found
    assert ("actions.csv", 10, "percent_done", "completed_not_100") in found
    assert ("action_funding.csv", 15, "share", "invalid_float") in found
    assert ("activities.csv", 5, "bau_growth", "invalid_bau_growth") in found


def test_cross_record_rules_name_the_action(tmp_path):
    directory = write_demo_copy(tmp_path)
    actions_csv = directory / "actions.csv"
    edit_csv(actions_csv, "BUS-1", depends_on="CHG-1", to_fuel="vätgas")
    edit_csv(actions_csv, "CHG-1", depends_on="BUS-1")
    edit_csv(actions_csv, "HH-1", smhi_sector="industry")
    edit_csv(actions_csv, "TB-1", activity_id="nowhere")
    found = {(p.row, p.field, p.code) for p in problems_of(directory)}
    # lines: 1 comment, 2 headings, 3 SSAB-1, 4 BE-1, 5 TB-1, 6 HH-1, 7 BUS-1, 8 CHG-1
    assert (7, "to_fuel", "unknown_fuel") in found
    assert {(7, "depends_on", "dependency_cycle"), (8, "depends_on", "dependency_cycle")} & found
    assert (6, "smhi_sector", "sector_mismatch") in found
    assert (5, "activity_id", "unknown_activity") in found


def test_chained_switches_are_refused():
    fuels = (
        ActivityFuel("oil", 1.0, 1.0),
        ActivityFuel("gas", 0.0, 0.5),
        ActivityFuel("el", 0.0, 0.0),
    )
    portfolio = Portfolio(
        (activity(fuels=fuels),),
        (
            action("a", 0.5, change="bränslebyte", from_fuel="oil", to_fuel="gas"),
            action("b", 0.5, change="bränslebyte", from_fuel="gas", to_fuel="el"),
        ),
    )
    assert [p.code for p in validate_portfolio(portfolio)] == ["chained_switch"]


def test_a_missing_file_and_a_stray_column_are_problems(tmp_path):
    directory = write_demo_copy(tmp_path)
    (directory / "action_kpi_path.csv").unlink()
    text = (
        (directory / "action_funding.csv").read_text(encoding="utf-8").replace("secured", "säkrad")
    )
    (directory / "action_funding.csv").write_text(text, encoding="utf-8")
    found = {(Path(p.file).name, p.code) for p in problems_of(directory)}
    assert found == {
        ("action_kpi_path.csv", "file_not_found"),
        ("action_funding.csv", "missing_column"),
        ("action_funding.csv", "unknown_column"),
    }


# ---------------------------------------------------------------------------- the demo portfolio


@pytest.fixture(scope="module")
def demo():
    portfolio = load_portfolio(DEMO)
    sectors = pl.read_csv(BORLANGE_SECTORS)
    model = build_model(sectors, portfolio, load_presets()["carbon_law"], kommun_kod="2081")
    return portfolio, model, run_plan(model)


def test_the_demo_portfolio_is_labelled_synthetic_and_sourced(demo):
    portfolio, _, _ = demo
    assert portfolio.is_synthetic
    assert len(portfolio.actions) == 10 and len(portfolio.plan_actions) == 9
    assert all(a.is_synthetic and (a.source or a.assumptions) for a in portfolio.actions)
    assert all(a.is_synthetic and a.source for a in portfolio.activities)
    assert {a.partner_id for a in portfolio.actions} == {
        "ssab",
        "borlange_energi",
        "tunabyggen",
        "hushagen",
        "borlange_kommun",
        "ikea",
    }
    assert [a.action_id for a in portfolio.actions if a.kpi and a.kpi.kind == "mätare"] == ["HP-1"]


def test_the_demo_plan_on_borlanges_emissions(demo):
    portfolio, model, result = demo
    totals = sector_totals(result.scenario_emissions)
    territorial = (
        totals.filter(pl.col("inventory") == "territorial")
        .group_by("scenario", "year")
        .agg(pl.col("emissions_t").sum())
    )
    observed = at(territorial, 2024, scenario=PLAN)["emissions_t"].item()
    assert observed == pytest.approx(423_796, abs=1)  # SMHI 2024, methods.md §4.1
    bau, plan = (at(territorial, 2030, scenario=s)["emissions_t"].item() for s in (BAU, PLAN))
    impacts_2030 = at(result.action_impacts, 2030)
    overlaps_2030 = at(result.overlaps, 2030)
    combined = overlaps_2030.filter(pl.col("inventory") == "territorial")["combined_t"].sum()
    assert bau - plan == pytest.approx(combined)
    assert (
        impacts_2030.filter(pl.col("inventory") == "territorial")["impact_t"].sum()
        + overlaps_2030.filter(pl.col("inventory") == "territorial")["overlap_t"].sum()
    ) == pytest.approx(bau - plan)
    # three actions on the district heating's fuels overlap; the others stand alone
    overlap = dict(overlaps_2030.select("activity_id", "overlap_t").iter_rows())
    assert overlap["dh_production"] > 0 and overlap["car_vkm"] == pytest.approx(0)
    assert result.flags.filter(pl.col("flag") == "not_in_plan")["action_id"].to_list() == ["KOM-0"]
    curve = mac_curve(model, action_economics(model), 2030)
    assert curve["cumulative_t"][-1] == pytest.approx(bau - plan)
    gap = funding_gap(investment_plan(portfolio))
    assert (gap["gap_sek"] > 0).all() and gap["investment_sek"].sum() == pytest.approx(
        sum(a.investment_sek for a in portfolio.plan_actions)
    )


def test_the_demo_plan_against_the_carbon_law_path(demo):
    _, model, _ = demo
    totals = pl.read_csv(BORLANGE_TOTALS, schema_overrides={"kommun_kod": pl.Utf8})
    yearly = compute_trajectories(totals, load_presets()["carbon_law"], as_of_year=2026).yearly
    targets = targets_from_trajectory(
        yearly.filter(pl.col("kommun_kod") == "2081"), as_of_year=2026, goal_t=300_000.0
    )
    assert targets.allowed_sum() == pytest.approx(3_295_459, abs=1)  # Klimatkollen's totalCarbonLaw
    summary = monte_carlo(model, targets, n_draws=300, seed=24).summary.row(0, named=True)
    assert summary["p_meets_carbon_law"] == 0.0  # the demo plan cuts, but not that much
    assert summary["central_sum_t"] > summary["allowed_sum_t"]
    assert (
        0.0 <= summary["p_meets_goal"] <= 1.0
        and summary["p10_goal_year_t"] <= summary["p90_goal_year_t"]
    )


def test_the_demo_tracking_flags_the_completed_action_without_a_kpi(demo):
    portfolio, _, _ = demo
    meter = meter_results(portfolio, energy_none(), borlange_temperature())
    assert meter["flag"].to_list() == ["baseline_too_short"]  # no meter months in this test
    tracking = action_tracking(
        portfolio,
        meter,
        reported_results(
            portfolio,
            pl.DataFrame(
                schema={
                    "kpi_kind": pl.Utf8,
                    "kpi_ref": pl.Utf8,
                    "year": pl.Int64,
                    "value": pl.Float64,
                }
            ),
        ),
    )
    flagged = tracking.filter(pl.col("flag") == "completed_without_measured_result")
    assert flagged["action_id"].to_list() == ["IKEA-2"]
    assert tracking.filter(pl.col("action_id") == "KOM-0")["in_plan"].item() is False


def test_no_days_are_invented_by_the_degree_days():
    temperature = borlange_temperature()
    monthly = degree_days(temperature)
    assert monthly["days"].sum() == temperature.height
    january = monthly.filter(pl.col("month") == date(2023, 1, 1)).row(0, named=True)
    first = temperature.filter(pl.col("date") < date(2023, 2, 1))
    assert january["degree_days"] == pytest.approx(
        (17.0 - first["temp_c"]).clip(lower_bound=0).sum()
    )
    by_month = degree_days(
        temperature, {m: (17.0 if m in (1, 2, 3, 11, 12) else 10.0) for m in range(1, 13)}
    )
    july = by_month.filter(pl.col("month") == date(2023, 7, 1))["degree_days"].item()
    assert july < monthly.filter(pl.col("month") == date(2023, 7, 1))["degree_days"].item()


# ---------------------------------------------------------------------------- the plan asset's run


@pytest.fixture(scope="module")
def plan_run():
    totals = pl.read_csv(BORLANGE_TOTALS, schema_overrides={"kommun_kod": pl.Utf8})
    preset = load_presets()["carbon_law"]
    yearly = compute_trajectories(totals, preset, as_of_year=2026).yearly
    return run(
        pl.read_csv(BORLANGE_SECTORS),
        yearly.filter(pl.col("kommun_kod") == "2081"),
        load_portfolio(DEMO),
        preset,
        kommun_kod="2081",
        as_of_year=2026,
        monthly_energy=pl.DataFrame(schema=METER_SCHEMA),
        temperature=borlange_temperature(),
        kpi_values=pl.DataFrame(schema=KPI_VALUE_SCHEMA),
        discount_rate=0.035,
        draws=2000,
        seed=2030,
        goal_year=2030,
    )


def test_the_plan_run_writes_every_table_of_the_plan_schema(plan_run):
    con = duckdb.connect()
    replace_tables(con, plan_run.tables)
    written = {
        name: con.execute(f"select count(*) from {SCHEMA}.{name}").fetchone()[0] for name in TABLES
    }
    assert written == {name: plan_run.tables[name].height for name in TABLES}
    assert written["mac_curve"] == 7 and written["action_tracking"] == 10
    assert con.execute(f"select bool_and(is_synthetic) from {SCHEMA}.gap_coverage").fetchone()[0]


def test_the_gap_coverage_is_the_engines_cut_counted_once(plan_run):
    figures = plan_run.totals(2030)
    assert figures["bau_t"] == pytest.approx(364_297, abs=1)
    assert figures["plan_t"] == pytest.approx(278_920, abs=1)
    coverage = at(plan_run.tables["gap_coverage"], 2030).row(0, named=True)
    assert coverage["covered_t"] == pytest.approx(figures["bau_t"] - figures["plan_t"])
    single = at(plan_run.tables["action_impacts"], 2030).filter(
        pl.col("inventory") == "territorial"
    )["impact_t"]
    assert coverage["covered_t"] > single.sum()  # the overlap on dh_production is counted once
    assert coverage["actions_in_force"] == 8  # nine plan actions; IKEA-2 ended in 2029
    assert figures["p10_t"] < figures["p50_t"] < figures["p90_t"]
    # the goal is the Carbon Law path's 2030 value; the demo plan does not reach it
    assert plan_run.goal_t == pytest.approx(245_459, abs=1)
    assert figures["plan_t"] > plan_run.goal_t


def test_the_plan_checks_warn_with_figures(plan_run):
    goal = goal_check(plan_run)
    assert goal.passed is False and goal.severity == dg.AssetCheckSeverity.WARN
    assert "278 920".replace(" ", ",") in goal.metadata["figures"].value
    p50 = p50_check(plan_run)
    assert p50.passed is True
    assert p50.metadata["p50_off_central"].value == pytest.approx(p50_off_central(plan_run, 2030))
    assert 0 < p50_off_central(plan_run, 2030) < 0.01
