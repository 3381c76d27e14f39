-- Electricity emissions per customer category and hour: the hourly carbon intensity of the zone beside
-- the annual factor of the seeds; the difference is the timing effect. Aggregates of at least
-- var meter_min_points points only.
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select kundkategori, hour_utc, wh, point_count, is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where medium = 'el' and riktning = 'uttag'
), annual as (
    select valid_from_year, factor from {{ ref('fuel_emission_factors') }} where fuel = 'electricity'
), factored as (
    select h.*, case when h.point_count >= {{ min_points }} then {{ wh_to_kwh('h.wh') }} end as kwh,
           g.zone, g.lifecycle_gco2_per_kwh, g.direct_gco2_per_kwh, g.is_estimated, g.vintage, g.source_id,
           (select factor from annual where valid_from_year <= year(h.hour_utc + interval 1 hour)
            order by valid_from_year desc limit 1) as annual_gco2_per_kwh
    from hourly as h
    left join {{ ref('int_grid__hourly_carbon_intensity') }} as g using (hour_utc)
)
select
    cast(kundkategori as varchar)                                        as kundkategori,
    cast(hour_utc as timestamp)                                          as hour_utc,
    cast(kwh as decimal(18, 3))                                          as kwh,
    cast(point_count as integer)                                         as point_count,
    cast(point_count < {{ min_points }} as boolean)                      as is_suppressed,
    cast(zone as varchar)                                                as zone,
    cast(lifecycle_gco2_per_kwh as double)                               as hourly_gco2_per_kwh,
    cast(direct_gco2_per_kwh as double)                                  as hourly_direct_gco2_per_kwh,
    cast(is_estimated as boolean)                                        as hourly_factor_is_estimated,
    cast(vintage as date)                                                as hourly_factor_vintage,
    cast(annual_gco2_per_kwh as double)                                  as annual_gco2_per_kwh,
    cast(kwh * lifecycle_gco2_per_kwh / 1000 as double)                  as emissions_hourly_kg,
    cast(kwh * annual_gco2_per_kwh / 1000 as double)                     as emissions_annual_kg,
    cast(kwh * (lifecycle_gco2_per_kwh - annual_gco2_per_kwh) / 1000 as double) as timing_effect_kg,
    cast(source_id as varchar)                                           as hourly_source_id,
    cast(is_synthetic as boolean)                                        as is_synthetic
from factored
