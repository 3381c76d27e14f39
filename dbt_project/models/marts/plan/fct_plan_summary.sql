-- One row per kommun: the Monte Carlo's draws and seed, the plan's cumulative emissions against the
-- Carbon Law path and its goal-year total against the path's goal-year value, with the
-- probabilities of meeting each.
select
    kommun_kod,
    scenario,
    n_draws,
    seed,
    from_year,
    to_year,
    allowed_sum_t,
    central_sum_t,
    p10_sum_t,
    p50_sum_t,
    p90_sum_t,
    p_meets_carbon_law,
    central_meets_carbon_law,
    goal_year,
    goal_t,
    central_goal_year_t,
    p10_goal_year_t,
    p50_goal_year_t,
    p90_goal_year_t,
    p_meets_goal,
    is_synthetic
from {{ ref('stg_plan__monte_carlo_summary') }}
