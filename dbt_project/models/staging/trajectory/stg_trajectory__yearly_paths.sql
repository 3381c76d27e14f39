-- The trajectory asset's yearly paths, one row per kommun, method and year, as written.
with

source as ( select * from {{ source('trajectory', 'yearly_paths') }} )

select
    kommun_kod,
    method,
    year,
    emissions_t,
    emissions_kind,
    trend_t,
    allowed_t
from source
