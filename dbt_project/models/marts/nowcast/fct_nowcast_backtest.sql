-- The nowcast's backtest (pipelines/defs/nowcast/backtest.py): per origin release, kommun, gas,
-- target year and method, what the method estimated from the origin release and what SMHI's later
-- release published. Ranges for the nowcast methods only.
select
    origin_vintage,
    actual_vintage,
    gas,
    kommun_kod,
    base_year,
    target_year,
    method,
    predicted_t,
    lower_80_t,
    upper_80_t,
    lower_95_t,
    upper_95_t,
    actual_t,
    error_t,
    abs_error_pct,
    covered_80,
    covered_95,
    national_indicator,
    parameters_fitted_on,
    interval_calibration
from {{ ref('stg_nowcast__backtest') }}
