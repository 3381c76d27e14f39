-- Warn when a main sector moves by more than the configured share between consecutive
-- years of the newest release, as SMHI's 2024 reallocation of Borlänge's transport did.
-- A warning, not an error: such moves are real data, but a reader must be told.
{{ config(severity='warn', store_failures=true, schema='audit', meta={'dagster': {'ref': {'name': 'fct_emissions'}}}) }}
with

sector_years as (
    select kommun_kod, gas, huvudsektor, year, {{ exact_sum("tonnes") }} as tonnes
    from {{ ref('fct_emissions') }}
    where in_latest_release
    group by kommun_kod, gas, huvudsektor, year
),

with_previous as (
    select
        *,
        lag(year) over w   as previous_year,
        lag(tonnes) over w as previous_tonnes
    from sector_years
    window w as (partition by kommun_kod, gas, huvudsektor order by year)
)

select
    kommun_kod, gas, huvudsektor, previous_year, year, previous_tonnes, tonnes,
    {{ float_divide("tonnes - previous_tonnes", "previous_tonnes") }} as change_share
from with_previous
where previous_year = year - 1
  and greatest(tonnes, previous_tonnes) >= {{ var('sector_yoy_warn_min_tonnes') }}
  and abs(tonnes - previous_tonnes) > {{ var('sector_yoy_warn_share') }} * previous_tonnes
