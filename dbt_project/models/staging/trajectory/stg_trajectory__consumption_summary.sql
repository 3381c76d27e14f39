-- The consumption trajectory asset's summary, one row per kommun and method, typed as the asset
-- writes it.
with

source as (select * from {{ source('trajectory', 'consumption_summary') }})

select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(method as varchar) as method,
    cast(scope as varchar) as scope,
    cast(as_of_year as bigint) as as_of_year,
    cast(last_data_year as bigint) as last_data_year,
    cast(trend_years as varchar) as trend_years,
    cast(slope_t_per_year as double precision) as slope_t_per_year,
    cast(level_t as double precision) as level_t,
    cast(pace_pct_per_year as double precision) as pace_pct_per_year,
    cast(territorial_slope_t_per_year as double precision) as territorial_slope_t_per_year,
    cast(territorial_level_t as double precision) as territorial_level_t,
    cast(territorial_pace_pct_per_year as double precision) as territorial_pace_pct_per_year,
    cast(pace_difference_pp as double precision) as pace_difference_pp,
    cast(tolerance_pp as double precision) as tolerance_pp,
    cast(falls_at_similar_pace as boolean) as falls_at_similar_pace,
    cast(reduction_rate_pct as double precision) as reduction_rate_pct,
    cast(meets_carbon_law_rate as boolean) as meets_carbon_law_rate,
    cast(trend_sum_t as double precision) as trend_sum_t,
    cast(allowed_sum_t as double precision) as allowed_sum_t,
    cast(meets_paris as boolean) as meets_paris,
    cast(net_zero_date as date) as net_zero_date,
    cast(budget_exhausted_date as date) as budget_exhausted_date,
    cast(gap_2030_t as double precision) as gap_2030_t,
    cast(scope_status as varchar) as scope_status
from source
