-- One row per network and year: the reported flows in force summed over the months (MWh; fuel
-- tonnes in t). The inputs of the energy balance and of the climate value.
{%- set sources_ = [
    'waste', 'biofuel', 'oil', 'electric_boiler', 'heat_pump', 'waste_heat', 'flue_gas_condensation'
] %}
{%- set customers = ['single_family', 'multi_family', 'commercial_public', 'industry'] %}
with

current_values as (
    select * from {{ ref('stg_energy_feed__values') }}
    where is_current
)

select
    network_id,
    year,
    cast(count(distinct month) as integer) as months_reported,
    sum(case when measure = 'heat_production' then value else 0 end) as heat_production_mwh,
    {%- for s in sources_ %}
        sum(
            case when measure = 'heat_production' and category = '{{ s }}' then value else 0 end
        )
            as heat_{{ s }}_mwh,
    {%- endfor %}
    sum(case
        when
            measure = 'heat_production'
            and category in ({{ "'" ~ var('energy_chp_heat_sources') | join("', '") ~ "'" }})
            then value
        else 0
    end) as chp_heat_mwh,
    sum(case when measure = 'purchased_heat' then value else 0 end) as purchased_heat_mwh,
    sum(case when measure = 'delivery' then value else 0 end) as delivered_mwh,
    {%- for c in customers %}
        sum(
            case when measure = 'delivery' and category = '{{ c }}' then value else 0 end
        )
            as delivered_{{ c }}_mwh,
    {%- endfor %}
    sum(case when measure = 'network_loss' then value else 0 end) as network_loss_mwh,
    sum(case when measure = 'fuel_input' and unit = 'MWh' then value else 0 end) as fuel_input_mwh,
    sum(case when measure = 'fuel_input' and unit = 't' then value else 0 end) as fuel_input_t,
    sum(case when measure = 'chp_electricity' then value else 0 end) as chp_electricity_mwh,
    sum(case when measure = 'electricity_distribution' then value else 0 end)
        as electricity_distributed_mwh,
    sum(case when measure = 'public_charging' then value else 0 end) as public_charging_mwh,
    cast(max(received_at) as date) as vintage,
    bool_or(is_synthetic) as is_synthetic
from current_values
group by network_id, year
