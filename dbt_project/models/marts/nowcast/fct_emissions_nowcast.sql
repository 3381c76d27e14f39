-- The nowcast: each kommun's emissions by main sector ('Alla' = the total) and gas for the years
-- after SMHI's last, with 80 % and 95 % ranges. ESTIMATES ONLY, kept apart from SMHI's statistics:
-- no mart that gives SMHI as its source reads this one
-- (tests/singular/assert_no_estimate_in_smhi_marts.sql).
select
    kommun_kod,
    huvudsektor,
    gas,
    year,
    nowcast_t,
    lower_80_t,
    upper_80_t,
    lower_95_t,
    upper_95_t,
    value_kind = 'estimate' as is_estimate,
    value_kind,
    method,
    base_vintage as vintage,
    base_year,
    horizon_years,
    national_indicator,
    national_value_kind,
    national_vintage,
    local_indicator,
    uses_placeholder,
    uses_synthetic_input,
    parameters_fitted_on,
    interval_calibration,
    'borlange_nowcast' as source_id
from {{ ref('stg_nowcast__estimates') }}
