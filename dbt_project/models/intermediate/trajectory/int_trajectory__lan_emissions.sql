-- The län emissions the län trajectory asset works on: per gas, län and year SMHI's own län total of the
-- newest release only (as int_trajectory__emissions for kommuner), beside the cement process CO2 of the
-- län's kommuner that a preset with `deducts=cement` takes out (null where there is none).
with

emissions as (
    select gas, lan_kod, year, {{ exact_sum("tonnes") }} as tonnes
    from {{ ref('fct_emissions_lan') }}
    where in_latest_release
    group by gas, lan_kod, year
),

cement as (
    select kommuner.lan_kod, cast(cement.year as integer) as year,
           {{ exact_sum("cement.cement_process_co2_t") }} as cement_t
    from {{ ref('cement_process_emissions') }} as cement
    inner join {{ ref('scb_kommuner') }} as kommuner on kommuner.kommun_kod = cement.kommun_kod
    group by kommuner.lan_kod, cement.year
)

select
    cast(emissions.gas as varchar)                      as gas,
    cast(emissions.lan_kod as varchar)                  as lan_kod,
    cast(emissions.year as integer)                     as year,
    cast(emissions.tonnes as double precision)          as tonnes,
    cement.cement_t
from emissions
left join cement
    on cement.lan_kod = emissions.lan_kod
   and cement.year = emissions.year
