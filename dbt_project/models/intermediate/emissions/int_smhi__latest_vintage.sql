-- For each kommun, gas and year, the newest vintage that reports that year. A year a
-- newer release dropped (2016–2019 in the 2026 release) keeps its last reported value.
with

kommun_years as (
    select distinct
        vintage,
        gas,
        kommun_kod,
        year
    from {{ ref('int_smhi__kommun_detail_rows') }}
),

latest_release_per_gas as (
    select
        gas,
        max(vintage) as latest_release_vintage
    from kommun_years
    group by gas
),

latest as (
    select
        kommun_years.gas,
        kommun_years.kommun_kod,
        kommun_years.year,
        max(kommun_years.vintage) as vintage
    from kommun_years
    group by kommun_years.gas, kommun_years.kommun_kod, kommun_years.year
)

select
    latest.*,
    latest.vintage = latest_release_per_gas.latest_release_vintage as in_latest_release
from latest
inner join latest_release_per_gas using (gas)
