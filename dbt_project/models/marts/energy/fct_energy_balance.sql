-- Borlänge Energi's yearly energy balance per network: heat supply (production by source plus
-- purchases) against use (deliveries plus losses), fuels, electricity, and the emissions of the
-- fuels burnt in the utility's own plants (heat and power together, before any allocation).
{%- set sources_ = ['waste', 'biofuel', 'oil', 'electric_boiler', 'heat_pump', 'waste_heat', 'flue_gas_condensation'] %}
{%- set customers = ['single_family', 'multi_family', 'commercial_public', 'industry'] %}
with

years as ( select * from {{ ref('int_energy__network_year') }} ),
fuels as (
    select
        network_id, year,
        sum(case when burnt_on_site then emissions_t else 0 end) as on_site_combustion_emissions_t,
        sum(emissions_t) as fuel_emissions_t,
        max(factor_vintage) as factor_vintage,
        bool_or(is_assumption) as uses_assumed_factors
    from {{ ref('int_energy__fuel_emissions') }}
    group by network_id, year
)

select
    cast(years.network_id as varchar)                 as network_id,
    cast(years.year as integer)                       as year,
    cast(years.months_reported as integer)            as months_reported,
    years.months_reported = 12                        as is_complete_year,
    cast(years.heat_production_mwh as double precision) as heat_production_mwh,
    {%- for s in sources_ %}
    cast(years.heat_{{ s }}_mwh as double precision)  as heat_{{ s }}_mwh,
    {%- endfor %}
    cast(years.purchased_heat_mwh as double precision) as purchased_heat_mwh,
    cast(years.heat_production_mwh + years.purchased_heat_mwh as double precision) as heat_supply_mwh,
    cast(years.delivered_mwh as double precision)     as delivered_mwh,
    {%- for c in customers %}
    cast(years.delivered_{{ c }}_mwh as double precision) as delivered_{{ c }}_mwh,
    {%- endfor %}
    cast(years.network_loss_mwh as double precision)  as network_loss_mwh,
    cast(years.heat_production_mwh + years.purchased_heat_mwh - years.delivered_mwh - years.network_loss_mwh
         as double precision)                         as balance_difference_mwh,
    cast(years.network_loss_mwh / nullif(years.heat_production_mwh + years.purchased_heat_mwh, 0)
         as double precision)                         as loss_share,
    cast(years.fuel_input_mwh as double precision)    as fuel_input_mwh,
    cast(years.fuel_input_t as double precision)      as fuel_input_t,
    cast(years.chp_electricity_mwh as double precision) as chp_electricity_mwh,
    cast(years.electricity_distributed_mwh as double precision) as electricity_distributed_mwh,
    cast(years.public_charging_mwh as double precision) as public_charging_mwh,
    cast(coalesce(fuels.on_site_combustion_emissions_t, 0) as double precision) as on_site_combustion_emissions_t,
    cast(coalesce(fuels.fuel_emissions_t, 0) as double precision) as fuel_emissions_t,
    cast('CO2e' as varchar)                           as gas,
    cast('MWh' as varchar)                            as unit,
    cast('borlange_energi_feed' as varchar)           as source_id,
    cast(years.vintage as date)                       as vintage,
    cast(fuels.factor_vintage as date)                as factor_vintage,
    cast(coalesce(fuels.uses_assumed_factors, false) as boolean) as uses_assumed_factors,
    cast(years.is_synthetic as boolean)               as is_synthetic
from years
left join fuels on fuels.network_id = years.network_id and fuels.year = years.year
