-- Total emissions per resident, where SCB has the population of that year.
with

totals as (
    select
        kommun_kod,
        year,
        gas,
        vintage,
        in_latest_release,
        {{ exact_sum("tonnes") }} as tonnes
    from {{ ref('fct_emissions') }}
    group by kommun_kod, year, gas, vintage, in_latest_release
),

population as (select * from {{ ref('stg_scb__population') }}),

final as (
    select
        totals.kommun_kod,
        totals.year,
        totals.gas,
        totals.vintage,
        totals.in_latest_release,
        totals.tonnes,
        population.population,
        totals.tonnes / nullif(population.population, 0) as tonnes_per_capita,
        case totals.gas when 'CO2e' then 't CO2e per resident' else 't CO2 per resident' end
            as unit,
        population.scb_table_id as population_table_id,
        population.scb_updated as population_updated
    from totals
    left join population
        on totals.kommun_kod = population.kommun_kod and totals.year = population.year
)

select * from final
