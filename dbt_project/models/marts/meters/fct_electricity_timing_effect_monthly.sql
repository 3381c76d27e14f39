-- The timing effect per customer category and month: the month's electricity (meters, uttag) under
-- the hourly carbon intensity against the same kWh under the annual factor. Built from the hourly
-- mart's unsuppressed cells of the category summed over every network area; a category-month whose
-- hours have fewer than var meter_min_points points is suppressed whole.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select
        kundkategori,
        cast(date_trunc('month', hour_utc + interval 1 hour) as date) as month,
        hour_utc,
        kwh,
        point_count,
        hourly_gco2_per_kwh,
        annual_gco2_per_kwh,
        emissions_hourly_kg,
        emissions_annual_kg,
        is_synthetic,
        hourly_factor_vintage,
        zone
    from {{ ref('fct_electricity_emissions_hourly') }}
),

monthly as (
    select
        kundkategori,
        month,
        min(point_count) as point_count,
        count(*) as hours,
        count(*) filter (where hourly_gco2_per_kwh is null) as hours_without_factor,
        sum(kwh) filter (where hourly_gco2_per_kwh is not null) as kwh,
        -- Exact sums: a double sum's last bits depend on DuckDB's parallel order, and a rerun
        -- must be identical.
        {{ exact_sum("emissions_hourly_kg") }} as emissions_hourly_kg,
        {{ exact_sum("case when hourly_gco2_per_kwh is not null then emissions_annual_kg end") }}
            as emissions_annual_kg,
        max(annual_gco2_per_kwh) as annual_gco2_per_kwh,
        max(hourly_factor_vintage) as hourly_factor_vintage,
        max(zone) as zone,
        bool_or(is_synthetic) as is_synthetic,
        bool_or(kwh is null) as any_suppressed
    from hourly
    group by all
)

select
    kundkategori,
    month,
    cast(case when not any_suppressed then kwh end as decimal(18, 3)) as kwh,
    point_count,
    cast(hours as integer) as hours,
    cast(hours_without_factor as integer) as hours_without_factor,
    case when not any_suppressed then emissions_hourly_kg end as emissions_hourly_kg,
    case when not any_suppressed then emissions_annual_kg end as emissions_annual_kg,
    case when not any_suppressed then emissions_hourly_kg - emissions_annual_kg end
        as timing_effect_kg,
    case when not any_suppressed then emissions_hourly_kg * 1000 / nullif(kwh, 0) end
        as hourly_weighted_gco2_per_kwh,
    annual_gco2_per_kwh,
    zone,
    hourly_factor_vintage,
    any_suppressed as is_suppressed,
    is_synthetic
from monthly
{%- endif %}
