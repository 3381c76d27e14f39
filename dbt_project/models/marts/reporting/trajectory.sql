-- One row per kommun and trajectory method: the trend, the allowed path, the verdict and the dates,
-- as the polars trajectory asset computed them (pipelines/defs/trajectory/assets.py, trajectory.summary), with the
-- contract's types. Years stay bigint as the asset writes them.
select
    cast(kommun_kod as varchar)                 as kommun_kod,
    cast(method as varchar)                     as method,
    cast(as_of_year as bigint)                  as as_of_year,
    cast(last_data_year as bigint)              as last_data_year,
    cast(gas as varchar)                        as gas,
    cast(trend_years as varchar)                as trend_years,
    cast(slope_t_per_year as double precision)  as slope_t_per_year,
    cast(trend_sum_t as double precision)       as trend_sum_t,
    cast(allowed_sum_t as double precision)     as allowed_sum_t,
    cast(meets_paris as boolean)                as meets_paris,
    cast(net_zero_date as date)                 as net_zero_date,
    cast(budget_t as double precision)          as budget_t,
    cast(budget_exhausted_date as date)         as budget_exhausted_date,
    cast(required_reduction_pct as double precision) as required_reduction_pct,
    cast(gap_2030_t as double precision)        as gap_2030_t,
    cast(trend_intercept_t as double precision) as trend_intercept_t,
    cast(trend_method as varchar)               as trend_method,
    cast(reduction_rate as double precision)    as reduction_rate,
    cast(scope_status as varchar)               as scope_status,
    cast(excluded_t as double precision)        as excluded_t,
    cast(budget_negative as boolean)            as budget_negative
from {{ ref('stg_trajectory__summary') }}
