-- The plan asset's action impacts, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(action_id as varchar) as action_id,
    cast(activity_id as varchar) as activity_id,
    cast(inventory as varchar) as inventory,
    cast(smhi_sector as varchar) as smhi_sector,
    cast(gpc_ref as varchar) as gpc_ref,
    cast(year as integer) as year,
    cast(impact_t as double precision) as impact_t,
    cast(standalone_t as double precision) as standalone_t,
    cast(activity_change as double precision) as activity_change,
    cast(fraction as double precision) as fraction,
    cast(capped as boolean) as capped,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'action_impacts') }}
