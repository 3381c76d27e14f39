-- The län emissions the län trajectory asset works on: per gas, län and year SMHI's own län total
-- of the newest release only (as int_trajectory__emissions for kommuner), beside the cement process
-- CO2 of the län's kommuner that a preset with `deducts=cement` takes out (null where there is
-- none).
with

emissions as (
    select
        gas,
        lan_kod,
        year,
        {{ exact_sum("tonnes") }} as tonnes
    from {{ ref('fct_emissions_lan') }}
    where in_latest_release
    group by gas, lan_kod, year
),

cement as (
    select
        kommuner.lan_kod,
        cement.year,
        {{ exact_sum("cement.cement_process_co2_t") }} as cement_t
    from {{ ref('cement_process_emissions') }} as cement
    inner join {{ ref('scb_kommuner') }} as kommuner on cement.kommun_kod = kommuner.kommun_kod
    group by kommuner.lan_kod, cement.year
)

select
    emissions.gas,
    emissions.lan_kod,
    emissions.year,
    emissions.tonnes,
    cement.cement_t
from emissions
left join cement
    on
        emissions.lan_kod = cement.lan_kod
        and emissions.year = cement.year
