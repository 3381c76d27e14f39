-- The emissions the trajectory asset works on: per gas, kommun and year the total of the newest
-- SMHI release only (a trend must not mix releases: the 2026 release has no 2016–2019), beside
-- the cement process CO2 that a preset with `deducts=cement` takes out (null where there is none).
-- A table: the Python asset reads it, also from a copy of the base tables on PostgreSQL.
with

emissions as (
    select
        gas,
        kommun_kod,
        year,
        tonnes
    from {{ ref('emissions_per_capita') }}
    where in_latest_release
),

cement as (
    select
        kommun_kod,
        year,
        cement_process_co2_t as cement_t
    from {{ ref('cement_process_emissions') }}
)

select
    emissions.gas,
    emissions.kommun_kod,
    emissions.year,
    emissions.tonnes,
    cement.cement_t
from emissions
left join cement
    on
        emissions.kommun_kod = cement.kommun_kod
        and emissions.year = cement.year
