-- The plan asset's monte carlo summary, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(scenario as varchar) as scenario,
    cast(n_draws as integer) as n_draws,
    cast(seed as integer) as seed,
    cast(from_year as integer) as from_year,
    cast(to_year as integer) as to_year,
    cast(allowed_sum_t as double precision) as allowed_sum_t,
    cast(central_sum_t as double precision) as central_sum_t,
    cast(p10_sum_t as double precision) as p10_sum_t,
    cast(p50_sum_t as double precision) as p50_sum_t,
    cast(p90_sum_t as double precision) as p90_sum_t,
    cast(p_meets_carbon_law as double precision) as p_meets_carbon_law,
    cast(central_meets_carbon_law as boolean) as central_meets_carbon_law,
    cast(goal_year as integer) as goal_year,
    cast(goal_t as double precision) as goal_t,
    cast(central_goal_year_t as double precision) as central_goal_year_t,
    cast(p10_goal_year_t as double precision) as p10_goal_year_t,
    cast(p50_goal_year_t as double precision) as p50_goal_year_t,
    cast(p90_goal_year_t as double precision) as p90_goal_year_t,
    cast(p_meets_goal as double precision) as p_meets_goal,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'monte_carlo_summary') }}
