-- The district-heating climate value: g CO2e per kWh DELIVERED, per network, year and allocation
-- method. This model is the one home of the formula (bookkeeping view of Energiföretagen's
-- "Miljövärdering av fjärrvärme", data_sources.md §4.1):
--
--   E_f      emissions of fuel f in the year (int_energy__fuel_emissions; purchased heat is a fuel)
--   E_chp    sum of E_f over the CHP fuels (var energy_chp_fuels: waste, Bäckelund Panna 6/7 +
--            turbine)
--   E_other  sum of E_f over every other fuel (biofuel, oil, electricity for boilers and heat
--            pumps, purchased heat); waste heat and flue-gas condensation carry no fuel of their
--            own
--   Q        CHP heat = heat from the CHP sources (var energy_chp_heat_sources: waste, flue-gas
--            condensation, which recovers heat from the same flue gas);  W = CHP electricity
--   a_Q      the heat's share of E_chp, by the method (seed district_heating_allocation_methods):
--              alternative_production (default): a_Q = (Q/eta_Q) / (Q/eta_Q + W/eta_W), the fuel
--              SEPARATE production of the same heat and power would need (eta_Q heat-only boiler,
--              eta_W condensing power plant);   energy: a_Q = Q / (Q + W);   0 when Q + W = 0
--   E_heat   = a_Q x E_chp + E_other         E_electricity = (1 - a_Q) x E_chp
--   value    = E_heat [t] x 1e6 g/t / (delivered [MWh] x 1000 kWh/MWh) = 1000 x E_heat / delivered
--
-- Only combustion factors are in the seed: the upstream part (transport and production of fuels)
-- that Miljövärdering reports separately is not included.
with

years as (select * from {{ ref('int_energy__network_year') }}),

methods as (select * from {{ ref('district_heating_allocation_methods') }}),

fuels as (
    select
        network_id,
        year,
        sum(case when is_chp_fuel then emissions_t else 0 end) as chp_emissions_t,
        sum(case when is_chp_fuel then 0 else emissions_t end) as other_emissions_t,
        sum(case when burnt_on_site then emissions_t else 0 end) as on_site_combustion_emissions_t,
        sum(fossil_mwh) / nullif(sum(fuel_mwh), 0) as fossil_fuel_share,
        max(factor_vintage) as factor_vintage,
        bool_or(is_assumption) as uses_assumed_factors
    from {{ ref('int_energy__fuel_emissions') }}
    group by network_id, year
),

shared as (
    select
        years.*,
        methods.allocation_method,
        methods.is_default as is_default_method,
        methods.vintage as method_vintage,
        coalesce(fuels.chp_emissions_t, 0) as chp_emissions_t,
        coalesce(fuels.other_emissions_t, 0) as other_emissions_t,
        coalesce(fuels.on_site_combustion_emissions_t, 0) as on_site_combustion_emissions_t,
        fuels.fossil_fuel_share,
        fuels.factor_vintage,
        coalesce(fuels.uses_assumed_factors, false) or methods.is_assumption as uses_assumptions,
        case
            when years.chp_heat_mwh + years.chp_electricity_mwh <= 0 then 0.0
            when methods.allocation_method = 'alternative_production'
                then
                    (years.chp_heat_mwh / methods.heat_reference_efficiency)
                    / (
                        years.chp_heat_mwh / methods.heat_reference_efficiency
                        + years.chp_electricity_mwh / methods.electricity_reference_efficiency
                    )
            when methods.allocation_method = 'energy' then
                years.chp_heat_mwh / (years.chp_heat_mwh + years.chp_electricity_mwh)
        end as chp_heat_share
    from years
    cross join methods
    left join fuels on years.network_id = fuels.network_id and years.year = fuels.year
)

select
    network_id,
    year,
    allocation_method,
    is_default_method,
    1000.0 * (chp_heat_share * chp_emissions_t + other_emissions_t) / nullif(delivered_mwh, 0)
        as g_co2e_per_kwh,
    delivered_mwh,
    chp_heat_mwh,
    chp_electricity_mwh,
    chp_heat_share,
    chp_emissions_t,
    other_emissions_t,
    chp_heat_share * chp_emissions_t + other_emissions_t as heat_emissions_t,
    (1 - chp_heat_share) * chp_emissions_t as electricity_emissions_t,
    chp_emissions_t + other_emissions_t as fossil_emissions_t,
    on_site_combustion_emissions_t,
    fossil_fuel_share,
    months_reported,
    months_reported = 12 as is_complete_year,
    'g CO2e/kWh delivered' as unit,
    'CO2e' as gas,
    'borlange_energi_feed' as source_id,
    vintage,
    factor_vintage,
    method_vintage,
    uses_assumptions,
    is_synthetic
from shared
