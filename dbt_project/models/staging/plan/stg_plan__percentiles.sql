-- The plan asset's percentiles, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(scenario as varchar) as scenario,
    cast(inventory as varchar) as inventory,
    cast(sector as varchar) as sector,
    cast(year as integer) as year,
    cast(central_t as double precision) as central_t,
    cast(mean_t as double precision) as mean_t,
    cast(p10_t as double precision) as p10_t,
    cast(p50_t as double precision) as p50_t,
    cast(p90_t as double precision) as p90_t,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'percentiles') }}
