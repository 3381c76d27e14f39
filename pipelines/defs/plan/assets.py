"""The plan in Dagster: one multi-asset runs the scenario engine on the reporting kommun's sector
emissions and the portfolio (PLAN_PORTFOLIO_DIR; unset, business as usual alone), the seeded
Monte Carlo, the economics and the measured results, and writes the plan schema (dbt publishes
it as marts.fct_scenario_emissions, fct_action_impact, fct_mac_curve, fct_investment_plan,
fct_action_tracking and portfolio_vs_gap). Its checks: does the plan reach the goal-year target
(WARN with the figures), and is the Monte Carlo's P50 within 1 % of the central plan. The work is
plain Python: run.py and tables.py."""

import dagster as dg
import polars as pl

from pipelines.defs.plan.actions import Portfolio, PortfolioError, load_portfolio
from pipelines.defs.plan.engine import PlanInputError
from pipelines.defs.plan.run import (
    KPI_VALUE_SCHEMA,
    METER_SCHEMA,
    P50_TOLERANCE,
    PlanRun,
    p50_off_central,
    run,
)
from pipelines.defs.plan.tables import SCHEMA, TABLES, replace_tables
from pipelines.defs.trajectory.presets import load_presets
from pipelines.resources import PlanResource, ReportResource, WarehouseResource
from pipelines.settings import DUCKDB_POOL

KEYS = {name: dg.AssetKey([SCHEMA, name]) for name in TABLES}
UPSTREAM = [
    dg.AssetKey(["marts", "fct_emissions"]),
    dg.AssetKey(["marts", "fct_meter_hourly_energy"]),
    dg.AssetKey(["trajectory", "yearly_paths"]),
    dg.AssetKey(["reference", "meter_customer_categories"]),
]
READS = (
    "marts.fct_emissions",
    "marts.fct_meter_hourly_energy",
    "trajectory.yearly_paths",
    "reference.meter_customer_categories",
)
GOAL_CHECK, P50_CHECK = "plan_reaches_goal_year_target", "p50_within_1pct_of_central"
DESCRIPTIONS = {
    "scenario_emissions": "Per scenario (bau, plan, beslutade), year, inventory and sector: the "
    "engine's emissions, observed years as observed.",
    "percentiles": "The plan under the Monte Carlo: P10/P50/P90 per inventory, sector and "
    "projected year, beside the central value.",
    "monte_carlo_summary": "One row: the draws, the seed, the Carbon Law and goal-year tests and "
    "the probabilities of meeting them.",
    "action_impacts": "Per action and projected year: its impact (the plan without it minus the "
    "plan) and its standalone effect on business as usual.",
    "overlaps": "Per activity and year: the plan's combined cut, the sum of the single impacts "
    "and the overlap owned by no action.",
    "flags": "Actions capped at zero, outside the plan (avbruten, superseded) or waiting on "
    "another action.",
    "action_economics": "Per plan action: discounted cost and tonnes over its lifetime, the "
    "annualised cost and the cost per tonne.",
    "mac_curve": "The marginal-abatement-cost curve of the goal year: each action's added cut, "
    "cheapest first; the widths add up to the plan's cut.",
    "investment_plan": "Investment per year, action and funding row (payer, source, secured), "
    "the unidentified rest as its own row.",
    "meter_results": "Actions with a meter KPI: the weather-corrected change of the category's "
    "energy per year against the expected.",
    "reported_results": "Actions with a Kolada or partner KPI: the reported value against the "
    "expected path.",
    "action_tracking": "Per action: status, per cent done, the latest realised result beside the "
    "expected, and its flag.",
    "gap_coverage": "Per projected year: territorial business as usual, the plan, and the cut "
    "the plan makes (actions counted once).",
}
SECTOR_EMISSIONS = """
    select huvudsektor_code as sector, year, sum(tonnes) as tonnes
    from marts.fct_emissions
    where kommun_kod = ? and gas = ? and in_latest_release
    group by all
"""
# Whole months of consumption per category; a month with a suppressed hour has no total.
MONTHLY_ENERGY = """
    select
        kundkategori,
        cast(date_trunc('month', hour_utc + interval 1 hour) as date) as month,
        case when bool_or(is_suppressed) then null else sum(kwh)::double end as kwh
    from marts.fct_meter_hourly_energy
    where riktning = 'uttag'
    group by all
"""


def monthly_energy(con) -> pl.DataFrame:
    """The meter categories' monthly energy; empty where the meter marts are not built (they read
    the Parquet lake and are DuckDB-only, so PostgreSQL's marts have none): the plan then shows no
    measured meter result, as before the first meter month."""
    built = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'fct_meter_hourly_energy'"
    ).fetchall()[0][0]
    if not built:
        return pl.DataFrame(schema=METER_SCHEMA)
    return con.sql(MONTHLY_ENERGY).pl().cast(METER_SCHEMA)


