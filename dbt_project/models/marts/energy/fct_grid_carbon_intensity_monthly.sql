-- The grid's hourly carbon intensity per month (Swedish normal time, UTC+01:00, as the meters
-- count months): plain means of the hours in force, how many hours and how many estimated, the
-- releases used, beside the one annual electricity factor of the seeds.
with

hours as (select * from {{ ref('int_grid__hourly_carbon_intensity') }}),

-- Portable SQL throughout (no QUALIFY, no last_day): the mart also builds on the PostgreSQL target.
factor_vintages as (
    select
        valid_from_year,
        factor,
        source,
        vintage as factor_vintage,
        is_assumption,
        row_number() over (partition by valid_from_year order by vintage desc) as newest_first
    from {{ ref('fuel_emission_factors') }}
    where fuel = 'electricity'
),

annual_factor as (
    select
        valid_from_year,
        factor,
        source,
        factor_vintage,
        is_assumption,
        lead(valid_from_year) over (order by valid_from_year) as next_from_year
    from factor_vintages
    where newest_first = 1
),

monthly as (
    select
        zone,
        cast(date_trunc('month', hour_utc + interval '1 hour') as date) as month,
        count(*) as hours,
        {{ exact_avg("direct_gco2_per_kwh") }} as mean_direct_gco2_per_kwh,
        {{ exact_avg("lifecycle_gco2_per_kwh") }} as mean_lifecycle_gco2_per_kwh,
        min(direct_gco2_per_kwh) as min_direct_gco2_per_kwh,
        max(direct_gco2_per_kwh) as max_direct_gco2_per_kwh,
        {{ exact_avg("case when is_estimated then 1 else 0 end") }} as estimated_share,
        max(vintage) as vintage,
        min(vintage) as oldest_vintage
    from hours
    group by 1, 2
)

select
    monthly.zone,
    monthly.month,
    cast(extract(year from monthly.month) as integer) as year,
    cast(monthly.hours as integer) as hours,
    cast(24 * (cast(monthly.month + interval '1 month' as date) - monthly.month) as integer)
        as hours_in_month,
    monthly.hours = 24 * (cast(monthly.month + interval '1 month' as date) - monthly.month)
        as is_complete_month,
    monthly.mean_direct_gco2_per_kwh,
    monthly.mean_lifecycle_gco2_per_kwh,
    monthly.min_direct_gco2_per_kwh,
    monthly.max_direct_gco2_per_kwh,
    monthly.estimated_share,
    monthly.vintage,
    monthly.oldest_vintage,
    'electricity_maps' as source_id,
    annual_factor.factor as annual_factor_gco2e_per_kwh,
    annual_factor.factor_vintage as annual_factor_vintage,
    annual_factor.is_assumption as annual_factor_is_assumption,
    'g CO2e/kWh' as unit
from monthly
left join annual_factor
    on
        extract(year from monthly.month) >= annual_factor.valid_from_year
        and (
            annual_factor.next_from_year is null
            or extract(year from monthly.month) < annual_factor.next_from_year
        )
