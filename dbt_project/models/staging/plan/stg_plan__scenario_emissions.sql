-- The plan asset's scenario emissions, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(scenario as varchar) as scenario,
    cast(year as integer) as year,
    cast(inventory as varchar) as inventory,
    cast(sector as varchar) as sector,
    cast(emissions_t as double precision) as emissions_t,
    cast(emissions_kind as varchar) as emissions_kind,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'scenario_emissions') }}
