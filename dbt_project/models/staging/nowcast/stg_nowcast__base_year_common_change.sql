-- The nowcast asset's look at SMHI's newest year, typed.
select
    cast(vintage as date) as vintage,
    cast(gas as varchar) as gas,
    cast(year as integer) as year,
    cast(kommun_kod as varchar) as kommun_kod,
    cast(huvudsektor as varchar) as huvudsektor,
    cast(previous_t as double precision) as previous_t,
    cast(tonnes as double precision) as tonnes,
    cast(ratio as double precision) as ratio,
    cast(common_factor as double precision) as common_factor,
    cast(considered as boolean) as considered,
    cast(follows_common_factor as boolean) as follows_common_factor
from {{ source('nowcast', 'base_year_common_change') }}
