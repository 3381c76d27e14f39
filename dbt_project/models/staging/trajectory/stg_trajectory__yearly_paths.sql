-- The trajectory asset's yearly paths, one row per kommun, method and year, typed as the asset
-- writes them.
with

source as (select * from {{ source('trajectory', 'yearly_paths') }})

select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(method as varchar) as method,
    cast(year as bigint) as year,
    cast(emissions_t as double precision) as emissions_t,
    cast(emissions_kind as varchar) as emissions_kind,
    cast(trend_t as double precision) as trend_t,
    cast(allowed_t as double precision) as allowed_t
from source
