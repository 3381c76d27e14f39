-- Every nowcast row's ranges hold its estimate, the 95 % range the 80 % one. Rows returned fail.
select
    kommun_kod,
    huvudsektor,
    gas,
    year,
    lower_95_t,
    lower_80_t,
    nowcast_t,
    upper_80_t,
    upper_95_t
from {{ ref('fct_emissions_nowcast') }}
where not (
    lower_95_t <= lower_80_t
    and lower_80_t <= nowcast_t
    and nowcast_t <= upper_80_t
    and upper_80_t <= upper_95_t
)
