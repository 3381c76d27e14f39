-- The MEL indicator set (seed indicator_definitions): Kolada's values for the kommun, its län and
-- Sweden, and beside them the values the warehouse computes itself from its own marts, with the
-- target where the Klimatkontrakt or the kommun sets one (seed indicator_targets).
with

definitions as (select * from {{ ref('indicator_definitions') }}),

targets as (select * from {{ ref('indicator_targets') }}),

kolada as (
    select * from {{ ref('stg_kolada__kpi_values') }}
    where gender = 'T' and not is_deleted
),

per_capita as (
    select * from {{ ref('emissions_per_capita') }}
    where gas = 'CO2e'
),

population as (
    select
        kommun_kod,
        year,
        population,
        cast(fetched_at as date) as population_vintage
    from {{ ref('stg_scb__population') }}
    where population is not null
),

kolada_values as (
    select
        kolada.geo_level,
        kolada.area_kod,
        kolada.kolada_id,
        kolada.year,
        definitions.indicator,
        kolada.value,
        'kolada' as computed_by,
        definitions.source || '; Kolada v3 ' || kolada.kpi_id as source,
        kolada.vintage,
        kolada.is_synthetic,
        kolada.is_derived
    from kolada
    inner join definitions on kolada.kpi_id = definitions.kpi_id
),

heat_fuels as (
    select
        year,
        sum(fossil_mwh) / nullif(sum(fuel_mwh), 0) as fossil_share
    from {{ ref('int_energy__fuel_emissions') }}
    group by year
),

heat_meta as (
    select
        year,
        max(vintage) as vintage,
        bool_or(is_synthetic) as is_synthetic
    from {{ ref('fct_district_heating_climate_value') }}
    where is_default_method
    group by year
),

electricity as (
    select
        kommun_kod,
        year,
        mwh,
        vintage,
        is_synthetic
    from {{ ref('fct_energy_use') }}
    where sector_code = '999' and fuel_code = '16'
),

computed as (
    select
        'kommun' as geo_level,
        '{{ var("report_kommun") }}' as area_kod,
        '{{ var("report_kommun") }}' as kolada_id,
        heat_fuels.year,
        'district_heating_renewable_share_computed' as indicator,
        100.0 * (1 - heat_fuels.fossil_share) as value,
        heat_meta.vintage,
        heat_meta.is_synthetic
    from heat_fuels inner join heat_meta using (year)
    where heat_fuels.fossil_share is not null
    union all
    select
        'kommun' as geo_level,
        electricity.kommun_kod as area_kod,
        electricity.kommun_kod as kolada_id,
        electricity.year,
        'electricity_use_per_resident_computed' as indicator,
        electricity.mwh / population.population as value,
        greatest(electricity.vintage, population.population_vintage) as vintage,
        electricity.is_synthetic
    from electricity inner join population using (kommun_kod, year)
    where electricity.mwh is not null
    union all
    select
        'kommun' as geo_level,
        kolada.area_kod,
        kolada.kolada_id,
        kolada.year,
        'charge_points_per_1000_residents' as indicator,
        1000.0 * kolada.value / population.population as value,
        greatest(kolada.vintage, population.population_vintage) as vintage,
        kolada.is_synthetic
    from kolada
    inner join
        population
        on kolada.area_kod = population.kommun_kod and kolada.year = population.year
    where kolada.kpi_id = 'N07713' and kolada.value is not null
    union all
    select
        'kommun' as geo_level,
        per_capita.kommun_kod as area_kod,
        per_capita.kommun_kod as kolada_id,
        per_capita.year,
        'ghg_per_resident_computed' as indicator,
        per_capita.tonnes_per_capita as value,
        greatest(per_capita.vintage, population.population_vintage) as vintage,
        false as is_synthetic
    from per_capita inner join population using (kommun_kod, year)
    where per_capita.kommun_kod in (
        select kolada.area_kod from kolada
        where kolada.geo_level = 'kommun'
    )
),

computed_values as (
    select
        computed.geo_level,
        computed.area_kod,
        computed.kolada_id,
        computed.year,
        computed.indicator,
        computed.value,
        'warehouse' as computed_by,
        definitions.source,
        computed.vintage,
        computed.is_synthetic,
        false as is_derived
    from computed
    inner join definitions using (indicator)
),

unioned as (
    select * from kolada_values
    union all
    select * from computed_values
)

select
    unioned.geo_level,
    unioned.area_kod,
    unioned.kolada_id,
    unioned.year,
    unioned.indicator,
    definitions.kpi_id,
    definitions.title,
    definitions.theme,
    unioned.value,
    definitions.unit,
    unioned.computed_by,
    definitions.is_ghg,
    targets.target_year,
    targets.target_value,
    targets.direction as target_direction,
    targets.source as target_source,
    definitions.source_id,
    unioned.source,
    unioned.vintage,
    coalesce(unioned.is_synthetic, false) as is_synthetic,
    coalesce(unioned.is_derived, false) as is_derived
from unioned
inner join definitions on unioned.indicator = definitions.indicator
left join targets
    on
        targets.indicator = regexp_replace(unioned.indicator, '_computed$', '')
        and unioned.area_kod = targets.kommun_kod and unioned.geo_level = 'kommun'
