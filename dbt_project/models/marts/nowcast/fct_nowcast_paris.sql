-- The probability that a kommun's trend stays within the Paris path, per carbon_law preset, from
-- the nowcast's ranges for the as-of year and a bootstrap of the LAD trend
-- (pipelines/defs/nowcast/paris.py), beside the yes/no of marts.trajectory for the same method
-- (which anchors at Klimatkollen's approximated value instead of the nowcast).
select
    paris.kommun_kod,
    paris.method,
    paris.as_of_year,
    paris.reduction_rate,
    paris.end_year,
    paris.probability_on_path,
    paris.meets_paris_central,
    trajectory.meets_paris as meets_paris_trajectory,
    paris.trend_sum_central_t,
    paris.allowed_sum_central_t,
    paris.trend_sum_p10_t,
    paris.trend_sum_p90_t,
    paris.draws,
    paris.uncertainty
from {{ ref('stg_nowcast__paris_probability') }} as paris
left join {{ ref('trajectory') }} as trajectory
    on
        paris.kommun_kod = trajectory.kommun_kod
        and paris.method = trajectory.method
