-- Downscaling neither creates nor loses emissions: the kommuner of a component and year add up
-- to SCB's national figure within 1 t.
with kommuner as (
    select
        component,
        year,
        sum(tonnes) as tonnes
    from {{ ref('fct_consumption_emissions') }}
    where component in ('public_sector', 'investments')
    group by component, year
)

select
    kommuner.component,
    kommuner.year,
    kommuner.tonnes,
    national.tonnes as national_tonnes
from kommuner
inner join {{ ref('stg_scb__consumption_emissions') }} as national using (component, year)
where abs(kommuner.tonnes - national.tonnes) > 1
