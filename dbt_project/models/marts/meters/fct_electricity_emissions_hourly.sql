-- Electricity emissions per customer category and hour: the hourly carbon intensity of the zone
-- beside the annual factor of the seeds; the difference is the timing effect. Aggregates of at
-- least var meter_min_points points only.
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
        hour_utc,
        wh,
        point_count,
        is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where medium = 'el' and riktning = 'uttag'
),

annual as (
    select
        valid_from_year,
        factor
    from {{ meter_input('fuel_emission_factors') }}
    where fuel = 'electricity'
),

factored as (
    select
        h.*,
        case when h.point_count >= {{ min_points }} then {{ wh_to_kwh('h.wh') }} end as kwh,
        g.zone,
        g.lifecycle_gco2_per_kwh,
        g.direct_gco2_per_kwh,
        g.is_estimated,
        g.vintage,
        g.source_id,
        (
            select annual.factor from annual
            where annual.valid_from_year <= year(h.hour_utc + interval 1 hour)
            order by annual.valid_from_year desc limit 1
        ) as annual_gco2_per_kwh
    from hourly as h
    left join {{ meter_input('int_grid__hourly_carbon_intensity') }} as g using (hour_utc)
)

select
    kundkategori,
    hour_utc,
    kwh,
    point_count,
    point_count < {{ min_points }} as is_suppressed,
    zone,
    lifecycle_gco2_per_kwh as hourly_gco2_per_kwh,
    direct_gco2_per_kwh as hourly_direct_gco2_per_kwh,
    is_estimated as hourly_factor_is_estimated,
    vintage as hourly_factor_vintage,
    annual_gco2_per_kwh,
    kwh * lifecycle_gco2_per_kwh / 1000 as emissions_hourly_kg,
    kwh * annual_gco2_per_kwh / 1000 as emissions_annual_kg,
    kwh * (lifecycle_gco2_per_kwh - annual_gco2_per_kwh) / 1000 as timing_effect_kg,
    source_id as hourly_source_id,
    is_synthetic
from factored
{%- endif %}
