"""The API's SQL and the few helpers that run it (plain Python). Every value is a parameter; the
identifiers are constants of this module."""

from collections.abc import Sequence

from pipelines.api.builds import Build

LATEST_POPULATION = """
    select kommun_kod, year as population_year, population from marts.emissions_per_capita
    where population is not null and gas = 'CO2e'
    qualify row_number() over (partition by kommun_kod order by year desc) = 1"""
KOMMUNER_SQL = f"""
    select k.kommun_kod, k.kommun_namn, k.lan_kod, k.lan_namn, p.population, p.population_year
    from marts.dim_kommun k left join ({LATEST_POPULATION}) p using (kommun_kod)
    where ($1::varchar is null or k.lan_kod = $1::varchar)
    order by k.kommun_kod"""
KOMMUN_SQL = f"""
    with latest as (
        select kommun_kod, year as latest_year, tonnes as latest_tonnes_co2e, vintage, unit
        from marts.emissions_per_capita
        where kommun_kod = $1 and gas = 'CO2e' and in_latest_release
        qualify row_number() over (order by year desc) = 1)
    select k.kommun_kod, k.kommun_namn, k.lan_kod, k.lan_namn, p.population, p.population_year,
           l.latest_year, l.latest_tonnes_co2e, 't CO2e' as latest_unit, l.vintage,
           'smhi_ned' as source_id
    from marts.dim_kommun k left join ({LATEST_POPULATION}) p using (kommun_kod)
    left join latest l using (kommun_kod)
    where k.kommun_kod = $1"""
RANK_SQL = """
    select year, gas, tonnes_per_capita, unit, rank_in_lan, kommuner_in_lan, rank_in_sweden,
           kommuner_in_sweden, vintage
    from marts.emissions_rank_in_lan where kommun_kod = ? and gas = 'CO2e'
    order by year desc limit 1"""
KNOWN_KOMMUN_SQL = "select 1 from marts.dim_kommun where kommun_kod = ?"
LAN_SQL = "select distinct lan_kod from marts.dim_kommun order by 1"
SECTORS_SQL = "select distinct huvudsektor, huvudsektor_code from marts.fct_emissions"
VINTAGES_SQL = "select distinct vintage from marts.fct_emissions order by 1"
# $1 kommun, $2 gas, $3/$4 first and last year, $5 sector code, $6 vintage (null: the newest)
EMISSIONS_SQL = """
    select e.year, e.huvudsektor as sector, e.huvudsektor_code as sector_code, e.gas,
           sum(e.tonnes) as tonnes, e.unit, e.vintage, e.source_id, s.source_name as source,
           s.publisher, s.licence
    from marts.fct_emissions e left join marts.dim_data_source s using (source_id)
    where e.kommun_kod = $1 and e.gas = $2
      and ($6::date is null and e.in_latest_release or e.vintage = $6::date)
      and ($3::integer is null or e.year >= $3::integer)
      and ($4::integer is null or e.year <= $4::integer)
      and ($5::varchar is null or e.huvudsektor_code = $5::varchar)
    group by all order by e.year, e.huvudsektor_code"""
METHODS_SQL = "select distinct method from marts.trajectory order by 1"
SUMMARY_SQL = """
    select * from marts.trajectory where kommun_kod = ? and list_contains(?, method)
    order by method"""
PATH_SQL = """
    select kommun_kod, method, year, gas, allowed_t, emissions_t, emissions_kind,
           cumulative_allowed_t, cumulative_emissions_t, budget_t, remaining_budget_t
    from marts.fct_carbon_budget where kommun_kod = ? and list_contains(?, method)
    order by method, year"""

# The nowcast: estimates only (every row is_estimate), the total unless every sector is asked for.
NOWCAST_SQL = """
    select kommun_kod, huvudsektor, gas, year, nowcast_t, lower_80_t, upper_80_t, lower_95_t,
           upper_95_t, is_estimate, value_kind, method, vintage, base_year, horizon_years,
           national_indicator, national_value_kind, national_vintage, uses_synthetic_input,
           interval_calibration, source_id
    from marts.fct_emissions_nowcast
    where kommun_kod = ? and (? or huvudsektor = 'Alla')
    order by gas, huvudsektor, year"""
NOWCAST_BACKTEST_SQL = """
    select origin_vintage, actual_vintage, gas, kommuner, mae_t, mae_pct, coverage_80,
           coverage_95, mae_ratio_to_lad, mae_ratio_to_persistence, mae_ratio_to_national_scaling,
           actual_common_change_share
    from marts.fct_nowcast_backtest_summary
    where gas = 'CO2e' and method = 'nowcast'
    order by actual_vintage desc, origin_vintage desc limit 1"""
# SMHI's newest-year sectors of the kommun that sit on their sector's common factor.
NOWCAST_BASE_YEAR_SQL = """
    select gas, vintage, year, huvudsektor, tonnes, previous_t, ratio, common_factor
    from marts.fct_nowcast_base_year_common_change
    where kommun_kod = ? and follows_common_factor order by gas, tonnes desc"""
NOWCAST_PARIS_SQL = """
    select kommun_kod, method, as_of_year, end_year, probability_on_path, meets_paris_central,
           meets_paris_trajectory, draws
    from marts.fct_nowcast_paris where kommun_kod = ? order by method"""

# The plan: the inventories' totals unless every sector is asked for.
SCENARIOS_SQL = """
    select kommun_kod, scenario, year, inventory, sector, emissions_t, emissions_kind, p10_t,
           p50_t, p90_t, is_synthetic
    from marts.fct_scenario_emissions
    where kommun_kod = ? and list_contains(?, scenario) and (? or sector = 'total')
    order by scenario, inventory, sector, year"""
PLAN_SUMMARY_SQL = """
    select kommun_kod, scenario, from_year, to_year, goal_year, goal_t, central_goal_year_t,
           p10_goal_year_t, p50_goal_year_t, p90_goal_year_t, p_meets_goal, p_meets_carbon_law,
           is_synthetic
    from marts.fct_plan_summary where kommun_kod = ? and list_contains(?, scenario)
    order by scenario"""
ACTIONS_SQL = """
    select tracking.action_id, tracking.title, tracking.status, tracking.percent_done,
           tracking.in_plan, impact.smhi_sector, impact.gpc_ref, impact.impact_t,
           impact.standalone_t, tracking.cost_per_tonne_sek, tracking.kpi_kind,
           tracking.expected_value, tracking.realised_value, tracking.flag,
           tracking.is_synthetic
    from marts.fct_action_tracking as tracking
    left join marts.fct_action_impact as impact
        on impact.action_id = tracking.action_id and impact.year = ?
    order by tracking.action_id"""


def rows_of(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(cursor, sql: str, params: Sequence) -> dict | None:
    rows = rows_of(cursor.execute(sql, list(params)))
    return rows[0] if rows else None


def column(cursor, sql: str, params: Sequence = ()) -> list:
    return [value for (value, *_) in cursor.execute(sql, list(params)).fetchall()]


def page_of(
    build: Build, sql: str, params: Sequence, limit: int, offset: int
) -> tuple[int, list[dict]]:
    """The total and one page of `sql`'s rows."""
    with build.cursor() as cur:
        total = cur.execute(f"select count(*) from ({sql})", list(params)).fetchall()[0][0]
        rows = rows_of(cur.execute(f"{sql} limit {int(limit)} offset {int(offset)}", list(params)))
    return total, rows
