-- The nowcast asset's backtest summary, typed.
select
    cast(origin_vintage as date) as origin_vintage,
    cast(actual_vintage as date) as actual_vintage,
    cast(gas as varchar) as gas,
    cast(method as varchar) as method,
    cast(kommuner as integer) as kommuner,
    cast(mae_t as double precision) as mae_t,
    cast(mae_pct as double precision) as mae_pct,
    cast(median_ae_t as double precision) as median_ae_t,
    cast(median_ae_pct as double precision) as median_ae_pct,
    cast(coverage_80 as double precision) as coverage_80,
    cast(coverage_95 as double precision) as coverage_95,
    cast(coverage_80_other_origins as double precision) as coverage_80_other_origins,
    cast(coverage_95_other_origins as double precision) as coverage_95_other_origins,
    cast(mae_ratio_to_lad as double precision) as mae_ratio_to_lad,
    cast(mae_ratio_to_persistence as double precision) as mae_ratio_to_persistence,
    cast(mae_ratio_to_national_scaling as double precision) as mae_ratio_to_national_scaling,
    cast(origin_common_change_share as double precision) as origin_common_change_share,
    cast(actual_common_change_share as double precision) as actual_common_change_share
from {{ source('nowcast', 'backtest_summary') }}
