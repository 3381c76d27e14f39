-- Warn when a kommun's main sector moves materially in the newest year of the newest release, as
-- SMHI's 2024 reallocation of Borlänge's transport did (+26 %, methods.md §4.1). A warning, not an
-- error: such moves are real data, but a reader of the report must be told. Material means all of:
-- - the newest release of the gas only, and only its latest var sector_yoy_warn_latest_years
--   year(s), each against the year before (older years were looked at when their release came out);
-- - the sector moves by more than var sector_yoy_warn_share of the year before AND by at least var
--   sector_yoy_warn_min_change_tonnes: a large share of a small sector is noise for the report;
-- - not a sector in var sector_yoy_warn_exclude_sectors (known small or outside the territorial
--   target).
-- national_change_share says whether the whole country's sector moved alike (a national change, or
-- a method change of SMHI's) or this kommun alone (a plant opening or closing, a reallocation).
{{ config(
    severity='warn',
    store_failures=true,
    schema='audit',
    meta={'dagster': {'ref': {'name': 'fct_emissions'}}}
) }}
{%- set excluded = var('sector_yoy_warn_exclude_sectors') %}
with

sector_years as (
    select
        kommun_kod,
        gas,
        huvudsektor,
        year,
        {{ exact_sum("tonnes") }} as tonnes
    from {{ ref('fct_emissions') }}
    where
        in_latest_release
        {%- if excluded %}
            and huvudsektor not in (
                {% for sector in excluded -%}
                    '{{ sector | replace("'", "''") }}'{{ ", " if not loop.last }}
                {%- endfor %}
            )
        {%- endif %}
    group by kommun_kod, gas, huvudsektor, year
),

latest_year as (
    select
        gas,
        max(year) as latest_year
    from sector_years
    group by gas
),

national as (
    select
        gas,
        huvudsektor,
        year,
        {{ exact_sum("tonnes") }} as tonnes
    from sector_years
    group by gas, huvudsektor, year
),

with_previous as (
    select
        *,
        lag(year) over w as previous_year,
        lag(tonnes) over w as previous_tonnes
    from sector_years
    window w as (partition by kommun_kod, gas, huvudsektor order by year)
)

select
    with_previous.kommun_kod,
    with_previous.gas,
    with_previous.huvudsektor,
    with_previous.previous_year,
    with_previous.year,
    with_previous.previous_tonnes,
    with_previous.tonnes,
    with_previous.tonnes - with_previous.previous_tonnes as change_tonnes,
    {{ float_divide(
        "with_previous.tonnes - with_previous.previous_tonnes", "with_previous.previous_tonnes"
    ) }} as change_share,
    {{ float_divide("national_now.tonnes - national_before.tonnes", "national_before.tonnes") }}
        as national_change_share
from with_previous
inner join latest_year on with_previous.gas = latest_year.gas
left join national as national_now
    on
        with_previous.gas = national_now.gas
        and with_previous.huvudsektor = national_now.huvudsektor
        and with_previous.year = national_now.year
left join national as national_before
    on
        with_previous.gas = national_before.gas
        and with_previous.huvudsektor = national_before.huvudsektor
        and with_previous.previous_year = national_before.year
where
    with_previous.previous_year = with_previous.year - 1
    and with_previous.year > latest_year.latest_year - {{ var('sector_yoy_warn_latest_years') }}
    and abs(with_previous.tonnes - with_previous.previous_tonnes)
    >= {{ var('sector_yoy_warn_min_change_tonnes') }}
    and abs(with_previous.tonnes - with_previous.previous_tonnes)
    > {{ var('sector_yoy_warn_share') }} * with_previous.previous_tonnes
