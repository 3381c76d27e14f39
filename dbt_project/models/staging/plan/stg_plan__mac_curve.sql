-- The plan asset's mac curve, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(year as integer) as year,
    cast(inventory as varchar) as inventory,
    cast(rank as integer) as rank,
    cast(action_id as varchar) as action_id,
    cast(title as varchar) as title,
    cast(smhi_sector as varchar) as smhi_sector,
    cast(gpc_ref as varchar) as gpc_ref,
    cast(cost_per_tonne_sek as double precision) as cost_per_tonne_sek,
    cast(width_t as double precision) as width_t,
    cast(cumulative_t as double precision) as cumulative_t,
    cast(impact_t as double precision) as impact_t,
    cast(annualised_cost_sek as double precision) as annualised_cost_sek,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'mac_curve') }}
