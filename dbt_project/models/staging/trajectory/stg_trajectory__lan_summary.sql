-- The län trajectory asset's summary, one row per län and method, as written (marts.trajectory_lan types it).
with

source as ( select * from {{ source('trajectory', 'lan_summary') }} )

select
    lan_kod,
    entity_level,
    method,
    as_of_year,
    last_data_year,
    gas,
    trend_years,
    slope_t_per_year,
    trend_sum_t,
    allowed_sum_t,
    meets_paris,
    net_zero_date,
    budget_t,
    budget_exhausted_date,
    required_reduction_pct,
    gap_2030_t,
    trend_intercept_t,
    trend_method,
    reduction_rate,
    scope_status,
    excluded_t,
    budget_negative
from source
