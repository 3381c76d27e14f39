-- The plan asset's investment plan, typed.
select
    cast(year as integer) as year,
    cast(action_id as varchar) as action_id,
    cast(partner_id as varchar) as partner_id,
    cast(responsible_org as varchar) as responsible_org,
    cast(status as varchar) as status,
    cast(smhi_sector as varchar) as smhi_sector,
    cast(gpc_ref as varchar) as gpc_ref,
    cast(payer as varchar) as payer,
    cast(funding_source as varchar) as funding_source,
    cast(secured as boolean) as secured,
    cast(investment_sek as double precision) as investment_sek,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'investment_plan') }}
