"""One run of the plan over what the warehouse holds (plain Python, no Dagster): the scenario
engine on the reporting kommun's sector emissions and the portfolio, the seeded Monte Carlo, the
economics, the measured results, and the frames of the plan schema (tables.py).

The goal-year target is the Carbon Law path's allowed emissions in the goal year (the preset's
path, as the trajectory check publishes it in trajectory.yearly_paths): the plan "reaches the
2030 target" when its territorial total in 2030 is at or below that value. A kommun's own
target in tonnes would be a decision, not a statistic; none is loaded.

The gap coverage (published as marts.portfolio_vs_gap) is the engine's: business as usual minus
the plan in each year, both territorial, so actions on the same emissions are counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipelines.defs.plan.actions import Portfolio
from pipelines.defs.plan.economics import action_economics, investment_plan, mac_curve
from pipelines.defs.plan.engine import BAU, PLAN, PlanModel, build_model, run_plan, sector_totals
from pipelines.defs.plan.measured import action_tracking, meter_results, reported_results
from pipelines.defs.plan.montecarlo import monte_carlo, targets_from_trajectory
from pipelines.defs.trajectory.presets import MethodPreset

TERRITORIAL = "territorial"
P50_TOLERANCE = 0.01  # P50 of the plan within 1 % of its central value (symmetric ranges)
KPI_VALUE_SCHEMA = {"kpi_kind": pl.Utf8, "kpi_ref": pl.Utf8, "year": pl.Int64, "value": pl.Float64}
METER_SCHEMA = {"kundkategori": pl.Utf8, "month": pl.Date, "kwh": pl.Float64}


@dataclass(frozen=True)
class PlanRun:
    model: PlanModel
    tables: dict[str, pl.DataFrame]
    goal_year: int
    goal_t: float | None
    notes: list[str] = field(default_factory=list)

    def totals(self, year: int) -> dict[str, float]:
        """Territorial BAU, plan (central) and the Monte Carlo's P10/P50/P90 in one year."""
        row = self.tables["percentiles"].filter(
            (pl.col("year") == year)
            & (pl.col("inventory") == TERRITORIAL)
            & (pl.col("sector") == "total")
        )
        coverage = self.tables["gap_coverage"].filter(pl.col("year") == year)
        out = {"bau_t": None, "plan_t": None, "p10_t": None, "p50_t": None, "p90_t": None}
        if coverage.height:
            out |= {"bau_t": coverage["bau_t"].item(), "plan_t": coverage["plan_t"].item()}
        if row.height:
            out |= {k: row[k].item() for k in ("p10_t", "p50_t", "p90_t")}
        return out


def gap_coverage(model: PlanModel, scenario_totals: pl.DataFrame) -> pl.DataFrame:
    """Per projected year: territorial BAU and plan, the cut they differ by, the plan's actions
    in force."""
    territorial = (
        scenario_totals.filter(
            (pl.col("inventory") == TERRITORIAL) & pl.col("scenario").is_in([BAU, PLAN])
        )
        .group_by("kommun_kod", "year")
        .agg(
            pl.col("emissions_t").filter(pl.col("scenario") == BAU).sum().alias("bau_t"),
            pl.col("emissions_t").filter(pl.col("scenario") == PLAN).sum().alias("plan_t"),
        )
        .filter(pl.col("year") > model.bau.last_data_year)
    )
    in_force = pl.DataFrame(
        {
            "year": model.years.astype(int),
            "actions_in_force": (
                (model.fraction_projected[model.in_plan] > 0).sum(axis=0).astype(int)
                if model.in_plan.any()
                else [0] * len(model.years)
            ),
        },
        schema={"year": pl.Int64, "actions_in_force": pl.Int64},
    )
    return (
        territorial.join(in_force, on="year", how="left")
        .with_columns((pl.col("bau_t") - pl.col("plan_t")).alias("covered_t"))
        .sort("year")
    )


def run(
    sector_emissions: pl.DataFrame,
    yearly_paths: pl.DataFrame,
    portfolio: Portfolio,
    preset: MethodPreset,
    *,
    kommun_kod: str,
    as_of_year: int,
    monthly_energy: pl.DataFrame,
    temperature: pl.DataFrame,
    kpi_values: pl.DataFrame,
    discount_rate: float,
    draws: int,
    seed: int,
    goal_year: int,
) -> PlanRun:
    """The plan for one kommun (sector_emissions: sector, year, tonnes of the preset's gas;
    yearly_paths: year, allowed_t of the preset for that kommun)."""
    notes: list[str] = []
    model = build_model(sector_emissions, portfolio, preset, kommun_kod=kommun_kod)
    result = run_plan(model)
    allowed = dict(yearly_paths.drop_nulls("allowed_t").select("year", "allowed_t").iter_rows())
    goal_t = allowed.get(goal_year)
    if goal_t is None:
        notes.append(f"no allowed path for {goal_year}: the goal test is left out")
    targets = (
        targets_from_trajectory(
            yearly_paths, as_of_year=as_of_year, goal_year=goal_year, goal_t=goal_t
        )
        if allowed
        else None
    )
    if targets is None:
        notes.append(f"no Carbon Law path of {preset.method} for {kommun_kod}")
    mc = monte_carlo(model, targets, n_draws=draws, seed=seed)
    economics = action_economics(model, discount_rate=discount_rate)
    curve = mac_curve(model, economics, goal_year) if portfolio.plan_actions else None
    meter = meter_results(portfolio, monthly_energy, temperature)
    reported = reported_results(portfolio, kpi_values)
    totals = sector_totals(result.scenario_emissions)
    synthetic = pl.lit(portfolio.is_synthetic)
    tables = {
        "scenario_emissions": totals.with_columns(synthetic.alias("is_synthetic")),
        "percentiles": mc.percentiles.with_columns(synthetic.alias("is_synthetic")),
        "monte_carlo_summary": mc.summary.with_columns(synthetic.alias("is_synthetic")),
        "action_impacts": result.action_impacts.with_columns(synthetic.alias("is_synthetic")),
        "overlaps": result.overlaps.with_columns(synthetic.alias("is_synthetic")),
        "flags": result.flags,
        "action_economics": economics,
        "mac_curve": (curve if curve is not None else mac_curve_empty()).with_columns(
            synthetic.alias("is_synthetic")
        ),
        "investment_plan": investment_plan(portfolio),
        "meter_results": meter,
        "reported_results": reported,
        "action_tracking": action_tracking(portfolio, meter, reported).with_columns(
            synthetic.alias("is_synthetic")
        ),
        "gap_coverage": gap_coverage(model, totals).with_columns(synthetic.alias("is_synthetic")),
    }
    return PlanRun(model, tables, goal_year, goal_t, notes)


def mac_curve_empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
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
    )


def p50_off_central(run: PlanRun, year: int) -> float | None:
    """|P50 - central| / central of the plan's territorial total in `year`."""
    row = run.tables["percentiles"].filter(
        (pl.col("year") == year)
        & (pl.col("inventory") == TERRITORIAL)
        & (pl.col("sector") == "total")
    )
    if not row.height or not row["central_t"].item():
        return None
    return abs(row["p50_t"].item() - row["central_t"].item()) / row["central_t"].item()
