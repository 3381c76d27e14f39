-- The nowcast asset's probability on the Paris path, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(method as varchar) as method,
    cast(as_of_year as integer) as as_of_year,
    cast(reduction_rate as double precision) as reduction_rate,
    cast(end_year as integer) as end_year,
    cast(probability_on_path as double precision) as probability_on_path,
    cast(meets_paris_central as boolean) as meets_paris_central,
    cast(trend_sum_central_t as double precision) as trend_sum_central_t,
    cast(allowed_sum_central_t as double precision) as allowed_sum_central_t,
    cast(trend_sum_p10_t as double precision) as trend_sum_p10_t,
    cast(trend_sum_p90_t as double precision) as trend_sum_p90_t,
    cast(draws as integer) as draws,
    cast(uncertainty as varchar) as uncertainty
from {{ source('nowcast', 'paris_probability') }}
