-- The nowcast asset's backtest rows, typed: vintages as dates, years as integers.
select
    cast(origin_vintage as date) as origin_vintage,
    cast(actual_vintage as date) as actual_vintage,
    cast(gas as varchar) as gas,
    cast(kommun_kod as varchar) as kommun_kod,
    cast(base_year as integer) as base_year,
    cast(target_year as integer) as target_year,
    cast(method as varchar) as method,
    cast(predicted_t as double precision) as predicted_t,
    cast(lower_80_t as double precision) as lower_80_t,
    cast(upper_80_t as double precision) as upper_80_t,
    cast(lower_95_t as double precision) as lower_95_t,
    cast(upper_95_t as double precision) as upper_95_t,
    cast(actual_t as double precision) as actual_t,
    cast(error_t as double precision) as error_t,
    cast(abs_error_pct as double precision) as abs_error_pct,
    cast(covered_80 as boolean) as covered_80,
    cast(covered_95 as boolean) as covered_95,
    cast(national_indicator as varchar) as national_indicator,
    cast(parameters_fitted_on as varchar) as parameters_fitted_on,
    cast(interval_calibration as varchar) as interval_calibration
from {{ source('nowcast', 'backtest') }}
