-- Each kommun's inventory in the GPC's structure (v1.1, 2021): one row per kommun, year and GPC
-- sub-sector reference (the reference number carries the scope), CO2e. The mapping is the seed
-- gpc_sector_mapping (its notes give every judgement call):
--   scope 1/3  SMHI's CO2e rows (fct_emissions) mapped by subsector where SMHI publishes one,
--              else by main sector; a residual row goes with its main sector
--   scope 2    location-based: SCB's final electricity use (fct_energy_use, fuel 16) x the grid
--              factor (seed grid_emission_factors), and district heating used (fuel 14) x the
--              climate value of the report kommun's networks (fct_district_heating_climate_value,
--              default method)
-- A sub-sector without a figure carries a GPC notation key: the seed's own (NO, IE, NE), IE for an
-- SMHI sub-sector the release folds into its main sector, C for a confidential SCB cell, NE
-- otherwise.
{%- set scope2_input_text -%}
    case input when 'scb_kre_electricity' then 'grid factor (seed grid_emission_factors)'
               else 'district-heating climate value (fct_district_heating_climate_value)' end
{%- endset %}
with

mapping as (select * from {{ ref('gpc_sector_mapping') }}),

refs as (
    select distinct
        gpc_ref,
        gpc_sector,
        gpc_subsector,
        scope,
        in_basic,
        in_basic_plus
    from mapping
),

smhi_main_map as (
    select * from mapping
    where input = 'smhi_ned' and input_level = 'huvudsektor'
),

smhi_sub_map as (
    select * from mapping
    where input = 'smhi_ned' and input_level = 'undersektor'
),

notation_map as (
    select * from mapping
    where input = 'none'
),

emissions as (
    select * from {{ ref('fct_emissions') }}
    where gas = 'CO2e'
),

kommun_years as (
    select distinct
        kommun_kod,
        year
    from emissions
),

smhi_mapped as (
    select
        emissions.kommun_kod,
        emissions.year,
        coalesce(sub.gpc_ref, main.gpc_ref) as gpc_ref,
        emissions.tonnes,
        emissions.vintage,
        emissions.source_file_name
    from emissions
    left join smhi_sub_map as sub on emissions.undersektor_code = sub.input_code
    left join smhi_main_map as main on emissions.huvudsektor_code = main.input_code
),

smhi_values as (
    select
        kommun_kod,
        year,
        gpc_ref,
        {{ exact_sum("tonnes") }} as tonnes,
        cast(null as varchar) as notation_key,
        'smhi_ned' as source_id,
        'SMHI Nationella emissionsdatabasen, '
        || string_agg(distinct source_file_name, ', ' order by source_file_name) as source,
        max(vintage) as vintage,
        false as is_synthetic
    from smhi_mapped
    group by kommun_kod, year, gpc_ref
),

grid_factor as (
    select * from {{ ref('grid_emission_factors') }}
    where grid = 'SE'
),

energy_use as (
    select * from {{ ref('fct_energy_use') }}
    where not is_total and fuel_code in ('16', '14')
),

network_value as (
    select
        year,
        sum(heat_emissions_t) * 1000.0 / nullif(sum(delivered_mwh), 0) as g_co2e_per_kwh,
        max(vintage) as vintage,
        bool_or(is_synthetic) as is_synthetic
    from {{ ref('fct_district_heating_climate_value') }}
    where is_default_method
    group by year
),

scope2_cells as (
    select
        energy_use.kommun_kod,
        energy_use.year,
        mapping.gpc_ref,
        mapping.input,
        energy_use.mwh,
        energy_use.is_confidential,
        energy_use.vintage as use_vintage,
        energy_use.is_synthetic as use_is_synthetic,
        case mapping.input
            when 'scb_kre_electricity'
                then (
                    select grid_factor.factor from grid_factor
                    where grid_factor.valid_from_year <= energy_use.year
                    order by grid_factor.valid_from_year desc limit 1
                )
            when 'district_heating' then (
                case
                    when
                        energy_use.kommun_kod = '{{ var("report_kommun") }}'
                        then network_value.g_co2e_per_kwh
                end
            )
        end as g_co2e_per_kwh,
        network_value.vintage as network_vintage,
        coalesce(network_value.is_synthetic, false) as network_is_synthetic
    from energy_use
    inner join mapping
        on
            mapping.input
            = case energy_use.fuel_code
                when '16' then 'scb_kre_electricity' else 'district_heating'
            end
            and energy_use.sector_code = mapping.input_code
    left join
        network_value
        on energy_use.year = network_value.year and mapping.input = 'district_heating'
),

scope2_values as (
    select
        kommun_kod,
        year,
        gpc_ref,
        -- MWh x g/kWh = kg x 1000 / 1000 = ... : MWh x 1000 kWh x g / 1e6 g per t
        case
            when bool_and(not is_confidential and g_co2e_per_kwh is not null)
                then sum(mwh * g_co2e_per_kwh / 1000.0)
        end as tonnes,
        case
            when bool_or(is_confidential) then 'C'
            when bool_or(g_co2e_per_kwh is null) then 'NE'
        end as notation_key,
        'scb_kre' as source_id,
        -- ordered, so that both engines (and every rerun) write the same text
        'SCB TAB3654 final energy use x ' || string_agg(
            distinct {{ scope2_input_text }}, ' and '
            order by {{ scope2_input_text }}
        ) as source,
        greatest(
            max(use_vintage), max(case when input = 'district_heating' then network_vintage end)
        ) as vintage,
        bool_or(use_is_synthetic)
        or bool_or(input = 'district_heating' and network_is_synthetic) as is_synthetic
    from scope2_cells
    group by kommun_kod, year, gpc_ref
),

valued as (
    select * from smhi_values
    union all
    select * from scope2_values
),

grid as (
    select
        kommun_years.kommun_kod,
        kommun_years.year,
        refs.*
    from kommun_years
    cross join refs
),

final as (
    select
        grid.kommun_kod,
        grid.year,
        grid.gpc_ref,
        grid.gpc_sector,
        grid.gpc_subsector,
        grid.scope,
        grid.in_basic,
        grid.in_basic_plus,
        valued.tonnes,
        case
            when valued.gpc_ref is not null then valued.notation_key
            when notation_map.notation_key is not null then notation_map.notation_key
            when exists (
                select 1 from smhi_sub_map
                where smhi_sub_map.gpc_ref = grid.gpc_ref
            ) then 'IE'
            else 'NE'
        end as notation_key,
        coalesce(valued.source_id, 'none') as source_id,
        coalesce(
            valued.source, notation_map.note,
            case
                when
                    exists (
                        select 1 from smhi_sub_map
                        where smhi_sub_map.gpc_ref = grid.gpc_ref
                    )
                    then
                        'SMHI publishes the main sector only for this year: included in the '
                        || 'main sector''s reference'
                else 'no figure in the warehouse'
            end
        ) as source,
        valued.vintage,
        coalesce(valued.is_synthetic, false) as is_synthetic
    from grid
    left join valued
        on
            grid.kommun_kod = valued.kommun_kod
            and grid.year = valued.year
            and grid.gpc_ref = valued.gpc_ref
    left join notation_map on grid.gpc_ref = notation_map.gpc_ref
)

select
    kommun_kod,
    year,
    gpc_ref,
    gpc_sector,
    gpc_subsector,
    scope,
    in_basic,
    in_basic_plus,
    tonnes,
    case when tonnes is null then coalesce(notation_key, 'NE') end as notation_key,
    't CO2e' as unit,
    source_id,
    source,
    vintage,
    is_synthetic
from final
