-- One row per kommun and trajectory method: the trend, the allowed path, the verdict and the dates,
-- as the polars trajectory asset computed them (pipelines/defs/trajectory/assets.py, trajectory.summary).
-- Years stay bigint as the asset writes them.
select
    kommun_kod,
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
from {{ ref('stg_trajectory__summary') }}
