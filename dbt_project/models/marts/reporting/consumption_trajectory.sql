-- The consumption trajectory per kommun and method, as the polars asset computed it
-- (pipelines/defs/trajectory/consumption.py); the contract keeps its years as integer.
select
    kommun_kod,
    method,
    scope,
    cast(as_of_year as integer) as as_of_year,
    cast(last_data_year as integer) as last_data_year,
    trend_years,
    slope_t_per_year,
    level_t,
    pace_pct_per_year,
    territorial_slope_t_per_year,
    territorial_level_t,
    territorial_pace_pct_per_year,
    pace_difference_pp,
    tolerance_pp,
    falls_at_similar_pace,
    reduction_rate_pct,
    meets_carbon_law_rate,
    trend_sum_t,
    allowed_sum_t,
    meets_paris,
    net_zero_date,
    budget_exhausted_date,
    gap_2030_t,
    scope_status
from {{ ref('stg_trajectory__consumption_summary') }}
