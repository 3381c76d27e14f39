-- Consumption-based greenhouse-gas emissions per kommun, year and component.
--   public_sector, investments: SCB's national figure (MI1301) downscaled with the kommun's
--     share of BRP (NR0105) in the key year, Klimatkollen's method (swedish_emissions.xlsx,
--     Kons_Off/Kons_Inv);
--   households: SEI Konsumtionskompassen's kg CO2e per capita times SCB's population of that year.
with

national as (select * from {{ ref('stg_scb__consumption_emissions') }}),

allocation as (select * from {{ ref('int_consumption__allocation_key') }}),

households as (select * from {{ ref('stg_sei__household_emissions') }}),

population as (select * from {{ ref('stg_scb__population') }}),

downscaled as (
    select
        allocation.kommun_kod,
        national.year,
        national.component,
        national.tonnes * allocation.share as tonnes,
        cast(null as double precision) as source_kg_per_capita,
        'downscaled: SCB national consumption-based emissions of the use × the kommun''s share '
        || 'of the sum of kommun BRP in the key year (Klimatkollen''s method)' as method,
        'brp_share' as allocation_key,
        allocation.key_year as allocation_key_year,
        allocation.share as allocation_share,
        allocation.key_contents_label as allocation_key_note,
        'SCB ' || national.scb_table_id || ' (' || national.scb_use_label || ', updated '
        || coalesce(national.scb_updated, 'unknown') || ') × SCB ' || allocation.key_table_id
        || ' (' || coalesce(allocation.key_unit, 'unit unknown') || ', updated '
        || coalesce(allocation.key_updated, 'unknown') || ')' as source,
        'scb_consumption' as source_id,
        national.vintage,
        national.source_file_sha256
    from national
    inner join allocation on national.year = allocation.year
    where national.component in ('public_sector', 'investments')
),

household_rows as (
    select
        households.kommun_kod,
        households.year,
        'households' as component,
        households.kg_co2e_per_capita / 1000.0 * population.population as tonnes,
        households.kg_co2e_per_capita as source_kg_per_capita,
        'SEI Konsumtionskompassen household emissions per capita × SCB population '
        || '(31 December) of the year' as method,
        'population' as allocation_key,
        households.year as allocation_key_year,
        cast(null as double precision) as allocation_share,
        cast(null as varchar) as allocation_key_note,
        'SEI Konsumtionskompassen, '
        || households.source_file_name
        || ', sheet '
        || households.source_sheet
        || ', row ' || cast(households.source_row as varchar) as source,
        'sei_konsumtionskompassen' as source_id,
        households.vintage,
        households.source_file_sha256
    from households
    left join
        population
        on households.kommun_kod = population.kommun_kod and households.year = population.year
),

unioned as (
    select * from downscaled
    union all
    select * from household_rows
),

final as (
    select
        unioned.kommun_kod,
        unioned.year,
        unioned.component,
        unioned.tonnes,
        population.population,
        case
            when unioned.component = 'households' then unioned.source_kg_per_capita / 1000.0
            else unioned.tonnes / nullif(population.population, 0)
        end as tonnes_per_capita,
        't CO2e' as unit,
        'CO2e' as gas,
        unioned.method,
        unioned.allocation_key,
        unioned.allocation_key_year,
        unioned.allocation_share,
        unioned.allocation_key_note,
        unioned.source,
        unioned.source_id,
        unioned.vintage,
        unioned.source_file_sha256
    from unioned
    left join
        population
        on unioned.kommun_kod = population.kommun_kod and unioned.year = population.year
)

select * from final
