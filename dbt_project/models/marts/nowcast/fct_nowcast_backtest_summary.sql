-- The backtest per origin, gas and method: errors in tonnes and per cent, the ranges' coverage,
-- and the error against the three reference methods (issue 23's targets; the asset checks on
-- nowcast/backtest_summary report the same figures).
select
    origin_vintage,
    actual_vintage,
    gas,
    method,
    kommuner,
    mae_t,
    mae_pct,
    median_ae_t,
    median_ae_pct,
    coverage_80,
    coverage_95,
    coverage_80_other_origins,
    coverage_95_other_origins,
    mae_ratio_to_lad,
    mae_ratio_to_persistence,
    mae_ratio_to_national_scaling,
    origin_common_change_share,
    actual_common_change_share
from {{ ref('stg_nowcast__backtest_summary') }}
