-- The plan asset's action economics, typed.
select
    cast(kommun_kod as varchar) as kommun_kod,
    cast(action_id as varchar) as action_id,
    cast(title as varchar) as title,
    cast(partner_id as varchar) as partner_id,
    cast(inventory as varchar) as inventory,
    cast(smhi_sector as varchar) as smhi_sector,
    cast(gpc_ref as varchar) as gpc_ref,
    cast(status as varchar) as status,
    cast(start_year as integer) as start_year,
    cast(lifetime_years as integer) as lifetime_years,
    cast(discount_rate as double precision) as discount_rate,
    cast(investment_sek as double precision) as investment_sek,
    cast(opex_sek_per_year as double precision) as opex_sek_per_year,
    cast(pv_cost_sek as double precision) as pv_cost_sek,
    cast(annualised_cost_sek as double precision) as annualised_cost_sek,
    cast(lifetime_t as double precision) as lifetime_t,
    cast(extrapolated_t as double precision) as extrapolated_t,
    cast(pv_t as double precision) as pv_t,
    cast(levelised_t_per_year as double precision) as levelised_t_per_year,
    cast(cost_per_tonne_sek as double precision) as cost_per_tonne_sek,
    cast(is_synthetic as boolean) as is_synthetic
from {{ source('plan', 'action_economics') }}