def goal_check(plan: PlanRun) -> dg.AssetCheckResult:
    year = plan.goal_year
    figures = plan.totals(year)
    central = figures["plan_t"]
    reached = plan.goal_t is not None and central is not None and central <= plan.goal_t
    summary = plan.tables["monte_carlo_summary"].row(0, named=True)
    fmt = lambda v: "–" if v is None else f"{v:,.0f} t"  # noqa: E731
    return dg.AssetCheckResult(
        asset_key=KEYS["gap_coverage"],
        check_name=GOAL_CHECK,
        passed=reached,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "goal_year": year,
            "target_t": dg.MetadataValue.float(plan.goal_t or float("nan")),
            "bau_t": dg.MetadataValue.float(figures["bau_t"] or float("nan")),
            "plan_t": dg.MetadataValue.float(central or float("nan")),
            "p_meets_goal": dg.MetadataValue.float(
                summary["p_meets_goal"] if summary["p_meets_goal"] is not None else float("nan")
            ),
            "figures": dg.MetadataValue.md(
                f"{year}: business as usual {fmt(figures['bau_t'])}, plan {fmt(central)} "
                f"(P10 {fmt(figures['p10_t'])}, P50 {fmt(figures['p50_t'])}, "
                f"P90 {fmt(figures['p90_t'])}) against the Carbon Law path's "
                f"{fmt(plan.goal_t)}"
            ),
        },
    )


def p50_check(plan: PlanRun) -> dg.AssetCheckResult:
    off = p50_off_central(plan, plan.goal_year)
    return dg.AssetCheckResult(
        asset_key=KEYS["percentiles"],
        check_name=P50_CHECK,
        passed=off is None or off <= P50_TOLERANCE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"goal_year": plan.goal_year, "p50_off_central": off if off is not None else 0.0},
    )


def read_portfolio(plan: PlanResource, meter_categories: list[str]) -> Portfolio:
    if plan.portfolio_dir is None:
        return Portfolio((), ())
    try:
        return load_portfolio(plan.portfolio_dir, meter_categories=meter_categories)
    except PortfolioError as error:
        raise dg.Failure(description=str(error)) from None


@dg.multi_asset(
    name="plan",
    specs=[
        dg.AssetSpec(
            key,
            deps=UPSTREAM,
            group_name="intermediate",
            kinds={"polars", "duckdb"},
            description=DESCRIPTIONS[name],
        )
        for name, key in KEYS.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            GOAL_CHECK,
            asset=KEYS["gap_coverage"],
            description="The plan's territorial total in the goal year at or below the Carbon "
            "Law path; WARN with the figures if not.",
        ),
        dg.AssetCheckSpec(
            P50_CHECK,
            asset=KEYS["percentiles"],
            description="The Monte Carlo's P50 in the goal year within 1 % of the central plan.",
        ),
    ],
    pool=DUCKDB_POOL,
)
def plan(warehouse: WarehouseResource, report: ReportResource, plan: PlanResource):
    preset = load_presets()[plan.preset]
    writes = tuple(f"{SCHEMA}.{name}" for name in TABLES)
    with warehouse.connect(READS, writes) as con:
        categories = [
            r[0]
            for r in con.sql(
                "select kundkategori from reference.meter_customer_categories"
            ).fetchall()
        ]
        portfolio = read_portfolio(plan, categories)
        temperature = pl.read_csv(
            plan.temperature_path, separator=";", comment_prefix="#", try_parse_dates=True
        ).select("date", "temp_c")
        try:
            result = run(
                con.sql(SECTOR_EMISSIONS, params=[report.kommun, preset.gas]).pl(),
                con.sql(
                    "select year, allowed_t from trajectory.yearly_paths "
                    "where kommun_kod = ? and method = ?",
                    params=[report.kommun, preset.method],
                ).pl(),
                portfolio,
                preset,
                kommun_kod=report.kommun,
                as_of_year=report.trajectory_as_of_year,
                monthly_energy=monthly_energy(con),
                temperature=temperature,
                # Kolada and partner KPI values are not joined in yet: their actions show
                # no realised result (and a genomförd one is flagged).
                kpi_values=pl.DataFrame(schema=KPI_VALUE_SCHEMA),
                discount_rate=plan.discount_rate,
                draws=plan.draws,
                seed=plan.seed,
                goal_year=plan.goal_year,
            )
        except PlanInputError as error:
            raise dg.Failure(description=f"the plan cannot run: {error}") from None
        replace_tables(con, result.tables)
    figures = result.totals(result.goal_year)
    for name, key in KEYS.items():
        metadata = {"rows": result.tables[name].height}
        if name == "gap_coverage":
            metadata |= {
                "portfolio": plan.portfolio_dir or "none (business as usual alone)",
                "synthetic": portfolio.is_synthetic,
                **{k: v for k, v in figures.items() if v is not None},
                "notes": dg.MetadataValue.md("\n".join(f"- {n}" for n in result.notes) or "none"),
            }
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield goal_check(result)
    yield p50_check(result)
