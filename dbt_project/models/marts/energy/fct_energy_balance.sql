-- Borlänge Energi's yearly energy balance per network: heat supply (production by source plus
-- purchases) against use (deliveries plus losses), fuels, electricity, and the emissions of the
-- fuels burnt in the utility's own plants (heat and power together, before any allocation).
{%- set sources_ = [
    'waste', 'biofuel', 'oil', 'electric_boiler', 'heat_pump', 'waste_heat', 'flue_gas_condensation'
] %}
{%- set customers = ['single_family', 'multi_family', 'commercial_public', 'industry'] %}
with

years as (select * from {{ ref('int_energy__network_year') }}),

fuels as (
    select
        network_id,
        year,
        sum(case when burnt_on_site then emissions_t else 0 end) as on_site_combustion_emissions_t,
        sum(emissions_t) as fuel_emissions_t,
        max(factor_vintage) as factor_vintage,
        bool_or(is_assumption) as uses_assumed_factors
    from {{ ref('int_energy__fuel_emissions') }}
    group by network_id, year
)

select
    years.network_id,
    years.year,
    years.months_reported,
    years.months_reported = 12 as is_complete_year,
    years.heat_production_mwh,
    {%- for s in sources_ %}
        years.heat_{{ s }}_mwh,
    {%- endfor %}
    years.purchased_heat_mwh,
    years.heat_production_mwh + years.purchased_heat_mwh as heat_supply_mwh,
    years.delivered_mwh,
    {%- for c in customers %}
        years.delivered_{{ c }}_mwh,
    {%- endfor %}
    years.network_loss_mwh,
    years.heat_production_mwh
    + years.purchased_heat_mwh
    - years.delivered_mwh
    - years.network_loss_mwh
        as balance_difference_mwh,
    years.network_loss_mwh / nullif(years.heat_production_mwh + years.purchased_heat_mwh, 0)
        as loss_share,
    years.fuel_input_mwh,
    years.fuel_input_t,
    years.chp_electricity_mwh,
    years.electricity_distributed_mwh,
    years.public_charging_mwh,
    coalesce(fuels.on_site_combustion_emissions_t, 0) as on_site_combustion_emissions_t,
    coalesce(fuels.fuel_emissions_t, 0) as fuel_emissions_t,
    'CO2e' as gas,
    'MWh' as unit,
    'borlange_energi_feed' as source_id,
    years.vintage,
    fuels.factor_vintage,
    coalesce(fuels.uses_assumed_factors, false) as uses_assumed_factors,
    years.is_synthetic
from years
left join fuels on years.network_id = fuels.network_id and years.year = fuels.year
